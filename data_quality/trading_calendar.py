"""The NYSE trading calendar: exchange_calendars' XNYS, the one calendar every check, schedule
and the synthetic market use.

XNYS has the regular holidays and the one-off closures (2001-09-11..14, 2012-10-29..30,
2018-12-05, 2025-01-09, ...). It is built once per process, on first use (about 0.4 s to
import the library and 0.45 s to build from 1970).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd

# exchange_calendars 4.13.2 gives XNYS's regular holidays before 1970 as sessions (1969-07-04
# is one). From 1970 its sessions are the CRSP trading days of the Fama-French daily file and
# the days of the real SPY, IWM and ^GSPC bars, day for day. Older bars are not judged.
FIRST_DAY = dt.date(1970, 1, 1)
US_EASTERN = ZoneInfo("America/New_York")
# End-of-day prices and fund NAVs are out about two hours after the 16:00 close; the
# weekday schedule runs at 18:30 for the same reason.
EOD_DATA_READY = dt.time(18, 30)
SESSIONS_TABLE = "_xnys_sessions"


@cache
def _sessions() -> pd.DatetimeIndex:
    import exchange_calendars as xc  # imported here: most processes never need the calendar

    # Its default end is a year ahead of today: enough for a due day, and sample end dates.
    # Plain dates, no business-day frequency carried into every slice.
    return pd.DatetimeIndex(xc.get_calendar("XNYS", start=FIRST_DAY.isoformat()).sessions.to_numpy())


def _day(day) -> pd.Timestamp:
    return pd.Timestamp(day).normalize()


def _bounded(day) -> pd.Timestamp:
    day = _day(day)
    first, last = _sessions()[0], _sessions()[-1]
    if not first <= day <= last:
        raise ValueError(f"{day.date()} is outside the NYSE calendar held ({first.date()}..{last.date()})")
    return day


def first_session() -> dt.date:
    return _sessions()[0].date()


def last_session() -> dt.date:
    return _sessions()[-1].date()


def sessions(start, end) -> pd.DatetimeIndex:
    """NYSE sessions from start to end, both included (tz-naive midnight timestamps)."""
    days = _sessions()
    start, end = _bounded(start), _bounded(end)
    return days[days.searchsorted(start, "left") : days.searchsorted(end, "right")]


def is_session(day) -> bool:
    day = _bounded(day)
    days = _sessions()
    i = days.searchsorted(day)
    return bool(i < len(days) and days[i] == day)


def session_on_or_before(day) -> dt.date:
    """`day` itself when the NYSE traded on it, else the session before it."""
    days = _sessions()
    i = days.searchsorted(_bounded(day), "right")
    if i == 0:
        raise ValueError(f"no NYSE session held on or before {_day(day).date()}")
    return days[i - 1].date()


def previous_session(day) -> dt.date:
    """The last session strictly before `day` (which need not be a session)."""
    return session_on_or_before(_day(day) - pd.Timedelta(days=1))


def sessions_behind(latest, expected) -> int:
    """Sessions after `latest` up to and including `expected`: 0 when latest has reached it."""
    days = _sessions()
    latest = max(_day(latest), days[0] - pd.Timedelta(days=1))
    return max(0, int(days.searchsorted(_bounded(expected), "right") - days.searchsorted(latest, "right")))


def latest_close_with_data(now: dt.datetime) -> dt.date:
    """The newest NYSE session whose end-of-day data is due by `now` (an aware datetime)."""
    local = now.astimezone(US_EASTERN)
    day = local.date() if local.time() >= EOD_DATA_READY else local.date() - dt.timedelta(days=1)
    return session_on_or_before(day)


def register_sessions(con: duckdb.DuckDBPyConnection) -> str:
    """Every session held as a temp table (date, i = its position), for SQL checks to join."""
    days = _sessions()
    frame = pd.DataFrame({"date": days, "i": np.arange(len(days), dtype=np.int64)})
    con.register("_xnys_sessions_frame", frame)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SESSIONS_TABLE} AS SELECT date::DATE AS date, i FROM _xnys_sessions_frame"
        )
    finally:
        con.unregister("_xnys_sessions_frame")
    return SESSIONS_TABLE
