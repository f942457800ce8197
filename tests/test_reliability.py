"""Failures that must leave a clean warehouse and say why (issue #14): real files, real runs.

Each case works on its own copy of the sample warehouse, so the shared fixture stays as built.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from pipelines.sources.files import FilesSource
from tests.conftest import REPO, pipeline_env, row_counts, run_pipeline


def _copy_warehouse(sample_warehouse: Path, wh: Path) -> Path:
    wh.mkdir()
    for name in ("warehouse.duckdb", "serving.duckdb"):
        shutil.copyfile(sample_warehouse / name, wh / name)
    return wh


def _materialize(wh: Path, selection: str) -> subprocess.CompletedProcess:
    """One asset materialized with the Dagster CLI, as from a terminal (`dagster asset materialize`)."""
    env = pipeline_env(wh)
    subprocess.run([sys.executable, "-m", "pipelines.instance"], cwd=REPO, env=env, check=True, capture_output=True)
    dagster = Path(sys.executable).parent / "dagster"
    return subprocess.run([str(dagster), "asset", "materialize", "-m", "pipelines.definitions", "--select", selection],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def test_a_link_out_of_the_files_folder_is_refused_unread(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "passwd"
    secret.write_text("root:x:0:0:secret-first-line\n")
    elsewhere = outside / "bars.csv"
    elsewhere.write_text("symbol,date,close\nZZZ,2024-01-02,5\n")
    prices = tmp_path / "in" / "prices"
    prices.mkdir(parents=True)
    (prices / "good.csv").write_text("symbol,date,close\nAAA,2024-01-02,1\n")
    (prices / "passwd.csv").symlink_to(secret)
    (prices / "other.csv").symlink_to(elsewhere)
    landing = tmp_path / "landing"
    landed = FilesSource(tmp_path / "in").land("prices", landing, lambda message: None)
    assert [p.name.split(".")[0] for p in landed.files] == ["good"]
    assert sorted((Path(f).name, why) for f, why in landed.skipped) == [
        ("other.csv", "a link to a file outside WAREHOUSE_FILES_DIR: refused, not read"),
        ("passwd.csv", "a link to a file outside WAREHOUSE_FILES_DIR: refused, not read")]
    # Never copied: nothing in the landing folder holds the linked files' bytes.
    for path in landing.rglob("*"):
        assert not path.is_file() or b"secret" not in path.read_bytes() and b"ZZZ" not in path.read_bytes()


def test_a_failing_dbt_step_reports_its_own_cause(sample_warehouse, tmp_path):
    wh = _copy_warehouse(sample_warehouse, tmp_path / "wh")
    with duckdb.connect(str(wh / "warehouse.duckdb")) as con:
        con.execute("DROP TABLE raw.prices")
    # A model without tests: dbt fails before any check result exists.
    proc = _materialize(wh, "staging/stg_prices")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "executemany" not in out, out[-3000:]
    assert "Table with name prices does not exist" in out, out[-3000:]


def test_candidates_left_by_a_killed_publish_are_removed_by_the_next(sample_warehouse, tmp_path):
    wh = _copy_warehouse(sample_warehouse, tmp_path / "wh")
    with duckdb.connect(str(wh / ".serving-deadbeef.duckdb")) as con:
        con.execute("CREATE TABLE half_written AS SELECT 1 AS x")
    (wh / ".serving-cafebabe.duckdb.wal").write_bytes(b"\0" * 64)
    before = duckdb.connect(str(wh / "serving.duckdb"), read_only=True)
    run_before = before.execute("SELECT run_id FROM marts.publish_info").fetchone()[0]
    before.close()
    # A candidate another live process still holds is not touched.
    held = duckdb.connect(str(wh / ".serving-0badf00d.duckdb"))
    try:
        proc = _materialize(wh, "serving/serving_duckdb")
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "removed .serving-deadbeef.duckdb, left by a publish that was killed" in proc.stdout + proc.stderr
    finally:
        held.close()
    left = sorted(p.name for p in wh.glob(".serving-*"))
    assert left == [".serving-0badf00d.duckdb"], left
    with duckdb.connect(str(wh / "serving.duckdb"), read_only=True) as con:
        assert con.execute("SELECT run_id FROM marts.publish_info").fetchone()[0] != run_before


SMALL = {"WAREHOUSE_SAMPLE_SMALL": "60", "WAREHOUSE_SAMPLE_LARGE": "20"}


def _children(pid: int) -> dict[int, str]:
    """Child processes of `pid` (pid -> command line), read from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            if ppid == pid:
                out[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def test_a_run_killed_in_dbt_leaves_no_dbt_behind_and_the_next_run_succeeds(tmp_path):
    reference = tmp_path / "reference"
    run_pipeline(reference, **SMALL)
    wh = tmp_path / "wh"
    run = subprocess.Popen([sys.executable, "-m", "pipelines.run"], cwd=REPO, env=pipeline_env(wh, **SMALL),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, dbt = time.monotonic() + 300, None
        while dbt is None and time.monotonic() < deadline and run.poll() is None:
            dbt = next((pid for pid, cmd in _children(run.pid).items() if "dbt" in cmd and " build " in cmd), None)
            time.sleep(0.1)
        assert dbt is not None, "the run never reached its dbt build"
        time.sleep(1.0)  # dbt is writing the warehouse now
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        gone_by = time.monotonic() + 10
        while _alive(dbt) and time.monotonic() < gone_by:
            time.sleep(0.1)
        assert not _alive(dbt), f"dbt (pid {dbt}) outlived the run that started it"
    finally:
        if run.poll() is None:
            run.kill()
    run_pipeline(wh, **SMALL)
    assert row_counts(wh / "serving.duckdb", ("marts",)) == row_counts(reference / "serving.duckdb", ("marts",))
    verdicts = "SELECT claim_id, as_of_date, verdict FROM marts.claims_audit ORDER BY 1, 2"
    with duckdb.connect(str(wh / "serving.duckdb"), read_only=True) as a, \
            duckdb.connect(str(reference / "serving.duckdb"), read_only=True) as b:
        assert a.execute(verdicts).fetchall() == b.execute(verdicts).fetchall()
