"""`make bench` at a tiny scale: the benchmark runs end to end and its incremental run is incremental.

Not a timing test (figures on shared machines are noise at this size): it checks that every
measurement is produced and that the update after one more trading day re-checked only the
new rows, as the benchmark's incremental figure assumes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from tests.conftest import REPO


def test_tiny_benchmark_measures_every_stage(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--small",
            "40",
            "--large",
            "20",
            "--years",
            "2.5",
            "--repeat",
            "3",
            "--work",
            str(tmp_path / "work"),
            "--results",
            str(tmp_path / "results"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    result = json.loads((tmp_path / "results" / "40x20x2.5y.json").read_text())
    for run in ("full", "incremental"):
        assert result[run]["wall_s"] > 0 and result[run]["peak_rss_mb"] > 0
        assert {"ingest", "gates_raw", "dbt", "publish"} <= set(result[run]["stages_s"])
        layers = result[run]["dbt_layers_s"]
        assert layers["dbt_nodes"] > 0 and {"staging_models", "intermediate_models", "marts_models", "tests"} <= set(
            layers
        )
        assert layers["dbt_nodes"] < result[run]["stages_s"]["dbt"]
    assert result["floor"]["models"] >= 40
    assert result["increment"]["price_rows"] > 0
    assert set(result["bi"]) == {
        "trigger_board",
        "claims_audit",
        "relative_strength_10y",
        "valuation_gap_history",
        "fund_scorecard",
    }
    assert set(result["targets"]) == {
        "ingest_gates_over_floor",
        "full_over_floor",
        "full_vs_pandas",
        "incremental_over_full",
        "peak_rss_mb_full",
        "peak_rss_mb_incremental",
        "bi_p95_ms",
    }
    assert all(t["value"] > 0 for t in result["targets"].values())
    assert set(result["pandas"]["rows"]) == {"benchmark_daily", "calendar_year_returns", "profitability", "valuation"}
    assert result["floor"]["slowest_s"] and result["per_million_rows_s"]["full"]["total"] > 0

    wh = tmp_path / "work" / "40x20x2.5y" / "warehouse" / "warehouse.duckdb"
    with duckdb.connect(str(wh), read_only=True) as con:
        [last_run] = con.execute("SELECT run_id FROM audit.quality_results ORDER BY checked_at DESC LIMIT 1").fetchone()
        detail = con.execute(
            "SELECT detail FROM audit.quality_results "
            "WHERE run_id = ? AND dataset = 'raw.prices' AND check_name = 'key_conflicts'",
            [last_run],
        ).fetchone()[0]
    assert f"{result['increment']['price_rows']} new rows in 1 batch(es)" in detail, detail
    # ...and dbt planned the as-of models from the new day on, not from scratch.
    assert result["full"]["as_of_rebuild_from"] == "all"
    assert result["incremental"]["as_of_rebuild_from"] == result["increment"]["day"]
