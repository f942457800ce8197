"""The plan of the incremental as-of models, on a real DuckDB file loaded by the real loader.

(That an incremental build then equals a build from scratch is checked end to end in
test_point_in_time.py.)
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.as_of_plan import (
    AS_OF_MODELS,
    KEPT_WHEN_UNCHANGED,
    NOTHING_NEW,
    PLAN,
    STATE,
    plan,
    publish_plan,
    record,
    withdraw_plan,
)
from tests.conftest import REPO, run_dbt
from tests.helpers.landing import Landing

PRICES = "symbol,date,close,open,high,low,adj_close,volume\n"
RATES = "series_id,date,value\n"


class Planned(Landing):
    """Raw tables landed through the real loader, planned and recorded as the dbt asset does."""

    def plan(self, fingerprint: str = "fp1"):
        with duckdb.connect(str(self.db)) as con:
            return plan(con, fingerprint)

    def record(self, p) -> None:
        with duckdb.connect(str(self.db)) as con:
            record(con, p, "run")


def _bars(*days: str) -> str:
    return PRICES + "".join(f"AAA,{d},10,10,10,10,10,100\n" for d in days)


@pytest.fixture
def landing(tmp_path) -> Planned:
    w = Planned(tmp_path)
    w.land("prices", "history.csv", _bars("2025-01-02", "2025-01-03", "2025-01-06"))
    return w


def test_first_build_is_full_then_new_rows_set_the_boundary(landing):
    first = landing.plan()
    assert first.full_refresh and "no build recorded" in first.reason
    landing.record(first)

    landing.land("prices", "day.csv", _bars("2025-01-07"))
    daily = landing.plan()
    assert not daily.full_refresh and daily.rebuild_from == dt.date(2025, 1, 7)
    assert daily.unchanged == {"earnings", "estimates", "universe", "splits"}
    landing.record(daily)

    # A late file with an old date moves the boundary back to that date.
    landing.land("prices", "late.csv", PRICES + "BBB,2024-12-31,5,5,5,5,5,1\nBBB,2025-01-08,5,5,5,5,5,1\n")
    assert landing.plan().rebuild_from == dt.date(2024, 12, 31)


def test_each_input_counts_by_the_date_its_rows_became_public(landing):
    landing.record(landing.plan())
    landing.land(
        "earnings",
        "q.csv",
        "symbol,fiscal_period_end,report_date,net_income,eps_diluted,revenue,shares_outstanding\n"
        "AAA,2024-09-30,2024-11-05,1,0.1,10,10\n",
    )
    p = landing.plan()
    assert p.rebuild_from == dt.date(2024, 11, 5), "a filing counts from its report date, not its period end"
    assert "earnings" in p.reason and "earnings" not in p.unchanged


def test_new_splits_rebuild_everything(landing):
    """A split re-bases what is dated before it (a split-adjusted price file, counts and EPS
    filed after it), so its ex-date is no boundary."""
    landing.record(landing.plan())
    landing.land("splits", "s.csv", "symbol,date,ratio\nAAA,2025-01-06,2\n")
    p = landing.plan()
    assert p.full_refresh and "splits" in p.reason


def test_inputs_the_as_of_models_do_not_read_change_nothing(landing):
    landing.record(landing.plan())
    landing.land("rates", "dgs10.csv", RATES + "DGS10,2025-01-07,4.5\n")
    p = landing.plan()
    assert not p.full_refresh and p.rebuild_from == NOTHING_NEW


def test_a_replaced_or_removed_file_or_other_settings_rebuild_everything(landing):
    landing.record(landing.plan())
    landing.land("prices", "history.csv", _bars("2025-01-02", "2025-01-03"))
    replaced = landing.plan()
    assert replaced.full_refresh and "replaced or removed" in replaced.reason
    landing.record(replaced)

    assert landing.plan("fp2").full_refresh, "another dbt project or settings"
    landing.land("prices", "history.csv", None)
    assert landing.plan().full_refresh, "a removed file"


def test_a_build_that_is_not_recorded_leaves_the_boundary_where_it_was(landing):
    landing.record(landing.plan())
    landing.land("prices", "d1.csv", _bars("2025-01-07"))
    landing.plan()  # planned, but the build failed: nothing recorded
    landing.land("prices", "d2.csv", _bars("2025-01-08"))
    assert landing.plan().rebuild_from == dt.date(2025, 1, 7)


def test_the_plan_covers_exactly_the_incremental_models_of_the_dbt_project():
    manifest = json.loads((REPO / "dbt_project" / "target" / "manifest.json").read_text())
    incremental = {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    }
    assert incremental == set(AS_OF_MODELS) | set(KEPT_WHEN_UNCHANGED)


def _dbt(wh: Path, target: Path, *args: str, planned=None):
    """dbt as the pipeline runs it (the plan handed over in its table, then withdrawn), or
    without `planned` as a user runs it by hand."""
    db = wh / "warehouse.duckdb"
    if planned is not None:
        with duckdb.connect(str(db)) as con:
            publish_plan(con, planned, "test-run")
    try:
        return run_dbt(
            wh, "run", "--select", "+int_company_asof", "+int_eps_growth_asof", "--target-path", str(target), *args
        )
    finally:
        if planned is not None:
            with duckdb.connect(str(db)) as con:
                withdraw_plan(con)


def _as_of_rows(db: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(db), read_only=True) as con:
        out = {}
        for model in (*AS_OF_MODELS, *KEPT_WHEN_UNCHANGED):
            frame = con.execute(f"SELECT * FROM intermediate.{model}").fetchdf()
            out[model] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return out


def test_next_day_in_the_same_month_replaces_the_previous_latest_date(tmp_path):
    """The day after a Monday 30 March: the 30th stops being an as-of date (no longer the
    latest, nor the month's end), the 31st becomes one, and the incremental tables equal a
    full rebuild of the same raw tables."""
    from pipelines.sources.sample.generator import SampleParams, generate_market

    market = generate_market(SampleParams(n_small=30, n_large=10, years=1.5, end="2026-03-31"))
    wh = tmp_path / "wh"
    landing = Planned(wh)
    last_day = pd.Timestamp("2026-03-31")
    for name, frame in market.tables.items():
        frame = frame.copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        rows = frame if name != "prices" else frame[frame["date"] < "2026-03-31"]
        landing.land(name, f"{name}.csv", rows.to_csv(index=False))
    target = tmp_path / "target"
    _dbt(wh, target)
    first = landing.plan()
    landing.record(first)
    before = _as_of_rows(landing.db)
    assert before["int_company_asof"]["as_of_date"].max() == pd.Timestamp("2026-03-30")

    prices = market.tables["prices"]
    day = prices[prices["date"] == last_day].assign(date="2026-03-31")
    landing.land("prices", "prices_20260331.csv", day.to_csv(index=False))
    daily = landing.plan()
    assert not daily.full_refresh and daily.rebuild_from == dt.date(2026, 3, 31)
    with duckdb.connect(str(landing.db), read_only=True) as con:
        ttm_rows_at = con.execute("SELECT min(rowid), max(rowid) FROM intermediate.int_company_ttm").fetchone()
    _dbt(wh, target, planned=daily)
    incremental = _as_of_rows(landing.db)
    with duckdb.connect(str(landing.db), read_only=True) as con:
        # No filing arrived: the filing models kept their rows (rewritten rows get new row ids).
        assert con.execute("SELECT min(rowid), max(rowid) FROM intermediate.int_company_ttm").fetchone() == ttm_rows_at

    _dbt(wh, target, "--full-refresh")
    full = _as_of_rows(landing.db)
    for model in (*AS_OF_MODELS, *KEPT_WHEN_UNCHANGED):
        pd.testing.assert_frame_equal(
            incremental[model], full[model], check_exact=False, rtol=1e-9, atol=1e-12, obj=model
        )
    for model in AS_OF_MODELS:
        dates = set(incremental[model]["as_of_date"])
        assert pd.Timestamp("2026-03-31") in dates and pd.Timestamp("2026-03-30") not in dates, model


def test_a_dbt_run_by_hand_says_it_has_no_plan_and_the_next_pipeline_build_is_full(landing, tmp_path):
    """Without the pipeline's plan every as-of row is recomputed, the log says so, and the
    record of the pipeline's last build is cleared: the hand run may have used other --vars."""
    target = tmp_path / "target"
    first = landing.plan()
    _dbt(landing.root, target, "--full-refresh", planned=first)
    landing.record(first)
    landing.land("prices", "d1.csv", _bars("2025-01-07"))
    assert not landing.plan().full_refresh

    by_hand = _dbt(landing.root, target)
    assert "int_company_asof: no as-of plan from the pipeline" in by_hand.stdout
    with duckdb.connect(str(landing.db), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM {STATE}").fetchone() == (0,)
        assert not con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name || '.' || table_name = '{PLAN}'"
        ).fetchone()[0]
    after = landing.plan()
    assert after.full_refresh and after.reason == "no build recorded yet"


def test_the_build_fingerprint_survives_a_reparse_but_not_other_settings(tmp_path):
    from pipelines.assets.dbt import build_fingerprint

    target = tmp_path / "target"
    run_dbt(tmp_path, "parse", "--quiet", "--target-path", str(target), "--no-partial-parse")
    prepared = REPO / "dbt_project" / "target" / "manifest.json"
    assert (
        json.loads((target / "manifest.json").read_text())["metadata"] != json.loads(prepared.read_text())["metadata"]
    )
    assert build_fingerprint("{}", target / "manifest.json") == build_fingerprint("{}", prepared)
    assert build_fingerprint('{"small_symbol": "IWM"}', prepared) != build_fingerprint(
        '{"small_symbol": "VTWO"}', prepared
    )


def test_a_subset_run_reads_the_plan_but_does_not_advance_it(sample_warehouse, tmp_path, monkeypatch):
    """Materializing one as-of model from the UI recomputes its latest date from the recorded
    plan, and leaves the record alone: the upstream tables it read were not rebuilt."""
    import shutil

    import dagster as dg

    from pipelines.assets.dbt import dbt_models, dbt_resource
    from pipelines.config import load_settings
    from pipelines.resources import WarehouseResource

    wh = tmp_path / "wh"
    shutil.copytree(sample_warehouse, wh, ignore=shutil.ignore_patterns("dagster_home"))
    # dbt learns the warehouse from the asset's --vars, not from this process's environment.
    monkeypatch.delenv("WAREHOUSE_DIR", raising=False)
    environment = dict(os.environ)
    query = "SELECT DISTINCT run_id FROM audit.dbt_as_of_state"
    latest = "SELECT max(as_of_date), count(*) FROM intermediate.int_company_asof"
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        recorded, before = con.execute(query).fetchall(), con.execute(latest).fetchone()

    result = dg.materialize(
        [dbt_models],
        selection=[dg.AssetKey(["intermediate", "int_company_asof"])],
        resources={
            "warehouse": WarehouseResource.from_settings(load_settings({"WAREHOUSE_DIR": str(wh)})),
            "dbt": dbt_resource(),
        },
    )
    assert result.success
    assert [m.asset_key for m in result.asset_materializations_for_node("dbt_models")] == [
        dg.AssetKey(["intermediate", "int_company_asof"])
    ]
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(query).fetchall() == recorded
        assert con.execute(latest).fetchone() == before
        assert not con.execute(
            f"SELECT count(*) FROM duckdb_tables() WHERE schema_name || '.' || table_name = '{PLAN}'"
        ).fetchone()[0]
    assert {k: v for k, v in os.environ.items() if k != "WAREHOUSE_DBT_PYTHON"} == {
        k: v for k, v in environment.items() if k != "WAREHOUSE_DBT_PYTHON"
    }, "the asset leaves the environment as it was"
