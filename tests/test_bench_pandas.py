"""The bench's pandas baseline (bench/pandas_marts.py) computes what the warehouse's core marts hold.

`make bench` times the warehouse against this script (issue #18); the comparison is honest only when
both compute the same numbers from the same files. The small sample warehouse's landing folder is a
files folder in the bench's layout, so the script reads what that warehouse was built from.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.pandas_marts import model_vars, ttm_at
from tests.conftest import REPO, pipeline_env

RTOL = 1e-9

# mart -> (warehouse query, key columns, compared columns)
MARTS = {
    "benchmark_daily": ("SELECT * FROM marts.benchmark_daily", ["role", "date"], ["close", "return_5d"]),
    "calendar_year_returns": (
        "SELECT * FROM marts.calendar_year_returns",
        ["year"],
        ["small_return", "large_return", "large_won"],
    ),
    "profitability": (
        "SELECT * FROM marts.profitability WHERE sector = 'ALL'",
        ["index_role", "as_of_date"],
        ["constituents", "with_data", "unprofitable", "share_unprofitable", "share_unprofitable_cap_weighted"],
    ),
    "valuation": (
        "SELECT * FROM marts.valuation",
        ["index_role", "as_of_date"],
        ["market_cap", "pe_incl_losses", "pe_ex_losses", "earnings_yield", "priced_companies", "with_data"],
    ),
}


def sample_files(warehouse: Path) -> Path:
    [manifest] = (warehouse / "landing" / "sample").glob("*/manifest.json")
    return manifest.parent


def mismatches(ours: pd.Series, theirs: pd.Series) -> pd.Series:
    a, b = ours.astype(float), theirs.astype(float)
    both_null = a.isna() & b.isna()
    close = np.isclose(a, b, rtol=RTOL, atol=0.0) & a.notna() & b.notna()
    return ~(both_null | close)


def test_pandas_marts_equal_the_warehouse_marts(small_warehouse, tmp_path):
    out = tmp_path / "pandas_out"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.pandas_marts", str(sample_files(small_warehouse)), "--out", str(out)],
        cwd=REPO,
        env=pipeline_env(small_warehouse),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    compared = {}
    with duckdb.connect(str(small_warehouse / "warehouse.duckdb"), read_only=True) as con:
        for mart, (sql, keys, columns) in MARTS.items():
            warehouse = con.execute(sql).df()
            ours = pd.read_parquet(out / f"{mart}.parquet")
            for k in keys:
                if "date" in k:
                    warehouse[k], ours[k] = pd.to_datetime(warehouse[k]), pd.to_datetime(ours[k])
            both = warehouse.merge(ours, on=keys, how="outer", suffixes=("_wh", "_pd"), indicator=True)
            one_sided = both[both["_merge"] != "both"]
            assert one_sided.empty, f"{mart}: rows on one side only:\n{one_sided[[*keys, '_merge']].head(10)}"
            for c in columns:
                bad = mismatches(both[f"{c}_pd"], both[f"{c}_wh"])
                assert not bad.any(), f"{mart}.{c}:\n{both.loc[bad, [*keys, f'{c}_wh', f'{c}_pd']].head(10)}"
                compared[f"{mart}.{c}"] = int(both[f"{c}_wh"].notna().sum())

    # Equal because both sides hold values, not because both are empty.
    assert compared["benchmark_daily.return_5d"] > 100
    assert compared["calendar_year_returns.small_return"] >= 3
    assert compared["profitability.share_unprofitable"] >= 2 * 60
    assert compared["valuation.pe_incl_losses"] >= 2 * 60


def filings(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["symbol", "fiscal_period_end", "report_date", "net_income"])
    for c in ("fiscal_period_end", "report_date"):
        frame[c] = pd.to_datetime(frame[c])
    frame["issuer_id"], frame["currency"], frame["shares_unsplit"] = frame["symbol"], "USD", 1e6
    return frame.sort_values(["symbol", "fiscal_period_end", "report_date"], ignore_index=True)


def test_ttm_is_point_in_time_and_needs_four_consecutive_quarters():
    quarters = ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31"]
    reported = ["2023-05-15", "2023-08-14", "2023-11-14", "2024-02-14", "2024-05-15"]
    restated = [("RST", "2023-12-31", "2024-06-03", 100.0)]
    # GAP skips its September 2023 quarter: its latest four span more than a year.
    gap = [("GAP", q, r, 1.0) for q, r in zip(quarters, reported, strict=True) if q != "2023-09-30"]
    gap.append(("GAP", "2024-06-30", "2024-08-14", 1.0))
    earnings = filings(
        [("RST", q, r, float(i)) for i, (q, r) in enumerate(zip(quarters, reported, strict=True), 1)] + restated + gap
    )
    v = model_vars()

    def ttm(date: str) -> pd.Series:
        return ttm_at(earnings, pd.Timestamp(date), v).set_index("symbol")["ttm_net_income"]

    # Before the restatement is filed: the first version of Q4 2023 (2 + 3 + 4 + 5).
    assert ttm("2024-05-31")["RST"] == 14.0
    # After it: the restated Q4 replaces it (2 + 3 + 100 + 5).
    assert ttm("2024-06-03")["RST"] == 110.0
    # Before its fourth quarter is filed, a company has no TTM.
    assert np.isnan(ttm("2023-11-13")["RST"])
    assert np.isnan(ttm("2024-09-01")["GAP"])
