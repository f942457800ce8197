"""Write-audit-publish with real processes: readers never see a partial or failed publication."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from data_quality.results import CheckOutcome, record
from pipelines.config import load_settings
from pipelines.publish import PublishRefused, publish
from pipelines.resources import WarehouseResource
from tests.conftest import REPO, SMALL, copy_warehouse, run_pipeline


def published_run(serving: Path) -> str:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("SELECT run_id FROM marts.publish_info").fetchone()[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reader_sees_only_complete_snapshots_and_a_failed_gate_changes_nothing(small_warehouse, tmp_path):
    wh = copy_warehouse(small_warehouse, tmp_path / "wh")
    serving = wh / "serving.duckdb"
    first = published_run(serving)

    out = tmp_path / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, str(REPO / "tests/helpers/serving_reader.py"), str(serving), "600", str(out)]
    )
    try:
        time.sleep(1.0)
        run_pipeline(wh, **SMALL)
        second = published_run(serving)
        assert second != first, "a passing run publishes a new file"
        before_bad = digest(serving)

        # The small benchmark halves in its last 20 days with no split recorded: a role series
        # broken inside the recent window blocks.
        bad = run_pipeline(wh, check=False, WAREHOUSE_SAMPLE_FAULT="role_series_broken", **SMALL)
        assert bad.returncode != 0
        assert "raw/prices: unexplained_jump" in bad.stdout + bad.stderr
        assert digest(serving) == before_bad, "a run that failed its gate leaves serving.duckdb byte for byte"
        time.sleep(1.0)
    finally:
        Path(str(out) + ".stop").touch()
        reader.wait(timeout=60)
    seen = json.loads(out.read_text())
    assert seen["errors"] == [], seen["errors"]
    assert set(seen["seen"]) <= {first, second} and seen["seen"].get(second, 0) > 0, seen
    assert seen["reads"] > 20

    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        failed = con.execute(
            "SELECT dataset, check_name FROM audit.quality_results WHERE NOT passed AND severity = 'error'"
        ).fetchall()
    assert ("raw.prices", "unexplained_jump") in failed, "the failed run's checks stay in the working history"


def _built_copy(sample_warehouse: Path, wh: Path) -> Path:
    wh.mkdir()
    for name in ("warehouse.duckdb", "serving.duckdb"):
        (wh / name).write_bytes((sample_warehouse / name).read_bytes())
    return wh


def _publish(wh: Path, run_id: str):
    settings = load_settings({"WAREHOUSE_DIR": str(wh)})
    return publish(WarehouseResource.from_settings(settings).connect, settings, run_id)


def test_publish_refuses_a_run_whose_gates_failed_earlier(sample_warehouse, tmp_path):
    wh = _built_copy(sample_warehouse, tmp_path / "wh")
    before = digest(wh / "serving.duckdb")
    with duckdb.connect(str(wh / "warehouse.duckdb")) as con:
        record(
            con,
            "run-with-a-failed-gate",
            [CheckOutcome("raw.prices", "future_dated", False, "error", 3, "3 rows dated after tomorrow")],
        )
    with pytest.raises(
        PublishRefused, match="the data in the warehouse failed blocking checks: raw.prices future_dated"
    ):
        _publish(wh, "run-with-a-failed-gate")
    # A later run that only publishes (serving materialized alone) checks nothing upstream: the
    # failure of the run that last checked raw.prices still stands.
    with pytest.raises(PublishRefused, match="raw.prices future_dated"):
        _publish(wh, "a-run-that-only-publishes")
    assert digest(wh / "serving.duckdb") == before
    assert not list(wh.glob(".serving-*"))
    # A run that ran only a warning on prices judged less than the one that failed: still refused.
    with duckdb.connect(str(wh / "warehouse.duckdb")) as con:
        record(con, "a-run-of-warnings", [CheckOutcome("raw.prices", "latest_trading_day", False, "warn", 1, "late")])
    with pytest.raises(PublishRefused, match="raw.prices future_dated"):
        _publish(wh, "a-run-of-warnings")
    # A warning is not a refusal: a run whose blocking checks pass publishes despite a failed warning.
    with duckdb.connect(str(wh / "warehouse.duckdb")) as con:
        record(
            con,
            "run-with-a-warning",
            [
                CheckOutcome("raw.prices", "future_dated", True, "error", 0, "none"),
                CheckOutcome("raw.prices", "large_move", False, "warn", 1, "one"),
            ],
        )
    published, _ = _publish(wh, "run-with-a-warning")
    assert published is not None and published_run(wh / "serving.duckdb") == "run-with-a-warning"


def test_publish_refuses_marts_that_break_the_bi_contract(sample_warehouse, tmp_path):
    wh = _built_copy(sample_warehouse, tmp_path / "wh")
    before = digest(wh / "serving.duckdb")
    with duckdb.connect(str(wh / "warehouse.duckdb")) as con:
        con.execute("UPDATE marts.triggers SET status = 'maybe' WHERE trigger_id = 'mna_tepid'")
        con.execute("DROP TABLE marts.eps_growth")
    published, outcomes = _publish(wh, "run-with-broken-marts")
    assert published is None
    refused = sorted(o.dataset for o in outcomes if o.blocks)
    assert refused == ["marts.eps_growth", "marts.triggers"], [(o.dataset, o.detail) for o in outcomes if o.blocks]
    assert digest(wh / "serving.duckdb") == before
    assert not list(wh.glob(".serving-*"))
