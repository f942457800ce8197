"""Failures that must leave a clean warehouse and say why (issue #14): real files, real runs.

Each case works on its own copy of the sample warehouse, so the shared fixture stays as built.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.sources.files import FilesSource
from tests.conftest import REPO, SMALL, copy_warehouse, pipeline_env, run_pipeline
from tests.test_reproducible_marts import published_marts


def _materialize(wh: Path, selection: str) -> subprocess.CompletedProcess:
    """One asset materialized with the Dagster CLI, as from a terminal (`dagster asset materialize`)."""
    env = pipeline_env(wh)
    subprocess.run([sys.executable, "-m", "pipelines.instance"], cwd=REPO, env=env, check=True, capture_output=True)
    dagster = Path(sys.executable).parent / "dagster"
    return subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "pipelines.definitions", "--select", selection],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


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
        ("passwd.csv", "a link to a file outside WAREHOUSE_FILES_DIR: refused, not read"),
    ]
    # Never copied: nothing in the landing folder holds the linked files' bytes.
    for path in landing.rglob("*"):
        assert not path.is_file() or b"secret" not in path.read_bytes() and b"ZZZ" not in path.read_bytes()


def test_a_failing_dbt_step_reports_its_own_cause(small_warehouse, tmp_path):
    wh = copy_warehouse(small_warehouse, tmp_path / "wh")
    with duckdb.connect(str(wh / "warehouse.duckdb")) as con:
        con.execute("DROP TABLE raw.prices")
    # A model without tests: dbt fails before any check result exists.
    proc = _materialize(wh, "staging/stg_prices")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "executemany" not in out, out[-3000:]
    assert "Table with name prices does not exist" in out, out[-3000:]


def test_candidates_left_by_a_killed_publish_are_removed_by_the_next(small_warehouse, tmp_path):
    wh = copy_warehouse(small_warehouse, tmp_path / "wh")
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


def _children(pid: int) -> dict[int, str]:
    """Child processes of `pid` (pid -> command line), read from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
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


def test_a_run_killed_in_dbt_leaves_no_dbt_behind_and_the_next_run_succeeds(small_warehouse, tmp_path):
    wh = tmp_path / "wh"
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines.run"],
        cwd=REPO,
        env=pipeline_env(wh, **SMALL),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
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
    # The same marts as an uninterrupted run on the same input, to the last bit.
    assert published_marts(wh / "serving.duckdb") == published_marts(small_warehouse / "serving.duckdb")


def _holder_pid(wh: Path, timeout: float = 120) -> int:
    """The pid written in the run lock once a run holds the warehouse."""
    from pipelines.run_lock import holder

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        who = holder(wh)
        if who and isinstance(who.get("pid"), int):
            return who["pid"]
        time.sleep(0.1)
    raise AssertionError(f"no run took the lock of {wh} within {timeout} s")


def test_concurrent_runs_one_runs_one_is_refused_and_one_waits(tmp_path):
    wh = tmp_path / "wh"
    first = subprocess.Popen(
        [sys.executable, "-m", "pipelines.run"],
        cwd=REPO,
        env=pipeline_env(wh, **SMALL),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        holder_pid = _holder_pid(wh)
        assert holder_pid == first.pid
        # At once: refused, with the holder named, before it touched anything.
        refused = run_pipeline(wh, check=False, **SMALL)
        assert refused.returncode == 1
        last = refused.stderr.strip().splitlines()[-1]
        assert f"another run (pid {holder_pid}, started " in last and f"holds the warehouse {wh}" in last, last
        assert "executemany" not in refused.stderr and "Could not set lock" not in refused.stderr
        # With a wait: it queues behind the first run and then does its own.
        waiting = run_pipeline(wh, check=False, WAREHOUSE_LOCK_WAIT_SECONDS="600", **SMALL)
        out, _ = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, out[-3000:]
    assert waiting.returncode == 0, waiting.stderr[-3000:]
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        runs = con.execute("SELECT count(DISTINCT run_id) FROM audit.quality_results").fetchone()[0]
    assert runs == 2  # the refused run recorded nothing


def test_the_ui_queues_runs_of_one_warehouse_one_at_a_time(tmp_path):
    """The instance `make ui` writes queues runs per code location (one location = one warehouse)."""
    env = {**pipeline_env(tmp_path), "DAGSTER_HOME": str(tmp_path / "dagster_home")}
    subprocess.run([sys.executable, "-m", "pipelines.instance"], cwd=REPO, check=True, capture_output=True, env=env)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import dagster as dg; from pipelines.instance import RUN_QUEUE_TAG; "
            "i = dg.DagsterInstance.get(); print(type(i.run_coordinator).__name__); "
            "print([(l['key'], l['value'], l['limit']) for l in i.get_concurrency_config().run_queue_config."
            "tag_concurrency_limits] == [(RUN_QUEUE_TAG, {'applyLimitPerUniqueValue': True}, 1)])",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.stdout.split() == ["QueuedRunCoordinator", "True"], proc.stderr[-2000:]


@contextlib.contextmanager
def _small_disk(path: Path, size_mb: int):
    """A tmpfs of `size_mb` at `path`: a real filesystem that fills up (needs CAP_SYS_ADMIN, as root in CI)."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _free(path: Path) -> int:
    return shutil.disk_usage(path).free


def test_a_disk_too_small_is_refused_before_anything_is_written(tmp_path):
    with _small_disk(tmp_path / "disk", 30) as disk:
        wh = disk / "wh"
        proc = run_pipeline(wh, check=False, WAREHOUSE_DISK_RESERVE_MB="0", **SMALL)
        assert proc.returncode == 1
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"Run FAILED before it started: not enough disk space for {wh}: {disk} (tmpfs) has ")
        assert "MB free, this run needs about" in lines[0] and "nothing was written" in lines[0]
        assert not wh.exists() or not any(wh.iterdir())


def test_a_disk_that_fills_during_a_run_is_named_in_one_line_and_the_next_run_recovers(small_warehouse, tmp_path):
    with _small_disk(tmp_path / "disk", 120) as disk:
        wh = copy_warehouse(small_warehouse, disk / "wh")
        before = (wh / "serving.duckdb").read_bytes()
        run = subprocess.Popen(
            [sys.executable, "-m", "pipelines.run"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=pipeline_env(wh, WAREHOUSE_DISK_RESERVE_MB="0", **SMALL),
        )
        try:
            _holder_pid(wh)
            # Another program fills the disk once the run has passed its pre-flight.
            filler = disk / "filler"
            with open(filler, "wb") as f:
                f.write(b"\0" * (_free(disk) - 512 * 1024))
            out, err = run.communicate(timeout=600)
        finally:
            if run.poll() is None:
                run.kill()
        assert run.returncode == 1
        last = err.strip().splitlines()[-1]
        assert last.startswith(f"FAILED: disk full: {disk} (tmpfs), which holds {wh}, has "), last
        assert "free space and run again (serving.duckdb is unchanged)" in last
        assert (wh / "serving.duckdb").read_bytes() == before
        filler.unlink()
        run_pipeline(wh, WAREHOUSE_DISK_RESERVE_MB="0", **SMALL)
        assert (wh / "serving.duckdb").read_bytes() != before
        assert not list(wh.glob(".serving-*"))
