"""End to end on real public data: what the marts must find in ../shared/realdata.

The test converts Yahoo daily bars of IWM and SPY and the FRED series DFEDTARU and DGS10
into the files contract in a temporary folder, runs the whole graph on it
(WAREHOUSE_SOURCE=files) and checks what is knowable from those files against an
independent computation here: the Fed decisions of 2024 and 2025, calendar-year price
returns, the large-cap dominance streak, and the claims the article makes about prices.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import files_warehouse

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REALDATA = SHARED / "realdata"
NEEDED = ("etf-daily/IWM.csv", "etf-daily/SPY.csv", "fed-target/DFEDTARU.csv", "macro-regime/DGS10.csv")

pytestmark = pytest.mark.skipif(
    not all((REALDATA / f).exists() for f in NEEDED),
    reason=f"real data not present: {REALDATA} lacks one of {', '.join(NEEDED)}",
)


def convert_realdata(target: Path) -> None:
    """Yahoo bars -> prices/ (symbol,date,close,open,high,low,volume); FRED -> rates/ (blanks kept blank)."""
    (target / "prices").mkdir(parents=True)
    (target / "rates").mkdir(parents=True)
    for symbol in ("IWM", "SPY"):
        with (
            open(REALDATA / "etf-daily" / f"{symbol}.csv", newline="") as f,
            open(target / "prices" / f"{symbol}.csv", "w", newline="") as g,
        ):
            out = csv.writer(g)
            out.writerow(["symbol", "date", "close", "open", "high", "low", "volume"])
            for row in csv.DictReader(f):
                out.writerow([symbol, row["Date"], row["Close"], row["Open"], row["High"], row["Low"], row["Volume"]])
    for series, path in (("DFEDTARU", "fed-target/DFEDTARU.csv"), ("DGS10", "macro-regime/DGS10.csv")):
        with open(REALDATA / path, newline="") as f, open(target / "rates" / f"{series}.csv", "w", newline="") as g:
            rows = csv.reader(f)
            next(rows)
            out = csv.writer(g)
            out.writerow(["series_id", "date", "value"])
            for row in rows:
                out.writerow([series, row[0], row[1]])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = files_warehouse(tmp_path_factory.mktemp("realdata"), convert_realdata)
    yield con
    con.close()


def _closes(symbol: str) -> pd.Series:
    frame = pd.read_csv(REALDATA / "etf-daily" / f"{symbol}.csv", parse_dates=["Date"])
    return frame.set_index("Date")["Close"].astype(float).sort_index()


def _calendar_year_returns(symbol: str) -> dict[int, float]:
    closes = _closes(symbol)
    year_end = closes.groupby(closes.index.year).last()
    last_day = closes.index.max()
    returns = {}
    for year in year_end.index:
        if year - 1 in year_end.index and (last_day.year > year or (last_day.month, last_day.day) == (12, 31)):
            returns[int(year)] = year_end[year] / year_end[year - 1] - 1
    return returns


def test_fed_decisions_2024_2025_from_dfedtaru(warehouse):
    fred = pd.read_csv(REALDATA / "fed-target" / "DFEDTARU.csv", parse_dates=["observation_date"])
    fred = fred.dropna().sort_values("observation_date")
    change = fred["DFEDTARU"].diff()
    changed = fred[change.fillna(0) != 0]
    expected = {
        (d.date(), round(v * 100))
        for d, v in zip(changed["observation_date"], change[changed.index], strict=True)
        if d.year in (2024, 2025)
    }
    got = set(
        warehouse.execute(
            "SELECT effective_date, change_bp FROM marts.policy_decisions WHERE year(effective_date) IN (2024, 2025)"
        ).fetchall()
    )
    assert got == expected
    # The public record, as FRED dates each change (the day after the FOMC decision).
    assert got == {
        (pd.Timestamp("2024-09-19").date(), -50),
        (pd.Timestamp("2024-11-08").date(), -25),
        (pd.Timestamp("2024-12-19").date(), -25),
        (pd.Timestamp("2025-09-18").date(), -25),
        (pd.Timestamp("2025-10-30").date(), -25),
    }
    rows = warehouse.execute(
        "SELECT upper_before, upper_after, lower_after, direction, lower_derived FROM marts.policy_decisions "
        "WHERE effective_date = DATE '2024-09-19'"
    ).fetchall()
    # No DFEDTARL in the files: the lower bound is derived and says so.
    assert rows == [(5.5, 5.0, 4.75, "cut", True)]


def test_calendar_year_price_returns(warehouse):
    small, large = _calendar_year_returns("IWM"), _calendar_year_returns("SPY")
    years = sorted(set(small) & set(large))
    assert years[0] == 2001 and years[-1] == 2025
    got = {
        year: (small_return, large_return, won, basis)
        for year, small_return, large_return, won, basis in warehouse.execute(
            "SELECT year, small_return, large_return, large_won, return_basis FROM marts.calendar_year_returns"
        ).fetchall()
    }
    assert sorted(got) == years
    for year in years:
        small_return, large_return, won, basis = got[year]
        assert small_return == pytest.approx(small[year], abs=1e-12), year
        assert large_return == pytest.approx(large[year], abs=1e-12), year
        assert won == (large[year] > small[year])
        assert basis == "price"  # Yahoo Close is not adjusted for dividends


def test_dominance_streak(warehouse):
    small, large = _calendar_year_returns("IWM"), _calendar_year_returns("SPY")
    years = sorted(set(small) & set(large))
    current = longest = 0
    for year in years:
        current = current + 1 if large[year] > small[year] else 0
        longest = max(longest, current)
    row = warehouse.execute(
        "SELECT as_of_year, current_streak, longest_streak FROM marts.dominance_streak ORDER BY as_of_year DESC LIMIT 1"
    ).fetchone()
    assert row == (years[-1], current, longest)
    # By price returns, SPY beat IWM every year 2021-2025 (IWM won 2020).
    assert current == 5


def test_claims_knowable_from_prices(warehouse):
    audit = dict(
        (claim, (verdict, value, json.loads(detail)))
        for claim, verdict, value, detail in warehouse.execute(
            "SELECT claim_id, verdict, value, detail FROM marts.claims_audit WHERE audit_view = 'article_date'"
        ).fetchall()
    )
    # IWM closed 248.75 on 2025-11-28, 8.57% above 2025-11-20's 229.11: the article's surge.
    closes = _closes("IWM")
    window = closes[(closes.index >= "2025-11-09") & (closes.index <= "2025-12-09")]
    five_day = (closes / closes.shift(5) - 1)[window.index]
    assert audit["surge_5d"][0] == "supported"
    assert audit["surge_5d"][1] == pytest.approx(five_day.max(), abs=1e-12)
    assert audit["surge_5d"][2]["best_end_date"] == "2025-11-28"
    # Year to date on 2025-12-09 IWM trailed SPY.
    spy = _closes("SPY")
    ytd = (closes["2025-12-09"] / closes["2024-12-31"] - 1) - (spy["2025-12-09"] / spy["2024-12-31"] - 1)
    assert audit["ytd_lag"][0] == "supported"
    assert audit["ytd_lag"][1] == pytest.approx(ytd, abs=1e-12)
    assert audit["large_cap_dominance_14y"][0] == "contradicted"
    # No company, fund or M&A data in these files: the audit does not guess.
    for claim in ("unprofitable_40pct", "funds_27_of_29_losses", "valuation_discount"):
        assert audit[claim][0] == "insufficient_data", claim
    # DGS10 here ends 2025-09-25: no regression near the audit date, so no verdict.
    assert audit["yield_sensitivity"][0] == "insufficient_data"


def test_fed_trigger_cannot_be_judged_past_the_data(warehouse):
    rows = {
        as_of: (status, sufficient)
        for as_of, status, sufficient in warehouse.execute(
            "SELECT as_of_date, status, data_sufficient FROM marts.triggers WHERE trigger_id = 'fed_cut_by_deadline' "
            "AND as_of_date IN (DATE '2025-12-09', (SELECT max(as_of_date) FROM marts.triggers))"
        ).fetchall()
    }
    # DFEDTARU in this copy ends 2025-11-12, before the 2025-12-10 decision: after the deadline
    # the trigger is not called missed, it stays pending and says the data cannot tell.
    assert rows[pd.Timestamp("2025-12-09").date()] == ("pending", False)
    assert [v for d, v in rows.items() if d.year == 2026] == [("pending", False)]
    verdicts = dict(
        warehouse.execute(
            "SELECT audit_view, verdict FROM marts.claims_audit WHERE claim_id = 'trigger_fed_cut_by_deadline'"
        ).fetchall()
    )
    assert verdicts == {"article_date": "insufficient_data", "latest": "insufficient_data"}


def test_yield_sensitivity_is_a_rolling_regression(warehouse):
    # Recompute one window independently: 63 trading days ending 2024-06-28, aligned days only.
    row = warehouse.execute(
        "SELECT beta, n_obs FROM marts.yield_sensitivity WHERE subject = 'small' AND date = DATE '2024-06-28'"
    ).fetchone()
    spy = _closes("SPY")
    iwm = _closes("IWM")
    dgs10 = pd.read_csv(REALDATA / "macro-regime" / "DGS10.csv", parse_dates=["observation_date"])
    dgs10 = dgs10.dropna().set_index("observation_date")["DGS10"].astype(float)
    days = spy.index
    window = days[days <= "2024-06-28"][-63:]
    prev_day = pd.Series(days[:-1], index=days[1:])
    iwm_ret = iwm / iwm.shift(1) - 1
    iwm_prev = pd.Series(iwm.index[:-1], index=iwm.index[1:])
    y_prev = pd.Series(dgs10.index[:-1], index=dgs10.index[1:])
    dy = dgs10.diff()
    pairs = [
        (dy[d], iwm_ret[d])
        for d in window
        if d in dy.index
        and d in iwm_ret.index
        and d in prev_day.index
        and y_prev.get(d) == prev_day[d]
        and iwm_prev.get(d) == prev_day[d]
    ]
    x = pd.Series([p[0] for p in pairs])
    y = pd.Series([p[1] for p in pairs])
    beta = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    assert row[1] == len(pairs)
    assert row[0] == pytest.approx(beta, abs=1e-9)


# ---------------------------------------------------------------------------------------
# Issue #19: volatility and drawdowns of the real IWM and SPY
# ---------------------------------------------------------------------------------------


def _annualized_vol(symbol: str) -> pd.Series:
    """63-day sample standard deviation of daily log returns x sqrt(252), on the file's closes."""
    log_returns = np.log(_closes(symbol)).diff()
    return log_returns.rolling(63, min_periods=60).std() * np.sqrt(252)


def test_volatility_of_iwm_and_spy_from_the_real_bars(warehouse):
    small, large = _annualized_vol("IWM"), _annualized_vol("SPY")
    days = ["2008-10-31", "2020-03-31", "2022-06-30", "2025-12-09"]
    rows = {
        str(d): (s, lg, r)
        for d, s, lg, r in warehouse.execute(
            "SELECT date, small_vol_63d, large_vol_63d, ratio FROM marts.volatility WHERE date IN ({})".format(
                ", ".join(f"DATE '{d}'" for d in days)
            )
        ).fetchall()
    }
    assert sorted(rows) == days
    for day in days:
        s, lg, ratio = rows[day]
        assert s == pytest.approx(small[day], abs=1e-9), day
        assert lg == pytest.approx(large[day], abs=1e-9), day
        assert ratio == pytest.approx(small[day] / large[day], abs=1e-9), day
    # The claim at the article's date, from the same series: small more volatile on the day
    # and on most days of the five years before.
    ratio = (small / large).dropna()
    audit = pd.Timestamp("2025-12-09")
    five_years = ratio[(ratio.index > audit - pd.DateOffset(years=5)) & (ratio.index <= audit)]
    verdict, value, detail = warehouse.execute(
        "SELECT verdict, value, detail FROM marts.claims_audit WHERE claim_id = 'more_volatile' "
        "AND audit_view = 'article_date'"
    ).fetchone()
    expected = "supported" if ratio[audit] > 1 and (five_years > 1).mean() > 0.5 else "contradicted"
    assert (verdict, value) == (expected, pytest.approx(ratio[audit], abs=1e-9))
    assert json.loads(detail)["share_days_above_1"] == pytest.approx((five_years > 1).mean(), abs=1e-12)


def _drawdown_episodes(close: pd.Series, min_depth: float = 0.20) -> list[dict]:
    """Peak -> trough -> recovery of a close series, episodes of min_depth or more, walked day by day."""
    episodes, peak_day, peak, trough_day = [], close.index[0], close.iloc[0], None
    for day, level in close.items():
        if level >= peak:
            if trough_day is not None and close[trough_day] / peak - 1 <= -min_depth:
                episodes.append({"peak": peak_day, "trough": trough_day, "recovery": day})
            peak_day, peak, trough_day = day, level, None
        elif trough_day is None or level < close[trough_day]:
            trough_day = day
    if trough_day is not None and close[trough_day] / peak - 1 <= -min_depth:
        episodes.append({"peak": peak_day, "trough": trough_day, "recovery": None})
    for e in episodes:
        e["depth"] = close[e["trough"]] / close[e["peak"]] - 1
        after = close[close.index <= e["trough"] + pd.DateOffset(months=6)]
        known = close.index[-1] >= e["trough"] + pd.DateOffset(months=6)
        e["rebound_6m"] = after.iloc[-1] / close[e["trough"]] - 1 if known else None
    return episodes


def test_drawdown_episodes_of_iwm_since_2000(warehouse):
    expected = _drawdown_episodes(_closes("IWM"))
    rows = warehouse.execute(
        "SELECT peak_date, trough_date, recovery_date, depth, rebound_6m FROM marts.drawdown_episodes "
        "WHERE role = 'small' ORDER BY peak_date"
    ).fetchall()
    assert [(str(r[0]), str(r[1]), str(r[2]) if r[2] else None) for r in rows] == [
        (str(e["peak"].date()), str(e["trough"].date()), str(e["recovery"].date()) if e["recovery"] else None)
        for e in expected
    ]
    for row, e in zip(rows, expected, strict=True):
        assert row[3] == pytest.approx(e["depth"], abs=1e-9)
        assert row[4] == (pytest.approx(e["rebound_6m"], abs=1e-9) if e["rebound_6m"] is not None else None)
    troughs = {str(r[1])[:4]: r for r in rows}
    # The 2008-09 bear market and the 2020 crash, each followed by a rebound within 6 months.
    assert troughs["2009"][3] < -0.5 and troughs["2009"][4] > 0.4
    assert troughs["2020"][3] < -0.35 and troughs["2020"][4] > 0.4
