"""One NYSE calendar (data_quality/trading_calendar.py) behind the freshness checks, the
missing-bars check and the synthetic market, proven on two one-off closures real data has:
2018-12-05 (President G.H.W. Bush's funeral) and 2025-01-09 (President Carter's)."""

from __future__ import annotations

import ast
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from data_quality import market_health as mh
from data_quality import trading_calendar as tc
from data_quality.thresholds import Thresholds
from pipelines.automation import due_date
from pipelines.config import Settings
from pipelines.raw_gates import expected_latest_day
from tests.conftest import REPO

T = Thresholds()
LIVE = Settings(source="files")
# closure -> (the session before, the session after)
CLOSURES = {
    dt.date(2018, 12, 5): (dt.date(2018, 12, 4), dt.date(2018, 12, 6)),
    dt.date(2025, 1, 9): (dt.date(2025, 1, 8), dt.date(2025, 1, 10)),
}


def new_york(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tc.US_EASTERN)


def expected_days(now: dt.datetime) -> set[dt.date]:
    """What each freshness check expects by `now`: one answer, or the checks disagree."""
    return {expected_latest_day(LIVE, now), due_date("prices", LIVE, now), tc.latest_close_with_data(now)}


@pytest.mark.parametrize("closed", CLOSURES)
def test_the_calendar_knows_the_one_off_closures(closed):
    before, after = CLOSURES[closed]
    assert not tc.is_session(closed) and tc.is_session(before) and tc.is_session(after)
    assert tc.previous_session(after) == before and tc.session_on_or_before(closed) == before
    assert list(tc.sessions(before, after).date) == [before, after]
    assert tc.sessions_behind(before, after) == 1 and tc.sessions_behind(after, before) == 0


@pytest.mark.parametrize("closed", CLOSURES)
def test_both_freshness_checks_expect_the_same_day_around_a_closure(closed):
    before, after = CLOSURES[closed]
    assert expected_days(new_york(closed, 20)) == {before}, "no close on the closure"
    assert expected_days(new_york(after, 18, 0)) == {before}, "the next close's data is not out yet"
    assert expected_days(new_york(after, 18, 31)) == {after}
    # FRED's yields trail by one session: the closure is skipped there too.
    assert due_date("rates", LIVE, new_york(after, 18, 31)) == before


def test_the_sample_source_expects_its_end_date_or_the_session_before():
    for end, due in (
        ("2025-01-09", dt.date(2025, 1, 8)),
        ("2026-03-28", dt.date(2026, 3, 27)),
        ("2026-03-31", dt.date(2026, 3, 31)),
    ):
        sample = Settings(sample_end=end)
        later = new_york(dt.date(2026, 12, 1), 12)
        assert expected_latest_day(sample) == expected_latest_day(sample, later) == due
        assert due_date("prices", sample, later) == due


def bars(con: duckdb.DuckDBPyConnection, series: dict[str, list[dt.date]]) -> None:
    con.execute("CREATE OR REPLACE TABLE prices (symbol VARCHAR, date DATE, close DOUBLE)")
    rows = [(s, d, 10.0) for s, days in series.items() for d in days]
    con.executemany("INSERT INTO prices VALUES (?, ?, ?)", rows)


def missing_bars(series: dict[str, list[dt.date]]) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect() as con:
        bars(con, series)
        mh.empty_flaws(con)
        share = mh.missing_bar_flaws(con, "prices", "symbol", T)
        return con.execute(f"SELECT series, date_from, date_to, detail FROM {mh.FLAWS} ORDER BY ALL").fetchall(), share


def freshness(days: list[dt.date], now: dt.datetime):
    with duckdb.connect() as con:
        bars(con, {"SPY": days})
        return mh.freshness(con, "prices", expected_latest_day(LIVE, now), T)


def every_session(closed: dt.date) -> list[dt.date]:
    return list(tc.sessions(closed - dt.timedelta(days=40), closed + dt.timedelta(days=20)).date)


@pytest.mark.parametrize("closed", CLOSURES)
def test_bars_on_every_session_are_complete_and_fresh(closed):
    days = every_session(closed)
    flaws, share = missing_bars({"SPY": days, "ON_THE_CLOSURE_TOO": sorted(days + [closed])})
    assert flaws == [] and share == []
    up_to_before = [d for d in days if d < closed]
    fresh = freshness(up_to_before, new_york(closed, 20))
    assert fresh.passed and fresh.observed["sessions_behind"] == 0, fresh.detail


@pytest.mark.parametrize("closed", CLOSURES)
def test_a_missing_session_is_found_and_the_closure_is_not_counted(closed):
    days = every_session(closed)
    at = days.index(CLOSURES[closed][0])
    # Five missing sessions around the closure (six weekdays): a gap. Four: not a gap.
    five, four = days[: at - 2] + days[at + 3 :], days[: at - 2] + days[at + 2 :]
    one = days[:at] + days[at + 1 :]  # the session before the closure: one in more than 40 (2%)
    flaws, share = missing_bars({"FIVE": five, "FOUR": four, "ONE": one})
    assert [(f[0], f[1], f[2]) for f in flaws] == [("FIVE", days[at - 3], days[at + 3])]
    assert "no bar on 5 trading days" in flaws[0][3]
    assert [s[:2] for s in share] == [("FIVE", 5), ("FOUR", 4), ("ONE", 1)]

    now = new_york(CLOSURES[closed][1], 19)
    # Three sessions behind (four weekdays, the closure among them) is within the limit; four is late.
    on_time = freshness(days[: at - 1], now)
    late = freshness(days[: at - 2], now)
    assert on_time.passed and on_time.observed["sessions_behind"] == T.freshness_max_lag_days, on_time.detail
    assert not late.passed and late.observed["sessions_behind"] == T.freshness_max_lag_days + 1


def test_the_calendar_reaches_back_to_1970_and_a_year_ahead():
    assert tc.first_session() == dt.date(1970, 1, 2)
    assert tc.last_session() >= dt.date.today() + dt.timedelta(days=300)
    with pytest.raises(ValueError, match="outside the NYSE calendar"):
        tc.sessions("1969-12-01", "1970-02-01")


def test_sessions_are_the_days_real_spy_and_iwm_traded(realdata):
    for symbol in ("SPY", "IWM"):
        traded = pd.DatetimeIndex(pd.read_csv(realdata / "etf-daily" / f"{symbol}.csv")["Date"])
        assert traded.equals(tc.sessions(traded[0], traded[-1])), symbol


def test_the_sample_has_no_yield_exactly_when_fred_has_none_but_on_good_fridays(realdata):
    from pipelines.sources.sample.calendar import bond_market_closed

    dgs10 = pd.read_csv(realdata / "macro-regime" / "DGS10.csv", parse_dates=["observation_date"])
    dgs10 = dgs10.set_index("observation_date")["DGS10"]
    dgs10 = dgs10[dgs10.index.weekday < 5]
    differ = dgs10.index[bond_market_closed(pd.DatetimeIndex(dgs10.index)) != dgs10.isna().to_numpy()]
    assert np.isnan(dgs10[pd.Timestamp("2018-12-05")]) and not np.isnan(dgs10[pd.Timestamp("2025-01-09")])
    # FRED has a yield on the Good Fridays a jobs report fell on; the sample leaves them blank.
    good_fridays = ["1999-04-02", "2007-04-06", "2010-04-02", "2012-04-06", "2015-04-03", "2021-04-02", "2023-04-07"]
    assert list(differ) == list(pd.DatetimeIndex(good_fridays))


# --- One calendar in the code ----------------------------------------------------------

PRODUCTION = ("pipelines", "data_quality", "bi")
SAMPLE = "pipelines.sources.sample"
# The sample source itself, and the registry that builds whichever source is configured.
MAY_IMPORT_SAMPLE = ("pipelines/sources/sample/", "pipelines/sources/__init__.py")


def imported_modules(path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            # `from pipelines.sources import sample` names the module as well
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_no_production_module_imports_the_sample_market():
    offenders = {}
    for top in PRODUCTION:
        for path in (REPO / top).rglob("*.py"):
            where = path.relative_to(REPO).as_posix()
            hits = {m for m in imported_modules(path) if m == SAMPLE or m.startswith(SAMPLE + ".")}
            if hits and not where.startswith(MAY_IMPORT_SAMPLE):
                offenders[where] = sorted(hits)
    assert offenders == {}


def test_the_calendar_depends_on_nothing_in_pipelines():
    path = REPO / "data_quality" / "trading_calendar.py"
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "pipelines"}
