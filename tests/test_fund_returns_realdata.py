"""Fund return basis on real Yahoo mutual-fund files (issue #15, point 2).

../shared/realdata/fund-distributions holds yfinance histories of DODFX, JENYX and VWILX whose
Adj Close counts every capital gain twice (once inside Dividends, once as a capital gain): JENYX's
Adj Close starts at a quarter of its Close. Dropped into fund_navs/ as downloaded, the files give
NAVs and, from their Dividends / Capital Gains columns, distributions; the warehouse must notice
that the adjusted series disagrees with those distributions and measure the funds' returns from
NAV + distributions instead, saying so. Skipped when the real files are absent.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import files_warehouse

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
FUNDS = ("DODFX", "JENYX", "VWILX")
NEEDED = ("etf-daily/IWM.csv", "etf-daily/SPY.csv", *(f"fund-distributions/{f}-1d-cg-double-count.csv" for f in FUNDS))

pytestmark = pytest.mark.skipif(
    not all((REALDATA / f).exists() for f in NEEDED),
    reason=f"real data not present: {REALDATA} lacks one of {', '.join(NEEDED)}",
)


def _bars(fund: str) -> pd.DataFrame:
    frame = pd.read_csv(REALDATA / "fund-distributions" / f"{fund}-1d-cg-double-count.csv")
    frame["day"] = pd.to_datetime(frame["Date"].str[:10])
    return frame.set_index("day").sort_index()


def _calendar_year(series: pd.Series, year: int) -> float:
    return float(series[series.index.year == year].iloc[-1] / series[series.index.year < year].iloc[-1] - 1)


def _total_return_index(bars: pd.DataFrame) -> pd.Series:
    """Independent: NAV + the day's whole distribution (Yahoo's Dividends), reinvested at the ex-date NAV."""
    factor = (bars["Close"] + bars["Dividends"]) / bars["Close"].shift(1)
    return factor.fillna(1.0).cumprod()


def _fund_files(files: Path) -> None:
    for d in ("prices", "funds", "fund_navs"):
        (files / d).mkdir(parents=True)
    for symbol in ("IWM", "SPY"):
        shutil.copyfile(REALDATA / "etf-daily" / f"{symbol}.csv", files / "prices" / f"{symbol}.csv")
    for fund in FUNDS:
        name = f"{fund}-1d-cg-double-count.csv"
        shutil.copyfile(REALDATA / "fund-distributions" / name, files / "fund_navs" / name)
    with open(files / "funds" / "funds.csv", "w", newline="") as g:
        out = csv.writer(g)
        out.writerow(["fund_id", "name"])
        for fund in FUNDS:
            out.writerow([fund, f"{fund} (Yahoo history with double-counted capital gains)"])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = files_warehouse(tmp_path_factory.mktemp("fund_realdata"), _fund_files)
    yield con
    con.close()


def test_the_adjusted_series_is_flagged_as_disagreeing_with_its_distributions(warehouse):
    flags = dict(warehouse.execute("SELECT DISTINCT fund_id, adjusted_series_flag FROM marts.fund_returns").fetchall())
    assert set(flags) == set(FUNDS)
    for fund in FUNDS:
        assert flags[fund] and "disagrees with the fund's distributions" in flags[fund], fund
    # JENYX's 2025-11-13 payout: Dividends 16.880 (Capital Gains 16.803 inside it); the Adj Close
    # reinvests 16.88 + 16.80 and jumps about 62% more than NAV + distributions that day.
    gap = warehouse.execute(
        "SELECT adjusted_gap FROM intermediate.int_fund_total_return "
        "WHERE fund_id = 'JENYX' AND date = DATE '2025-11-13'"
    ).fetchone()[0]
    assert gap == pytest.approx(0.617, abs=0.01)
    assert "worst 2025-11-13" in flags["JENYX"]


def test_returns_are_nav_plus_distributions_not_the_double_counted_adj_close(warehouse):
    rows = {
        fund: (ret, basis, nav_ret, adj_ret)
        for fund, ret, basis, nav_ret, adj_ret in warehouse.execute(
            "SELECT fund_id, total_return, return_basis, nav_return, adjusted_close_return FROM marts.fund_returns "
            "WHERE period = 'CY2025'"
        ).fetchall()
    }
    assert set(rows) == set(FUNDS)
    for fund in FUNDS:
        bars = _bars(fund)
        ret, basis, nav_ret, adj_ret = rows[fund]
        assert basis == "total_return_distributions", fund
        assert ret == pytest.approx(_calendar_year(_total_return_index(bars), 2025), abs=1e-9), fund
        assert nav_ret == pytest.approx(_calendar_year(bars["Close"], 2025), abs=1e-9), fund
        assert adj_ret == pytest.approx(_calendar_year(bars["Adj Close"], 2025), abs=1e-9), fund
        assert adj_ret - ret > 0.03, f"{fund}: the double count inflates the Adj Close return"
    # JENYX in 2025: NAV -25% (a 16.88 distribution left it), Adj Close +70% (counted twice),
    # the shareholder's total return about +5%.
    ret, _, nav_ret, adj_ret = rows["JENYX"]
    assert nav_ret < -0.2 and adj_ret > 0.6 and 0 < ret < 0.1


def test_scorecard_counts_funds_by_basis_and_the_claim_does_not_guess(warehouse):
    card = warehouse.execute(
        "SELECT funds_tracked, funds_total_return_distributions, funds_adjusted_close, funds_nav_only, "
        "funds_adjusted_set_aside, return_basis FROM marts.fund_scorecard "
        "WHERE period = 'YTD' AND as_of_date = DATE '2025-12-09'"
    ).fetchone()
    assert card == (3, 3, 0, 0, 3, "total_return_distributions")
    verdict, detail = warehouse.execute(
        "SELECT verdict, detail FROM marts.claims_audit WHERE claim_id = 'funds_27_of_29_losses' "
        "AND audit_view = 'article_date'"
    ).fetchone()
    assert verdict == "insufficient_data"  # 3 funds, fewer than claim_fund_min_tracked
    assert json.loads(detail)["return_basis"] == "total_return_distributions"
