"""Point in time: facts filed after a date D never change what the marts say as of D.

The sample market is landed as files (WAREHOUSE_SOURCE=files) and the graph is run; then
a file of restatements, all filed after D, is added to earnings/: every small- and
large-index company's four latest quarters visible at D are restated into deep losses
with doubled share counts, and a few quarters missing at D are filed. The graph runs again
on the same warehouse (only the new file loads). Every row of the marts dated on or
before D must be identical; rows after D must show the restatements.

That second run is incremental: the as-of models recompute only the dates from the
earliest new filing on. So the point-in-time comparison reads a third warehouse built from
scratch on the final files, and the incremental one must equal it, every row of every mart.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import run_pipeline

D = date(2025, 12, 9)  # the audit date, an as-of date of every monthly mart
EARLIER = date(2025, 6, 30)

# (relation, its date column): every point-in-time output, compared on rows dated <= D.
AS_OF_RELATIONS = (
    ("marts.profitability", "as_of_date"),
    ("marts.valuation", "as_of_date"),
    ("marts.valuation_gap", "as_of_date"),
    ("marts.triggers", "as_of_date"),
    ("marts.position_signal", "as_of_date"),
    ("marts.fund_scorecard", "as_of_date"),
    ("intermediate.int_company_asof", "as_of_date"),
    ("intermediate.int_eps_growth_asof", "as_of_date"),
)


def run(files: Path, wh: Path) -> None:
    run_pipeline(wh, WAREHOUSE_SOURCE="files", WAREHOUSE_FILES_DIR=str(files))


def _rounded(value):
    """A JSON detail with every float to 9 significant digits (nested JSON strings too)."""
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, str) and value.startswith("{"):
        return _rounded(json.loads(value))
    return value


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    if "detail" in frame.columns:
        frame = frame.assign(
            detail=[None if d is None else json.dumps(_rounded(json.loads(d)), sort_keys=True) for d in frame["detail"]]
        )
    return frame


def snapshot(wh: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        shots = {}
        for relation, column in AS_OF_RELATIONS:
            frame = _normalised(con.execute(f"SELECT * FROM {relation} WHERE {column} <= ?", [D]).fetchdf())
            shots[relation] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        frame = _normalised(con.execute("SELECT * FROM marts.claims_audit WHERE audit_view = 'article_date'").fetchdf())
        shots["marts.claims_audit"] = frame.sort_values("claim_id").reset_index(drop=True)
        shots["_latest_profitability"] = con.execute(
            "SELECT index_role, unprofitable, with_data FROM marts.profitability WHERE sector = 'ALL' "
            "AND as_of_date = (SELECT max(as_of_date) FROM marts.profitability) ORDER BY index_role"
        ).fetchdf()
        shots["_latest_eps"] = con.execute(
            "SELECT index_role, calendar_quarter, aggregate_growth FROM marts.eps_growth "
            "ORDER BY index_role, calendar_quarter"
        ).fetchdf()
    return shots


def restatements_after(wh: Path) -> pd.DataFrame:
    """Restatements and late filings, every one filed after D, built from what was visible at D."""
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        visible = con.execute(
            """
            WITH members AS (
                SELECT DISTINCT symbol FROM intermediate.int_index_membership WHERE as_of_date = ?
            ),
            latest AS (
                SELECT e.* FROM staging.stg_earnings e JOIN members USING (symbol)
                WHERE e.report_date <= ?
                QUALIFY row_number() OVER (PARTITION BY e.symbol, e.fiscal_period_end ORDER BY e.report_date DESC) = 1
            )
            SELECT * EXCLUDE (_source_file) FROM latest
            QUALIFY row_number() OVER (PARTITION BY symbol ORDER BY fiscal_period_end DESC) <= 4
            """,
            [D, D],
        ).fetchdf()
    restated = visible.copy()
    restated["net_income"] = -3 * restated["net_income"].abs() - 1_000_000
    restated["eps_diluted"] = -3 * restated["eps_diluted"].abs() - 0.5
    restated["shares_outstanding"] = 2 * restated["shares_outstanding"]
    # Filed one to ten days after D.
    restated["report_date"] = [D + timedelta(days=1 + i % 10) for i in range(len(restated))]
    # A quarter nobody had reported by D, filed once it ended (a filing dated before its
    # quarter's end would be quarantined as report_before_period_end, not loaded).
    late = visible.sort_values("fiscal_period_end").groupby("symbol").tail(1).copy()
    late["fiscal_period_end"] = pd.Timestamp("2025-12-31")
    late["report_date"] = pd.Timestamp("2026-01-20")
    late["net_income"] = -5_000_000_000.0
    extra = pd.concat([restated, late], ignore_index=True)
    # Never collide with a filing the source already has (that would be a key conflict).
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        taken = con.execute(
            "SELECT symbol, fiscal_period_end, report_date FROM staging.stg_earnings WHERE report_date > ?", [D]
        ).fetchdf()
    keys = ["symbol", "fiscal_period_end", "report_date"]
    for frame in (extra, taken):
        frame["fiscal_period_end"] = pd.to_datetime(frame["fiscal_period_end"])
        frame["report_date"] = pd.to_datetime(frame["report_date"])
    clash = extra.merge(taken, on=keys, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    return extra[~clash].reset_index(drop=True)


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory) -> tuple[dict, dict, int, Path, Path]:
    from pipelines.config import load_settings
    from pipelines.sources.sample.source import SampleSource

    base = tmp_path_factory.mktemp("point_in_time")
    market = SampleSource(load_settings({"WAREHOUSE_DIR": str(base / "gen")})).market(base / "gen" / "landing")
    files = base / "files"
    for dataset_dir in market.iterdir():
        if dataset_dir.is_dir():
            shutil.copytree(dataset_dir, files / dataset_dir.name)
    wh = base / "wh"
    run(files, wh)
    before = snapshot(wh)
    extra = restatements_after(wh)
    assert (extra["report_date"].dt.date > D).all()
    for column in ("fiscal_period_end", "report_date"):
        extra[column] = extra[column].dt.strftime("%Y-%m-%d")
    extra.to_csv(files / "earnings" / "restatements_after_d.csv", index=False)
    run(files, wh)
    scratch = base / "scratch"
    run(files, scratch)
    return before, snapshot(scratch), len(extra), wh, scratch


@pytest.mark.parametrize("relation", [r for r, _ in AS_OF_RELATIONS] + ["marts.claims_audit"])
def test_marts_as_of_d_ignore_facts_filed_later(before_and_after, relation):
    before, after, *_ = before_and_after
    assert len(before[relation]) > 0, f"{relation} has no rows dated on or before {D}"
    # Identical, up to the last bits of float sums (DuckDB adds in parallel, in no fixed order;
    # a z-score of nearly equal values amplifies that to ~1e-12): far below any real change.
    pd.testing.assert_frame_equal(before[relation], after[relation], check_exact=False, rtol=1e-9, atol=1e-12)


def test_the_restatements_were_loaded_and_change_later_dates(before_and_after):
    before, after, added, *_ = before_and_after
    assert added > 1000
    # As of the latest date the restated losses show up...
    b, a = before["_latest_profitability"], after["_latest_profitability"]
    assert (a["unprofitable"] > b["unprofitable"]).all()
    # ...and the eps_growth mart (as known at the latest date) moved.
    assert not before["_latest_eps"].equals(after["_latest_eps"])


def test_the_as_of_dates_compared_include_d_and_earlier_months(before_and_after):
    before, *_ = before_and_after
    dates = set(before["marts.profitability"]["as_of_date"].dt.date)
    assert D in dates and EARLIER in dates


def _tables(wh: Path, schema: str) -> list[str]:
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        return [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [schema]
            ).fetchall()
        ]


def _whole(wh: Path, relation: str) -> pd.DataFrame:
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        frame = _normalised(con.execute(f"SELECT * FROM {relation}").fetchdf())
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def test_the_second_run_recomputed_only_the_dates_from_the_first_new_filing(before_and_after):
    *_, wh, scratch = before_and_after
    query = "SELECT DISTINCT rebuild_from, fingerprint FROM audit.dbt_as_of_state"
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        [(rebuild_from, fingerprint)] = con.execute(query).fetchall()
    with duckdb.connect(str(scratch / "warehouse.duckdb"), read_only=True) as con:
        [(scratch_from, scratch_fingerprint)] = con.execute(query).fetchall()
    assert rebuild_from == D + timedelta(days=1), "the earliest restatement was filed the day after D"
    assert scratch_from is None and scratch_fingerprint == fingerprint, "the scratch build was a full one"


@pytest.mark.parametrize("relation", ["intermediate.int_company_asof", "intermediate.int_eps_growth_asof"])
def test_the_incremental_models_equal_a_build_from_scratch(before_and_after, relation):
    *_, wh, scratch = before_and_after
    incremental, full = _whole(wh, relation), _whole(scratch, relation)
    assert len(full) > 0
    pd.testing.assert_frame_equal(incremental, full, check_exact=False, rtol=1e-9, atol=1e-12)


def test_every_mart_of_the_incremental_run_equals_a_build_from_scratch(before_and_after):
    *_, wh, scratch = before_and_after
    marts = _tables(scratch, "marts")
    assert _tables(wh, "marts") == marts and len(marts) >= 15
    for table in marts:
        pd.testing.assert_frame_equal(
            _whole(wh, f"marts.{table}"),
            _whole(scratch, f"marts.{table}"),
            check_exact=False,
            rtol=1e-9,
            atol=1e-12,
            obj=f"marts.{table}",
        )
