"""The NYSE trading calendar and the US bond-market holidays, for the synthetic market.

Only the regular holiday rules are modelled (NYSE Rule 7.2): one-off closures such as
national days of mourning are not. Treasury yields (FRED DGS10, DGS2) are published on
weekdays and left blank on bond-market holidays, which are the federal holidays plus Good
Friday: Columbus Day and Veterans Day are trading days on the NYSE but have no yield.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

MON, THU, FRI, SAT, SUN = 0, 3, 4, 5, 6
JUNETEENTH_FIRST_YEAR = 2022  # first year both the NYSE and the bond market closed for it


def easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th given weekday of a month; n = -1 for the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def observed(holiday: date, saturday_to_friday: bool = True) -> date | None:
    """The weekday a fixed-date holiday is observed on (Saturday -> Friday, Sunday -> Monday)."""
    if holiday.weekday() == SAT:
        return holiday - timedelta(days=1) if saturday_to_friday else None
    if holiday.weekday() == SUN:
        return holiday + timedelta(days=1)
    return holiday


def _nyse_year(year: int) -> list[date | None]:
    return [
        # New Year's Day on a Saturday is not made up on the Friday before (it is another year).
        observed(date(year, 1, 1), saturday_to_friday=False),
        nth_weekday(year, 1, MON, 3),  # Martin Luther King Jr. Day
        nth_weekday(year, 2, MON, 3),  # Washington's Birthday
        easter_sunday(year) - timedelta(days=2),  # Good Friday
        nth_weekday(year, 5, MON, -1),  # Memorial Day
        observed(date(year, 6, 19)) if year >= JUNETEENTH_FIRST_YEAR else None,
        observed(date(year, 7, 4)),
        nth_weekday(year, 9, MON, 1),  # Labor Day
        nth_weekday(year, 11, THU, 4),  # Thanksgiving
        observed(date(year, 12, 25)),
    ]


def nyse_holidays(first_year: int, last_year: int) -> list[date]:
    return sorted(d for y in range(first_year, last_year + 1) for d in _nyse_year(y) if d is not None)


def bond_market_holidays(first_year: int, last_year: int) -> list[date]:
    extra = []
    for y in range(first_year, last_year + 1):
        extra.append(nth_weekday(y, 10, MON, 2))  # Columbus Day
        extra.append(observed(date(y, 11, 11), saturday_to_friday=False))  # Veterans Day
    return sorted(set(nyse_holidays(first_year, last_year)) | {d for d in extra if d is not None})


def _weekdays_without(start: pd.Timestamp, end: pd.Timestamp, holidays: list[date]) -> pd.DatetimeIndex:
    days = pd.bdate_range(start, end)
    return days[~days.isin(pd.DatetimeIndex(holidays))]


def trading_days(start: str | pd.Timestamp, end: str | pd.Timestamp) -> pd.DatetimeIndex:
    """NYSE trading days from start to end, both included."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    return _weekdays_without(start, end, nyse_holidays(start.year, end.year))


def bond_market_closed(days: pd.DatetimeIndex) -> np.ndarray:
    """True for the given days on which no Treasury yield is published."""
    if len(days) == 0:
        return np.zeros(0, dtype=bool)
    closed = pd.DatetimeIndex(bond_market_holidays(days[0].year, days[-1].year))
    return np.asarray(days.isin(closed))
