"""The synthetic market's trading days and the days it publishes no Treasury yield.

Trading days are the NYSE sessions of the shared calendar (data_quality/trading_calendar.py).
Treasury yields (FRED DGS10, DGS2) are published on weekdays and left blank when the bond
market is closed: the days the NYSE is closed, plus Columbus Day and Veterans Day (the NYSE
trades, the bond market does not), less a few one-off NYSE closures on which Treasuries
traded. Good Friday is always treated as closed, though some years' real series have a value.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from data_quality import trading_calendar

MON, SAT, SUN = 0, 5, 6
# NYSE closed, DGS10 has a value (checked in the real FRED file): 9/11, President Ford's
# funeral, the first Hurricane Sandy day, President Carter's funeral. On 2018-12-05
# (President G.H.W. Bush) both were closed.
TREASURIES_TRADED = pd.DatetimeIndex(["2001-09-13", "2001-09-14", "2007-01-02", "2012-10-29", "2025-01-09"])


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _veterans_day(year: int) -> date | None:
    day = date(year, 11, 11)
    if day.weekday() == SAT:  # the Friday before stays open
        return None
    return day + timedelta(days=1) if day.weekday() == SUN else day


def yield_only_holidays(first_year: int, last_year: int) -> list[date]:
    """Columbus Day and Veterans Day: bond-market holidays on which the NYSE trades."""
    days = [nth_weekday(y, 10, MON, 2) for y in range(first_year, last_year + 1)]
    days += [d for y in range(first_year, last_year + 1) if (d := _veterans_day(y)) is not None]
    return sorted(days)


def trading_days(start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DatetimeIndex:
    """NYSE trading days from start to end, both included."""
    return trading_calendar.sessions(start, end)


def bond_market_closed(days: pd.DatetimeIndex) -> np.ndarray:
    """True for the given weekdays on which no Treasury yield is published."""
    if len(days) == 0:
        return np.zeros(0, dtype=bool)
    nyse_closed = ~days.isin(trading_days(days[0], days[-1])) & ~days.isin(TREASURIES_TRADED)
    yield_only = days.isin(pd.DatetimeIndex(yield_only_holidays(days[0].year, days[-1].year)))
    return np.asarray(nyse_closed | yield_only)
