"""Write-audit-publish with real processes: readers never see a partial or failed publication."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.conftest import REPO, run_pipeline

SMALL = {"WAREHOUSE_SAMPLE_SMALL": "60", "WAREHOUSE_SAMPLE_LARGE": "20"}


def published_run(serving: Path) -> str:
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute("SELECT run_id FROM marts.publish_info").fetchone()[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reader_sees_only_complete_snapshots_and_a_failed_gate_changes_nothing(tmp_path):
    wh = tmp_path / "wh"
    run_pipeline(wh, **SMALL)
    serving = wh / "serving.duckdb"
    first = published_run(serving)

    out = tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, str(REPO / "tests/helpers/serving_reader.py"), str(serving), "600", str(out)])
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
            "SELECT dataset, check_name FROM audit.quality_results WHERE NOT passed AND severity = 'error'").fetchall()
    assert ("raw.prices", "unexplained_jump") in failed, "the failed run's checks stay in the working history"
