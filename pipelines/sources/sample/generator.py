"""The deterministic synthetic market behind the `sample` source (docs/sample-market.md).

One seed drives everything, generated with vectorised numpy: NYSE trading days; the two
benchmark levels, built first with the article's scenario planted in them; the companies
of both indexes, whose returns add up to their benchmark's; quarterly index snapshots;
quarterly earnings with restatements; estimates; 29 small-cap funds; FRED-style rates;
and M&A deals. Nothing here is real data. truths.py measures the planted scenario from
the finished tables, by the definitions in ../shared/spec/metrics.md.
"""

from __future__ import annotations

import zlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from pipelines.datasets import DATASETS
from pipelines.sources.sample.calendar import bond_market_closed, trading_days
from pipelines.sources.sample.truths import (
    AUDIT_DATE,
    CLAIM_UNIVERSE_MONTHS,
    RALLY_THRESHOLD,
    SECTOR_WINDOWS_MONTHS,
    SURGE_THRESHOLD,
    compute_truths,
)

# Bump whenever the output for a given parameter set changes: it keys the landing cache.
# 2: fund distributions; 3: share bases declared (eps_basis_date); 4: XNYS sessions (2025-01-09 closed);
# 5: issue #19's claims planted (IPOs outnumber removals in the audit year, three sectors lead)
GENERATOR_VERSION = "6"

TRADING_DAYS_PER_YEAR = 252
SMALL, LARGE = 0, 1


@dataclass(frozen=True)
class SampleParams:
    n_small: int = 300
    n_large: int = 100
    years: float = 6.5
    end: str = "2026-03-31"
    seed: int = 20251209
    small_symbol: str = "IWM"
    large_symbol: str = "SPY"
    small_index: str = "R2000"
    large_index: str = "SP500"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class SampleMarket:
    tables: dict[str, pd.DataFrame]
    truths: dict


def _stream(params: SampleParams, component: str) -> np.random.Generator:
    # One independent stream per component: changing how one part draws leaves the others alone.
    return np.random.default_rng([params.seed, zlib.crc32(component.encode())])


def _unit_t(rng: np.random.Generator, shape) -> np.ndarray:
    """Fat-tailed shocks: Student t with 5 degrees of freedom, unit variance, capped at 6."""
    return np.clip(rng.standard_t(5, size=shape) * np.sqrt(3 / 5), -6, 6)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


# ---------------------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timeline:
    days: pd.DatetimeIndex  # NYSE trading days
    audit: int  # position of AUDIT_DATE in days
    snapshots: np.ndarray  # positions of the index snapshot days (start, then each quarter's last)

    @property
    def n(self) -> int:
        return len(self.days)

    def at_or_before(self, when) -> int:
        return int(np.searchsorted(self.days, pd.Timestamp(when), side="right")) - 1


def _quarter_number(days: pd.DatetimeIndex) -> np.ndarray:
    return (days.year * 4 + days.quarter).to_numpy()


def _snapshot_days(days: pd.DatetimeIndex) -> np.ndarray:
    # A quarter's snapshot is its last trading day, which the end date may not have reached:
    # look one trading day past the end to know.
    next_day = trading_days(days[-1] + pd.Timedelta(days=1), days[-1] + pd.Timedelta(days=10))[:1]
    quarters = _quarter_number(days)
    following = np.append(quarters[1:], _quarter_number(next_day))
    return np.unique(np.concatenate([[0], np.flatnonzero(quarters != following)]))


def build_timeline(params: SampleParams) -> Timeline:
    end = pd.Timestamp(params.end).normalize()
    start = end - pd.Timedelta(days=round(params.years * 365.25))
    days = trading_days(start, end)
    _require(
        start < AUDIT_DATE.replace(month=1, day=1) - pd.Timedelta(days=60) and end > AUDIT_DATE,
        f"the sample market plants the article's scenario around {AUDIT_DATE.date()}: the history "
        f"({start.date()}..{end.date()}) must start before November {AUDIT_DATE.year - 1} and end after it",
    )
    return Timeline(days, int(days.get_loc(AUDIT_DATE)), _snapshot_days(days))


# ---------------------------------------------------------------------------------------
# The planted scenario: daily benchmark returns and yield moves fixed in advance
# ---------------------------------------------------------------------------------------

SURGE_5D = (0.087, 0.093)  # the article's "8.5% surge over five days"
RALLY_WOW = (0.105, 0.125)  # the "10% week-over-week rally", planted in January after the article
CAP_MARGIN = 0.004  # log-return headroom kept under each threshold when capping free days


@dataclass(frozen=True)
class Plant:
    """Benchmark log returns (and DGS10 moves) on the days the scenario fixes."""

    days: np.ndarray
    small: np.ndarray
    large: np.ndarray
    dgs10_move: np.ndarray  # pp; NaN where the yield is left to wander
    surge_end: int
    rally_week: np.ndarray  # the rally week's trading days


def _split_total(rng: np.random.Generator, total: float, n: int, concentration: float = 8.0) -> np.ndarray:
    """n positive daily log returns summing exactly to total (a Dirichlet draw)."""
    return total * rng.dirichlet(np.full(n, concentration))


def _wander_around(rng: np.random.Generator, total: float, n: int, sd: float) -> np.ndarray:
    """n daily log returns summing exactly to total, with day-to-day noise of sd."""
    noise = rng.normal(0, sd, n)
    return total / n + noise - noise.mean()


def _surge(tl: Timeline, rng: np.random.Generator) -> dict:
    # Ends 2..6 trading days before the audit date; a down day on either side keeps the
    # neighbouring 5-day windows below the threshold.
    end = tl.audit - int(rng.integers(2, 7))
    days = np.arange(end - 5, end + 2)
    small = np.concatenate(
        [
            [-rng.uniform(0.004, 0.010)],
            _split_total(rng, np.log1p(rng.uniform(*SURGE_5D)), 5),
            [-rng.uniform(0.004, 0.010)],
        ]
    )
    large = np.concatenate(
        [
            [-rng.uniform(0.001, 0.005)],
            _split_total(rng, np.log1p(rng.uniform(0.025, 0.045)), 5),
            [-rng.uniform(0.001, 0.005)],
        ]
    )
    # A dovish repricing: yields fall through the surge.
    moves = np.concatenate([[np.nan], -rng.uniform(0.05, 0.09, 5), [np.nan]])
    return dict(days=days, small=small, large=large, moves=moves, end=end)


def _rally_week_candidates(tl: Timeline) -> list[np.ndarray]:
    """Full Monday-to-Friday weeks starting in the January after the audit, with two weeks after them held."""
    mondays = pd.date_range(f"{AUDIT_DATE.year + 1}-01-01", f"{AUDIT_DATE.year + 1}-01-31", freq="W-MON")
    weeks = []
    for monday in mondays:
        week = np.flatnonzero((tl.days >= monday) & (tl.days < monday + pd.Timedelta(days=7)))
        if len(week) == 5 and tl.days[-1] >= monday + pd.Timedelta(days=18):
            weeks.append(week)
    return weeks


def _rally(tl: Timeline, rng: np.random.Generator) -> dict:
    candidates = _rally_week_candidates(tl)
    _require(bool(candidates), f"the planted rally week needs data to the middle of February {AUDIT_DATE.year + 1}")
    week = candidates[int(rng.integers(len(candidates)))]
    monday = tl.days[week[0]]
    follow = np.flatnonzero((tl.days >= monday + pd.Timedelta(days=7)) & (tl.days < monday + pd.Timedelta(days=21)))
    # The two weeks after: a small further gain, so the rally is "sustained".
    small = np.concatenate(
        [
            _split_total(rng, np.log1p(rng.uniform(*RALLY_WOW)), 5),
            _wander_around(rng, np.log1p(rng.uniform(0.005, 0.03)), len(follow), 0.006),
        ]
    )
    large = np.concatenate(
        [
            _split_total(rng, np.log1p(rng.uniform(0.015, 0.03)), 5),
            _wander_around(rng, np.log1p(rng.uniform(0.0, 0.015)), len(follow), 0.004),
        ]
    )
    moves = np.concatenate([-rng.uniform(0.02, 0.05, 5), np.full(len(follow), np.nan)])
    return dict(days=np.concatenate([week, follow]), small=small, large=large, moves=moves, week=week)


def plan_scenario(tl: Timeline, rng: np.random.Generator) -> Plant:
    surge, rally = _surge(tl, rng), _rally(tl, rng)
    return Plant(
        days=np.concatenate([surge["days"], rally["days"]]),
        small=np.concatenate([surge["small"], rally["small"]]),
        large=np.concatenate([surge["large"], rally["large"]]),
        dgs10_move=np.concatenate([surge["moves"], rally["moves"]]),
        surge_end=surge["end"],
        rally_week=rally["week"],
    )


# ---------------------------------------------------------------------------------------
# Rates: the real policy path, synthetic Treasury yields
# ---------------------------------------------------------------------------------------

# DFEDTARU as FRED records each change (the day after the FOMC decision); public record.
# The 2025-12-10 decision took effect on 2025-12-11; the range is held after it.
FED_UPPER_PATH = (
    ("2008-12-16", 0.25),
    ("2015-12-16", 0.50),
    ("2016-12-14", 0.75),
    ("2017-03-16", 1.00),
    ("2017-06-15", 1.25),
    ("2017-12-14", 1.50),
    ("2018-03-22", 1.75),
    ("2018-06-14", 2.00),
    ("2018-09-27", 2.25),
    ("2018-12-20", 2.50),
    ("2019-08-01", 2.25),
    ("2019-09-19", 2.00),
    ("2019-10-31", 1.75),
    ("2020-03-04", 1.25),
    ("2020-03-16", 0.25),
    ("2022-03-17", 0.50),
    ("2022-05-05", 1.00),
    ("2022-06-16", 1.75),
    ("2022-07-28", 2.50),
    ("2022-09-22", 3.25),
    ("2022-11-03", 4.00),
    ("2022-12-15", 4.50),
    ("2023-02-02", 4.75),
    ("2023-03-23", 5.00),
    ("2023-05-04", 5.25),
    ("2023-07-27", 5.50),
    ("2024-09-19", 5.00),
    ("2024-11-08", 4.75),
    ("2024-12-19", 4.50),
    ("2025-09-18", 4.25),
    ("2025-10-30", 4.00),
    ("2025-12-11", 3.75),
)
TARGET_RANGE_WIDTH = 0.25

# Rough levels the synthetic yields pass through (percent), so that their history looks
# like the real one; between anchors they wander as a random walk.
DGS10_ANCHORS = (
    ("2015-01-02", 2.12),
    ("2016-02-11", 1.65),
    ("2016-07-08", 1.37),
    ("2016-12-15", 2.60),
    ("2017-09-07", 2.05),
    ("2018-05-17", 3.11),
    ("2018-11-08", 3.23),
    ("2019-01-03", 2.56),
    ("2019-09-03", 1.47),
    ("2019-11-08", 1.94),
    ("2020-01-31", 1.51),
    ("2020-03-09", 0.54),
    ("2020-08-04", 0.52),
    ("2021-03-31", 1.74),
    ("2021-08-03", 1.17),
    ("2021-12-31", 1.52),
    ("2022-06-14", 3.49),
    ("2022-08-01", 2.60),
    ("2022-10-24", 4.25),
    ("2023-04-06", 3.30),
    ("2023-10-19", 4.98),
    ("2023-12-27", 3.79),
    ("2024-04-25", 4.70),
    ("2024-09-16", 3.62),
    ("2025-01-14", 4.79),
    ("2025-04-04", 4.01),
    ("2025-05-21", 4.60),
    ("2025-09-16", 4.03),
    ("2025-12-09", 4.17),
    ("2026-03-31", 4.25),
)
DGS2_ANCHORS = (
    ("2015-01-02", 0.66),
    ("2016-02-11", 0.64),
    ("2016-12-15", 1.27),
    ("2017-12-29", 1.89),
    ("2018-11-08", 2.98),
    ("2019-01-03", 2.39),
    ("2019-09-03", 1.43),
    ("2020-02-21", 1.35),
    ("2020-03-23", 0.28),
    ("2020-08-04", 0.11),
    ("2021-06-30", 0.25),
    ("2021-12-31", 0.73),
    ("2022-06-14", 3.43),
    ("2022-11-07", 4.72),
    ("2023-03-08", 5.07),
    ("2023-03-24", 3.78),
    ("2023-07-06", 5.12),
    ("2023-10-19", 5.22),
    ("2023-12-29", 4.23),
    ("2024-04-30", 5.04),
    ("2024-09-24", 3.55),
    ("2025-01-10", 4.38),
    ("2025-04-04", 3.65),
    ("2025-09-16", 3.51),
    ("2025-12-09", 3.61),
    ("2026-03-31", 3.55),
)
DGS10_DAILY_SD = 0.06  # pp, about the real daily change since 2019
DGS2_DAILY_SD = 0.05
TWO_TEN_CORRELATION = 0.75
YIELD_FLOOR = {"DGS10": 0.30, "DGS2": 0.05}


@dataclass(frozen=True)
class Rates:
    table: pd.DataFrame
    dgs10_change: np.ndarray  # per trading day: published DGS10 change since the previous trading day (pp)


def _anchored_walk(when: pd.DatetimeIndex, anchors, steps: np.ndarray) -> np.ndarray:
    """A random walk of the given steps pinned to the anchor levels (a Brownian bridge between them)."""
    t = when.asi8.astype(float)
    anchor_t = pd.to_datetime([a for a, _ in anchors]).asi8.astype(float)
    trend = np.interp(t, anchor_t, [v for _, v in anchors])
    walk = np.cumsum(steps)
    pins = np.unique(np.concatenate([[0, len(t) - 1], np.searchsorted(t, anchor_t).clip(0, len(t) - 1)]))
    return trend + walk - np.interp(np.arange(len(t)), pins, walk[pins])


def _treasury_levels(weekdays: pd.DatetimeIndex, planted_moves: np.ndarray, rng: np.random.Generator):
    n = len(weekdays)
    z10, z2 = rng.standard_normal(n), rng.standard_normal(n)
    step10 = z10 * DGS10_DAILY_SD
    step10 = np.where(np.isnan(planted_moves), step10, planted_moves)
    common = step10 / DGS10_DAILY_SD
    step2 = (TWO_TEN_CORRELATION * common + np.sqrt(1 - TWO_TEN_CORRELATION**2) * z2) * DGS2_DAILY_SD
    dgs10 = np.round(np.maximum(_anchored_walk(weekdays, DGS10_ANCHORS, step10), YIELD_FLOOR["DGS10"]), 2)
    dgs2 = np.round(np.maximum(_anchored_walk(weekdays, DGS2_ANCHORS, step2), YIELD_FLOOR["DGS2"]), 2)
    return dgs10, dgs2


def _policy_series(calendar_days: pd.DatetimeIndex, rng: np.random.Generator):
    changes = pd.to_datetime([d for d, _ in FED_UPPER_PATH])
    position = np.searchsorted(changes, calendar_days, side="right") - 1
    upper = np.where(position >= 0, np.array([v for _, v in FED_UPPER_PATH])[position.clip(0)], np.nan)
    # The effective rate trades a little under the top of the range (more so at the zero bound).
    below_top = np.where(upper > TARGET_RANGE_WIDTH, 0.10, 0.17)
    effective = np.round(upper - below_top + rng.normal(0, 0.008, len(calendar_days)), 2)
    # FRED repeats Friday's effective rate over the weekend.
    weekday = calendar_days.weekday.to_numpy()
    effective = effective[np.arange(len(calendar_days)) - np.maximum(weekday - 4, 0)]
    effective = np.clip(effective, upper - TARGET_RANGE_WIDTH + 0.01, upper - 0.01)
    return upper, upper - TARGET_RANGE_WIDTH, effective


def _series_rows(series_id: str, dates: pd.DatetimeIndex, values: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"series_id": series_id, "date": dates, "value": values})


def _policy_rows(series_id: str, dates: pd.DatetimeIndex, values: np.ndarray) -> pd.DataFrame:
    # The target range series start on 2008-12-16; before it there is no row at all.
    known = ~np.isnan(values)
    return _series_rows(series_id, dates[known], values[known])


def build_rates(tl: Timeline, plant: Plant, rng: np.random.Generator) -> Rates:
    weekdays = pd.bdate_range(tl.days[0], tl.days[-1])
    trading_pos = np.searchsorted(weekdays, tl.days)
    planted = np.full(len(weekdays), np.nan)
    planted[trading_pos[plant.days]] = plant.dgs10_move
    dgs10, dgs2 = _treasury_levels(weekdays, planted, rng)
    # Returns load on the published level, so the warehouse's regression sees the planted beta.
    dgs10_change = np.diff(dgs10[trading_pos], prepend=dgs10[trading_pos[0]])
    closed = bond_market_closed(weekdays)
    calendar_days = pd.date_range(tl.days[0], tl.days[-1], freq="D")
    upper, lower, effective = _policy_series(calendar_days, rng)
    table = pd.concat(
        [
            # FRED publishes a row with a blank value on bond-market holidays.
            _series_rows("DGS10", weekdays, np.where(closed, np.nan, dgs10)),
            _series_rows("DGS2", weekdays, np.where(closed, np.nan, dgs2)),
            _policy_rows("DFEDTARU", calendar_days, upper),
            _policy_rows("DFEDTARL", calendar_days, lower),
            _policy_rows("DFF", calendar_days, effective),
        ],
        ignore_index=True,
    ).sort_values(["series_id", "date"], ignore_index=True)
    return Rates(table, dgs10_change)


# ---------------------------------------------------------------------------------------
# Benchmarks: the index paths, built before any company
# ---------------------------------------------------------------------------------------

LARGE_DRIFT = 0.10 / TRADING_DAYS_PER_YEAR  # log return per day outside the regimes
MARKET_VOL = 0.0095
SMALL_MARKET_BETA = 1.12
SMALL_OWN_VOL = 0.0028  # what the small index does apart from the market and yields
LARGE_OWN_VOL = 0.0008
YIELD_BETA = {"small": -0.04, "large": -0.015}  # return per pp change in DGS10
# (first day, last day, large-cap log return over the span, volatility multiplier): the
# market's big episodes, so that drawdowns and volatility look familiar.
REGIMES = (
    ("2018-10-01", "2018-12-24", -0.20, 1.8),
    ("2020-02-20", "2020-03-23", -0.40, 3.0),
    ("2020-03-24", "2020-08-31", 0.38, 1.8),
    ("2022-01-03", "2022-10-12", -0.27, 1.4),
    ("2025-02-19", "2025-04-08", -0.19, 1.8),
)
# Calendar-year total returns of the large index, roughly the S&P 500's (public record), so
# that its multi-year path looks familiar; each gets a little noise.
LARGE_YEAR_RETURNS = {
    2015: 0.014,
    2016: 0.120,
    2017: 0.218,
    2018: -0.044,
    2019: 0.315,
    2020: 0.184,
    2021: 0.287,
    2022: -0.181,
    2023: 0.263,
    2024: 0.250,
}
LARGE_YEAR_NOISE = 0.02
# Gaps (log) by which the small index trails the large one: every complete calendar year,
# and in the audit year both up to the audit date (the YTD lag) and after it.
YEAR_GAP = (0.03, 0.10)
AUDIT_YEAR_LARGE_YTD = (0.07, 0.11)
AUDIT_YEAR_GAP_TO_AUDIT = (0.05, 0.08)
AUDIT_YEAR_GAP_AFTER_AUDIT = (0.005, 0.02)
YIELD_PLANT_DAYS = 70  # covers the warehouse's 63-observation regression window at the audit date


def _regimes(days: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    drift, vol = np.full(len(days), LARGE_DRIFT), np.ones(len(days))
    for first, last, total, multiplier in REGIMES:
        inside = (days >= first) & (days <= last)
        if inside.any():
            drift[inside] = total / len(trading_days(first, last))
            vol[inside] = multiplier
    return drift, vol


def _complete_years(tl: Timeline) -> list[int]:
    """Years with a close in the year before and their own last trading day held."""
    years = []
    for year in range(tl.days[0].year + 1, tl.days[-1].year + 1):
        if tl.days[-1] >= trading_days(f"{year}-12-15", f"{year}-12-31")[-1]:
            years.append(year)
    return years


def _shift_to(log_returns: np.ndarray, segment: np.ndarray, free: np.ndarray, target: float) -> None:
    """Move the segment's free days by one constant so the segment sums to target."""
    movable = segment & free
    log_returns[movable] += (target - log_returns[segment].sum()) / movable.sum()


def _plant_year_gaps(tl: Timeline, small, large, free, rng: np.random.Generator) -> None:
    year = tl.days.year.to_numpy()
    position = np.arange(tl.n)
    for y in _complete_years(tl):
        in_year = year == y
        if y != AUDIT_DATE.year:
            if y in LARGE_YEAR_RETURNS:
                _shift_to(large, in_year, free, np.log1p(LARGE_YEAR_RETURNS[y] + rng.normal(0, LARGE_YEAR_NOISE)))
            _shift_to(small, in_year, free, large[in_year].sum() - rng.uniform(*YEAR_GAP))
            continue
        to_audit, after = in_year & (position <= tl.audit), in_year & (position > tl.audit)
        _shift_to(large, to_audit, free, np.log1p(rng.uniform(*AUDIT_YEAR_LARGE_YTD)))
        _shift_to(small, to_audit, free, large[to_audit].sum() - rng.uniform(*AUDIT_YEAR_GAP_TO_AUDIT))
        _shift_to(small, after, free, large[after].sum() - rng.uniform(*AUDIT_YEAR_GAP_AFTER_AUDIT))


def week_ids(days: pd.DatetimeIndex) -> np.ndarray:
    """Consecutive ids of the Monday-to-Sunday weeks the days fall in."""
    mondays = (days - pd.to_timedelta(days.weekday, unit="D")).asi8
    return np.unique(mondays, return_inverse=True)[1]


def _cap_weekly_gains(tl: Timeline, small: np.ndarray, free: np.ndarray, plant: Plant) -> None:
    """Only the planted rally week may gain 10% or more week over week."""
    week = week_ids(tl.days)
    gain = np.bincount(week, weights=small)
    excess = np.maximum(gain - (np.log1p(RALLY_THRESHOLD) - CAP_MARGIN), 0)
    excess[week[plant.rally_week[0]]] = 0
    free_days = np.bincount(week, weights=free)
    _require(bool(np.all(free_days[excess > 0] > 0)), "a planted week breaks the weekly cap")
    small -= np.where(free, (excess / np.maximum(free_days, 1))[week], 0)


def _cap_other_surges(tl: Timeline, small: np.ndarray, free: np.ndarray, plant: Plant) -> None:
    """Only the planted 5-day window may reach the surge threshold in the 30 days before the audit."""
    first_end = max(int(np.searchsorted(tl.days, AUDIT_DATE - pd.Timedelta(days=30))), 5)
    for end in range(first_end, tl.audit + 1):
        window = slice(end - 4, end + 1)
        excess = small[window].sum() - (np.log1p(SURGE_THRESHOLD) - CAP_MARGIN)
        if end == plant.surge_end or excess <= 0:
            continue
        movable = free[window]
        _require(bool(movable.any()), "a planted 5-day window breaks the surge cap")
        small[window][movable] -= excess / movable.sum()  # a view of small: edits it in place


def _plant_yield_sensitivity(
    tl: Timeline, small: np.ndarray, large: np.ndarray, dgs10_change: np.ndarray, free: np.ndarray
) -> None:
    """Over the weeks before the audit date, take out of the small index whatever part of
    its non-rate noise happens to move with yields, so that the spread's measured loading
    there is the true one (the article's "sensitivity to rising Treasury yields")."""
    window = np.zeros(tl.n, dtype=bool)
    window[max(tl.audit - YIELD_PLANT_DAYS + 1, 1) : tl.audit + 1] = True
    window &= free
    x = dgs10_change[window] - dgs10_change[window].mean()
    noise = (small - large)[window] - (YIELD_BETA["small"] - YIELD_BETA["large"]) * dgs10_change[window]
    small[window] -= (x @ (noise - noise.mean()) / (x @ x)) * x


def benchmark_log_returns(tl: Timeline, dgs10_change: np.ndarray, plant: Plant, rng: np.random.Generator):
    """Daily total-return log returns of the small and the large index, scenario planted."""
    drift, vol = _regimes(tl.days)
    market = MARKET_VOL * vol * _unit_t(rng, tl.n)
    large = drift + market + YIELD_BETA["large"] * dgs10_change + LARGE_OWN_VOL * vol * _unit_t(rng, tl.n)
    small = (
        drift
        + SMALL_MARKET_BETA * market
        + YIELD_BETA["small"] * dgs10_change
        + SMALL_OWN_VOL * vol * _unit_t(rng, tl.n)
    )
    small[plant.days], large[plant.days] = plant.small, plant.large
    small[0] = large[0] = 0.0  # the first close is the base
    free = np.ones(tl.n, dtype=bool)
    free[plant.days] = False
    free[0] = False
    _plant_yield_sensitivity(tl, small, large, dgs10_change, free)
    _plant_year_gaps(tl, small, large, free, rng)
    _cap_weekly_gains(tl, small, free, plant)
    _cap_other_surges(tl, small, free, plant)
    return small, large


# ---------------------------------------------------------------------------------------
# Companies and their life events
# ---------------------------------------------------------------------------------------

SECTORS = (
    "Technology",
    "Health Care",
    "Industrials",
    "Financials",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Materials",
    "Real Estate",
    "Utilities",
    "Communication Services",
)
SECTOR_MIX = {
    SMALL: (0.13, 0.16, 0.18, 0.17, 0.10, 0.03, 0.05, 0.05, 0.07, 0.03, 0.03),
    LARGE: (0.30, 0.11, 0.09, 0.13, 0.10, 0.06, 0.04, 0.03, 0.02, 0.03, 0.09),
}
# Relative odds of losing money: biotech and young tech do, utilities rarely.
LOSS_ODDS = np.array((1.5, 2.2, 0.8, 0.5, 1.0, 0.6, 1.0, 0.8, 0.9, 0.3, 1.2))
SECTOR_NOUNS = (
    ("Software", "Systems", "Semiconductor", "Networks", "Data", "Cloud"),
    ("Therapeutics", "Biosciences", "Medical", "Health", "Pharma", "Diagnostics"),
    ("Aerospace", "Defense Systems", "Machinery", "Logistics", "Industries", "Engineering"),
    ("Bancorp", "Financial", "Capital", "Insurance", "Trust", "Lending"),
    ("Brands", "Retail", "Outdoor", "Leisure", "Apparel", "Restaurants"),
    ("Foods", "Farms", "Beverage", "Household", "Grocers", "Nutrition"),
    ("Energy", "Petroleum", "Resources", "Midstream", "Drilling", "Solar"),
    ("Materials", "Chemicals", "Metals", "Minerals", "Packaging", "Steel"),
    ("Realty", "Properties", "REIT", "Land", "Residential", "Storage"),
    ("Utilities", "Power", "Water", "Electric", "Gas", "Grid"),
    ("Media", "Telecom", "Broadcasting", "Interactive", "Wireless", "Studios"),
)
NAME_WORDS = (
    "Apex",
    "Aurora",
    "Birch",
    "Blue",
    "Bright",
    "Cedar",
    "Cobalt",
    "Crest",
    "Delta",
    "Ember",
    "Evergreen",
    "Falcon",
    "Granite",
    "Harbor",
    "Horizon",
    "Iron",
    "Juniper",
    "Keystone",
    "Lakeview",
    "Lumen",
    "Maple",
    "Meridian",
    "Northwind",
    "Oak",
    "Orion",
    "Pine",
    "Prairie",
    "Quarry",
    "Redwood",
    "Ridge",
    "River",
    "Sable",
    "Summit",
    "Silver",
    "Stone",
    "Tidal",
    "Union",
    "Valley",
    "Vista",
    "Willow",
)
NAME_SUFFIXES = ("Inc.", "Corp.", "Holdings", "Group", "Co.")
FAILURE_DRIFT = -0.003  # daily return drift of a failing company over its last year
MIGRANT_DRIFT = 0.002  # over its last year in the small index, a company grows into the large one
DEALS_PER_SMALL_COMPANY_MONTH = 0.003  # about 3.6% of small companies receive a bid each year


@dataclass
class Deals:
    target: np.ndarray  # company position
    announce_day: np.ndarray
    close_day: np.ndarray  # last trading day of an acquired target, -1 otherwise
    status: np.ndarray  # object: announced / completed / withdrawn
    premium: np.ndarray
    acquirer_kind: np.ndarray  # 0 = a financial sponsor, 1 = a large company


@dataclass
class Companies:
    symbol: np.ndarray  # object
    name: np.ndarray  # object
    sector: np.ndarray  # position in SECTORS
    home: np.ndarray  # SMALL / LARGE: the index a company belongs to when it lists
    first_day: np.ndarray  # first trading day (0 unless an IPO)
    last_day: np.ndarray  # last trading day (n - 1 unless delisted)
    migrate_at: np.ndarray  # snapshot from which a small company belongs to the large index, -1 if never
    beta: np.ndarray
    vol: np.ndarray  # daily idiosyncratic volatility
    price0: np.ndarray  # first close, in the first day's shares
    shares0: np.ndarray
    share_growth: np.ndarray  # yearly log growth of shares outstanding (issuance minus buybacks)
    turnover: np.ndarray  # share of the company traded per day
    drift_runs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # company, first day, last day, daily drift
    jumps: tuple[np.ndarray, np.ndarray, np.ndarray]  # company, day, extra return that day
    splits: tuple[np.ndarray, np.ndarray, np.ndarray]  # company, ex-day, ratio
    failed: np.ndarray  # delisted without a buyer

    @property
    def n(self) -> int:
        return len(self.symbol)

    def shares_at(self, day) -> np.ndarray:
        """Shares outstanding in first-day units (before splits); day broadcasts against companies."""
        return self.shares0 * np.exp(self.share_growth * np.asarray(day)[..., None] / TRADING_DAYS_PER_YEAR)

    def shares_on(self, company: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Shares outstanding (first-day units) of each company on the paired day."""
        return self.shares0[company] * np.exp(self.share_growth[company] * day / TRADING_DAYS_PER_YEAR)

    def split_multiple(self, day: int) -> np.ndarray:
        """New shares per first-day share after the splits up to and including day."""
        multiple = np.ones(self.n)
        company, ex_day, ratio = self.splits
        for c, d, r in zip(company, ex_day, ratio, strict=True):
            if d <= day:
                multiple[c] *= r
        return multiple


def make_tickers(count: int, taken: set[str], rng: np.random.Generator, lengths=(3, 4), suffix: str = "") -> np.ndarray:
    """Unique random upper-case tickers that avoid the taken ones, in draw order."""
    found: list[str] = []
    seen = set(taken)
    while len(found) < count:
        batch = 2 * (count - len(found)) + 16
        size = rng.choice(lengths, batch)
        letters = rng.integers(0, 26, (batch, max(lengths)))
        for word_len, row in zip(size, letters, strict=True):
            word = "".join(chr(65 + x) for x in row[:word_len]) + suffix
            if word not in seen:
                seen.add(word)
                found.append(word)
    return np.array(found[:count], dtype=object)


def _company_names(sector: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    n = len(sector)
    first = np.array(NAME_WORDS, dtype=object)[rng.integers(0, len(NAME_WORDS), n)]
    second = np.array(NAME_WORDS, dtype=object)[rng.integers(0, len(NAME_WORDS), n)]
    noun = np.array(SECTOR_NOUNS, dtype=object)[sector, rng.integers(0, len(SECTOR_NOUNS[0]), n)]
    suffix = np.array(NAME_SUFFIXES, dtype=object)[rng.integers(0, len(NAME_SUFFIXES), n)]
    two_words = rng.random(n) < 0.4
    return np.where(two_words, first + " " + second + " " + noun + " " + suffix, first + " " + noun + " " + suffix)


def _deal_months(tl: Timeline) -> pd.PeriodIndex:
    return pd.period_range(tl.days[0].to_period("M") + 1, tl.days[-1].to_period("M"), freq="M")


def _deal_counts(n_months: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A steady Poisson rate, then a planted end state: nine months at the rate (rounded)
    and the latest three at 1.6 times it, at least one a month ("accelerating" against
    the trailing 12 months)."""
    counts = rng.poisson(rate, n_months)
    counts[-12:] = round(rate)
    counts[-3:] = max(1, int(np.ceil(1.6 * rate)))
    return counts


def plan_deals(
    tl: Timeline, small_pool: np.ndarray, large_pool: np.ndarray, n_small: int, rng: np.random.Generator
) -> Deals:
    months = _deal_months(tl)
    counts = _deal_counts(len(months), DEALS_PER_SMALL_COMPANY_MONTH * n_small, rng)
    month_start = np.searchsorted(tl.days, months.start_time)
    month_end = np.searchsorted(tl.days, months.end_time, side="right")
    month = np.repeat(np.arange(len(months)), counts)
    announce = month_start[month] + (rng.random(len(month)) * (month_end - month_start)[month]).astype(int)
    announce = np.sort(announce)
    # About one deal in ten is for a large company, never in the planted final year.
    large_target = (rng.random(len(announce)) < 0.10) & (month < len(months) - 12)
    target = np.full(len(announce), -1)
    for pool, chosen in ((small_pool, ~large_target), (large_pool, large_target)):
        # Latest deals first: if a pool runs out, the oldest deals go, never the planted end state.
        latest_first = np.flatnonzero(chosen)[::-1]
        take = min(len(latest_first), len(pool))
        target[latest_first[:take]] = pool[:take]
    kept = target >= 0
    announce, target = announce[kept], target[kept]
    close_day = announce + rng.integers(40, 131, len(announce))
    withdrawn = rng.random(len(announce)) < 0.15
    completed = ~withdrawn & (close_day < tl.n)
    status = np.where(withdrawn, "withdrawn", np.where(completed, "completed", "announced")).astype(object)
    return Deals(
        target,
        announce,
        np.where(completed, close_day, -1),
        status,
        rng.uniform(1.15, 1.50, len(announce)),
        rng.integers(0, 2, len(announce)),
    )


def _initial_caps_and_prices(home: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = len(home)
    small_cap = np.clip(rng.lognormal(np.log(1.2e9), 0.8, n), 1.5e8, 1.0e10)
    large_cap = np.clip(rng.lognormal(np.log(6e10), 1.0, n), 1.2e10, 3.0e12)
    small_price = np.clip(rng.lognormal(np.log(22), 0.8, n), 3, 250)
    large_price = np.clip(rng.lognormal(np.log(120), 0.7, n), 20, 900)
    is_small = home == SMALL
    return np.where(is_small, small_cap, large_cap), np.where(is_small, small_price, large_price)


def _roles(n_small: int, n_large: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Which initial companies fail, migrate, split, or are left for acquirers."""
    small, large = rng.permutation(n_small), n_small + rng.permutation(n_large)
    counts = {
        "failures": max(1, n_small // 300),
        "migrants": max(1, n_small // 150),
        "reverse_splits": 1,
        "forward_small": max(1, n_small // 200),
    }
    roles, at = {}, 0
    for role, count in counts.items():
        roles[role], at = small[at : at + count], at + count
    roles["small_pool"] = small[at:]
    n_forward_large = max(1, n_large // 100)
    roles["forward_large"], roles["large_pool"] = large[:n_forward_large], large[n_forward_large:]
    return roles


def build_companies(
    params: SampleParams, tl: Timeline, rng: np.random.Generator, benchmark_symbols: set[str]
) -> tuple[Companies, Deals]:
    _require(params.n_small >= 30 and params.n_large >= 10, "the sample market needs n_small >= 30 and n_large >= 10")
    n_initial = params.n_small + params.n_large
    roles = _roles(params.n_small, params.n_large, rng)
    deals = plan_deals(tl, roles["small_pool"], roles["large_pool"], params.n_small, rng)
    failures, migrants = roles["failures"], roles["migrants"]
    last_day = np.full(n_initial, tl.n - 1)
    acquired = deals.status == "completed"
    last_day[deals.target[acquired]] = deals.close_day[acquired]
    last_day[failures] = rng.integers(int(0.3 * tl.n), int(0.85 * tl.n), len(failures))
    migrate_at = np.full(n_initial, -1)
    n_snap = len(tl.snapshots)
    migrate_at[migrants] = rng.integers(int(0.35 * n_snap), int(0.75 * n_snap), len(migrants))

    # IPOs replenish the small index for what acquisitions and failures take out of it; in the
    # year before the audit date they outnumber the removals (the universe_replenished claim).
    acquired_small = int(np.sum(acquired & (deals.target < params.n_small)))
    first_day = _ipo_days(
        tl, max(3, acquired_small + len(failures)), _removals_in_audit_year(tl, last_day, migrate_at, params), rng
    )
    n_ipo = len(first_day)
    n = n_initial + n_ipo
    home = np.concatenate([np.full(params.n_small, SMALL), np.full(params.n_large, LARGE), np.full(n_ipo, SMALL)])
    first_day = np.concatenate([np.zeros(n_initial, dtype=int), first_day])
    last_day = np.concatenate([last_day, np.full(n_ipo, tl.n - 1)])
    migrate_at = np.concatenate([migrate_at, np.full(n_ipo, -1)])

    sector = np.empty(n, dtype=int)
    for index in (SMALL, LARGE):
        sector[home == index] = rng.choice(len(SECTORS), int(np.sum(home == index)), p=SECTOR_MIX[index])
    cap0, price0 = _initial_caps_and_prices(home, rng)
    cap0[migrants] = rng.uniform(5e9, 9e9, len(migrants))

    splits = _plan_splits(tl, roles, price0, rng)
    is_small = home == SMALL
    drift_company = np.concatenate([failures, migrants])
    drift_last = np.concatenate([last_day[failures], tl.snapshots[migrate_at[migrants]]])
    drift_first = np.maximum(drift_last - TRADING_DAYS_PER_YEAR, 1)
    drift_rate = np.concatenate([np.full(len(failures), FAILURE_DRIFT), np.full(len(migrants), MIGRANT_DRIFT)])
    symbols = make_tickers(n, benchmark_symbols, rng)
    companies = Companies(
        symbol=symbols,
        name=_company_names(sector, rng),
        sector=sector,
        home=home,
        first_day=first_day,
        last_day=last_day,
        migrate_at=migrate_at,
        beta=np.clip(rng.normal(1.0, np.where(is_small, 0.25, 0.2)), 0.4, 1.8),
        vol=np.where(is_small, rng.uniform(0.016, 0.032, n), rng.uniform(0.009, 0.018, n)),
        price0=price0,
        shares0=cap0 / price0,
        share_growth=rng.normal(0.0, 0.015, n),
        turnover=np.where(is_small, rng.uniform(0.003, 0.015, n), rng.uniform(0.003, 0.008, n)),
        drift_runs=(drift_company, drift_first, drift_last, drift_rate),
        # An agreed bid lifts the target's price to near the offer on the announcement day.
        jumps=(deals.target, deals.announce_day, deals.premium * rng.uniform(0.93, 0.99, len(deals.target)) - 1),
        splits=splits,
        failed=np.isin(np.arange(n), failures),
    )
    return companies, deals


def audit_year_snapshots(tl: Timeline) -> np.ndarray:
    """Positions (in tl.snapshots) of the snapshots in the 12 months up to the audit date."""
    dates = tl.days[tl.snapshots]
    since = AUDIT_DATE - pd.DateOffset(months=CLAIM_UNIVERSE_MONTHS)
    inside = np.flatnonzero((dates > since) & (dates <= AUDIT_DATE))
    _require(len(inside) >= 2 and inside[0] >= 1, "the audit year needs two snapshots and one before them")
    return inside


def _removals_in_audit_year(tl: Timeline, last_day: np.ndarray, migrate_at: np.ndarray, params: SampleParams) -> int:
    """Initial small companies that leave the small index at the audit year's snapshots:
    delisted (acquired or failed) since the snapshot before the first, or migrated at one."""
    inside = audit_year_snapshots(tl)
    small = np.arange(len(last_day)) < params.n_small
    since, until = tl.snapshots[inside[0] - 1], tl.snapshots[inside[-1]]
    delisted = small & (last_day >= since) & (last_day < until)
    migrated = small & (migrate_at >= inside[0]) & (migrate_at <= inside[-1])
    return int(np.sum(delisted | migrated))


IPO_SURPLUS = (2, 4)  # the audit year's IPOs outnumber its removals by 2 or 3
IPO_OTHER_MIN = 2


def _ipo_days(tl: Timeline, n_replenish: int, removals: int, rng: np.random.Generator) -> np.ndarray:
    """First trading days of the IPOs, sorted: removals + IPO_SURPLUS of them join the small
    index at the audit year's snapshots (they list from the snapshot before the first of them
    to the day before the last), the others list at any other time."""
    inside = audit_year_snapshots(tl)
    since, until = tl.snapshots[inside[0] - 1], tl.snapshots[inside[-1]]
    n_year = removals + int(rng.integers(*IPO_SURPLUS))
    elsewhere = np.r_[20:since, until : tl.n - 30]
    n_other = max(n_replenish - n_year, IPO_OTHER_MIN)
    days = np.concatenate([rng.integers(max(since, 1), until, n_year), rng.choice(elsewhere, n_other)])
    return np.sort(days)


def _plan_splits(tl: Timeline, roles: dict, price0: np.ndarray, rng: np.random.Generator):
    """Forward splits of high-priced shares and one reverse split of a penny stock."""
    forward = np.concatenate([roles["forward_small"], roles["forward_large"]])
    ratio = rng.choice([2.0, 3.0, 4.0], len(forward), p=[0.6, 0.2, 0.2])
    price0[forward] *= ratio * rng.uniform(1.5, 3.0, len(forward))  # priced high enough to want a split
    reverse = roles["reverse_splits"]
    price0[reverse] = rng.uniform(1.0, 2.5, len(reverse))
    company = np.concatenate([forward, reverse])
    ratios = np.concatenate([ratio, np.full(len(reverse), 0.1)])  # 1-for-10: 0.1 new shares per old share
    ex_day = rng.integers(int(0.15 * tl.n), int(0.85 * tl.n), len(company))
    return company, ex_day, ratios


# ---------------------------------------------------------------------------------------
# Company prices: constituents add up to their index
# ---------------------------------------------------------------------------------------

SECTOR_VOL = 0.005


def index_of(companies: Companies, tl: Timeline, snapshot: int) -> np.ndarray:
    """Each company's index at a snapshot: SMALL, LARGE, or -1 when not a member."""
    day = tl.snapshots[snapshot]
    # IPOs join at the first snapshot after their first trading day; delisted companies
    # leave at the first snapshot after their last one.
    listed = (companies.first_day == 0) | (companies.first_day < day)
    alive = listed & (companies.last_day >= day)
    migrated = (companies.migrate_at >= 0) & (snapshot >= companies.migrate_at)
    return np.where(alive, np.where(migrated, LARGE, companies.home), -1)


def snapshot_weights(levels: np.ndarray, companies: Companies, tl: Timeline, snapshot: int, index: int):
    """Members of an index at a snapshot and their cap weights."""
    members = np.flatnonzero(index_of(companies, tl, snapshot) == index)
    day = tl.snapshots[snapshot]
    cap = levels[day, members] * companies.shares_at(day)[members]
    return members, cap / cap.sum()


def _block_shocks(
    companies: Companies,
    days: np.ndarray,
    vol_multiplier: np.ndarray,
    sector_shock: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Every company's own daily return shocks over a block of days: idiosyncratic noise,
    its sector's move, planted drifts (failures, migrants) and bid jumps."""
    idio_scale = 1 + (vol_multiplier[days] - 1) / 2  # crises lift single-stock volatility less than the index's
    shocks = companies.vol * idio_scale[:, None] * _unit_t(rng, (len(days), companies.n))
    shocks += sector_shock[days][:, companies.sector]
    company, first, last, rate = companies.drift_runs
    for c, d0, d1, r in zip(company, first, last, rate, strict=True):
        shocks[(days >= d0) & (days <= d1), c] += r
    jump_company, jump_day, jump = companies.jumps
    inside = (jump_day >= days[0]) & (jump_day <= days[-1])
    np.add.at(shocks, (jump_day[inside] - days[0], jump_company[inside]), jump[inside])
    return shocks


def _tie_to_index(
    returns: np.ndarray,
    shocks: np.ndarray,
    trading: np.ndarray,
    members: np.ndarray,
    weights: np.ndarray,
    beta: np.ndarray,
    index_return: np.ndarray,
) -> None:
    """Member returns = beta' x index + shock - weighted mean shock, so the weighted member
    return is the index return exactly (weights renormalised over members still trading)."""
    w = weights[None, :] * trading[:, members]
    w /= w.sum(axis=1, keepdims=True)
    mean_shock = (w * shocks[:, members]).sum(axis=1)
    mean_beta = w @ beta[members]
    returns[:, members] = (
        beta[members][None, :] / mean_beta[:, None] * index_return[:, None] + shocks[:, members] - mean_shock[:, None]
    )


# "Defense, technology and healthcare lead the resurgence": over the 6 months to the audit
# date each of these sectors of the small index beats the index by this much (relative_6m:
# the buy-and-hold return of the sector's members minus all members', docs/metrics.md).
SECTOR_LEADERS = ("Industrials", "Technology", "Health Care")
SECTOR_LEAD = (0.04, 0.07)
SECTOR_LEAD_PASSES = 2  # corrections of the drift: one leaves up to 0.1 point off the target, two 1e-5


@dataclass(frozen=True)
class SectorLead:
    start: int  # the window's start: the last trading day on or before the audit date - 6 months
    end: int  # the audit date
    target: np.ndarray  # per sector: the planted relative_6m, NaN for the sectors left alone


def plan_sector_lead(tl: Timeline, rng: np.random.Generator) -> SectorLead:
    start = tl.at_or_before(AUDIT_DATE - pd.DateOffset(months=max(SECTOR_WINDOWS_MONTHS)))
    target = np.full(len(SECTORS), np.nan)
    leaders = [SECTORS.index(s) for s in SECTOR_LEADERS]
    target[leaders] = rng.uniform(*SECTOR_LEAD, len(leaders))
    return SectorLead(start, tl.audit, target)


def _walk_block(
    levels: np.ndarray,
    companies: Companies,
    tl: Timeline,
    snapshot: int,
    days: np.ndarray,
    shocks: np.ndarray,
    index_returns: dict[int, np.ndarray],
    drift: np.ndarray | None = None,
    lead: SectorLead | None = None,
) -> None:
    """One snapshot period of company_levels: member returns tied to their index, then levels.
    `drift` (per sector, a day) is added to the small-index members' shocks inside lead's window."""
    trading = (days[:, None] > companies.first_day) & (days[:, None] <= companies.last_day)
    home_return = np.where(companies.home == SMALL, 0, 1)
    returns = companies.beta * np.stack([index_returns[SMALL][days], index_returns[LARGE][days]], 1)[:, home_return]
    returns += shocks
    for index in (SMALL, LARGE):
        members, weights = snapshot_weights(levels, companies, tl, snapshot, index)
        tied = shocks
        if index == SMALL and drift is not None:
            inside = np.flatnonzero((days > lead.start) & (days <= lead.end))
            tied = shocks.copy()
            tied[np.ix_(inside, members)] += drift[companies.sector[members]]
        _tie_to_index(returns, tied, trading, members, weights, companies.beta, index_returns[index][days])
    returns[~trading] = 0.0
    levels[days] = levels[days[0] - 1] * np.cumprod(1 + returns, axis=0)


def _lead_window(levels: np.ndarray, companies: Companies, tl: Timeline, lead: SectorLead):
    """What relative_6m reads: the members of the small index's snapshot in force at the
    window's start, their snapshot weights drifted to the start, their growth to the end (a
    delisted member keeps its last close) and the days of the window each one traded."""
    snapshot = int(np.searchsorted(tl.snapshots, lead.start, side="right")) - 1
    members, weights = snapshot_weights(levels, companies, tl, snapshot, SMALL)
    held = weights * levels[lead.start, members] / levels[tl.snapshots[snapshot], members]
    growth = levels[lead.end, members] / levels[lead.start, members]
    traded = np.clip(np.minimum(companies.last_day[members], lead.end) - lead.start, 0, None)
    return companies.sector[members], held, growth, traded


def _relative(sector: np.ndarray, held: np.ndarray, growth: np.ndarray) -> np.ndarray:
    k = len(SECTORS)
    with np.errstate(invalid="ignore"):
        by_sector = np.bincount(sector, held * growth, k) / np.bincount(sector, held, k)
    return by_sector - held @ growth / held.sum()


def _lead_drift(levels: np.ndarray, companies: Companies, tl: Timeline, lead: SectorLead) -> np.ndarray:
    """The daily drift to add to the leaders' shocks inside the window so that their
    relative_6m reaches the target, on a model of the tie: a drift d_k on sector k's members
    lifts them by d_k and every member by -sum_l W_l d_l, over the days each one trades."""
    sector, held, growth, traded = _lead_window(levels, companies, tl, lead)
    leader = ~np.isnan(lead.target)
    present = leader & (np.bincount(sector, held, len(SECTORS)) > 0)
    share = np.bincount(sector, held * (traded > 0), len(SECTORS)) / np.sum(held * (traded > 0))
    days = lead.end - lead.start
    drift = np.zeros(len(SECTORS))
    for _ in range(30):
        moved = growth * np.exp(traded * (drift[sector] - share @ drift))
        gap = np.where(present, lead.target - _relative(sector, held, moved), 0.0)
        drift += gap / (days * (1 - share))
    return drift


def company_levels(
    companies: Companies,
    tl: Timeline,
    index_returns: dict[int, np.ndarray],
    rng: np.random.Generator,
    lead: SectorLead | None = None,
) -> np.ndarray:
    """Close of every company on every day in first-day share units (frozen outside its life).

    Walked one snapshot period at a time: weights come from caps at the period's snapshot.
    With a sector lead, the periods from the lead's window on are walked again with the
    leaders' drift, corrected from what the previous walk gave (SECTOR_LEAD_PASSES times).
    """
    _, vol_multiplier = _regimes(tl.days)
    sector_shock = SECTOR_VOL * _unit_t(rng, (tl.n, len(SECTORS))) * vol_multiplier[:, None]
    levels = np.empty((tl.n, companies.n))
    levels[0] = companies.price0
    bounds = np.append(tl.snapshots, tl.n - 1)
    again = []
    for snapshot in range(len(tl.snapshots)):
        days = np.arange(bounds[snapshot] + 1, bounds[snapshot + 1] + 1)
        if len(days) == 0:
            continue
        shocks = _block_shocks(companies, days, vol_multiplier, sector_shock, rng)
        _walk_block(levels, companies, tl, snapshot, days, shocks, index_returns)
        if lead is not None and days[-1] > lead.start:
            again.append((snapshot, days, shocks))
    drift = np.zeros(len(SECTORS))
    for _ in range(SECTOR_LEAD_PASSES if lead is not None else 0):
        drift += _lead_drift(levels, companies, tl, lead)
        for snapshot, days, shocks in again:
            _walk_block(levels, companies, tl, snapshot, days, shocks, index_returns, drift, lead)
    return levels


# ---------------------------------------------------------------------------------------
# Price rows
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceSeries:
    """Many symbols' adjusted closes in one matrix, plus what turns them into daily bars."""

    symbol: np.ndarray  # object, one per column
    adjusted: np.ndarray  # (days, columns) adjusted close: continuous, in today's share units
    first_day: np.ndarray
    last_day: np.ndarray
    vol: np.ndarray  # daily volatility, sizes the overnight gap and the intraday range
    volume_base: np.ndarray  # typical shares traded per day at day 0, in today's share units
    volume_growth: np.ndarray  # yearly log growth of that volume (share issuance)
    # (column, day, factor): every raw price before `day` is the adjusted one times factor
    # (a split ratio, or 1 / (1 - payout) for a distribution).
    adjustments: tuple[np.ndarray, np.ndarray, np.ndarray]


def _rows_of(series: PriceSeries):
    """(column, day) of every traded day in symbol then date order, and where each column's rows start."""
    order = np.argsort(series.symbol, kind="stable")
    count = series.last_day[order] - series.first_day[order] + 1
    column = np.repeat(order, count).astype(np.int32)
    first_row = np.cumsum(count) - count
    day = (np.repeat(series.first_day[order] - first_row, count) + np.arange(count.sum())).astype(np.int32)
    row_start = np.empty(len(order), dtype=np.int64)
    row_start[order] = first_row
    return column, day, row_start


def _raw_multiple(series: PriceSeries, n_rows: int, row_start: np.ndarray) -> np.ndarray:
    """Raw price / adjusted price for every row."""
    multiple = np.ones(n_rows)
    for column, ex_day, factor in zip(*series.adjustments, strict=True):
        first = row_start[column]
        multiple[first : first + max(ex_day - series.first_day[column], 0)] *= factor
    return multiple


def _as_raw(adjusted_prices: np.ndarray, to_raw: np.ndarray) -> np.ndarray:
    """Raw prices to 4 decimals, computed in place (the bars are millions of rows)."""
    adjusted_prices *= to_raw
    return np.round(adjusted_prices, 4, out=adjusted_prices)


def price_rows(series: PriceSeries, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Daily bars: an overnight gap from the previous close, an intraday range around open
    and close, and a volume that rises on big moves. Columns are added one by one and
    temporaries dropped early, to keep the peak memory of millions of rows low."""
    column, day, row_start = _rows_of(series)
    bars = pd.DataFrame({"symbol": series.symbol[column], "date": days[day]})
    adjusted = series.adjusted[day, column]
    previous = series.adjusted[np.maximum(day - 1, 0), column]
    first_row = day == series.first_day[column]
    previous[first_row] = adjusted[first_row]
    del first_row
    to_raw = _raw_multiple(series, len(day), row_start)
    vol = series.vol[column]
    open_ = previous * np.exp(0.3 * vol * rng.standard_normal(len(day), dtype=np.float32))
    move = np.abs(np.log(adjusted / previous))
    del previous
    high = np.maximum(open_, adjusted) * np.exp(0.5 * vol * np.abs(rng.standard_normal(len(day), dtype=np.float32)))
    low = np.minimum(open_, adjusted) * np.exp(-0.5 * vol * np.abs(rng.standard_normal(len(day), dtype=np.float32)))
    del vol
    # Rounding is monotone, so low <= open, close <= high survives it.
    bars["close"] = _as_raw(adjusted.copy(), to_raw)
    bars["open"] = _as_raw(open_, to_raw)
    bars["high"] = _as_raw(high, to_raw)
    bars["low"] = _as_raw(low, to_raw)
    bars["adj_close"] = np.round(adjusted, 6, out=adjusted)
    del open_, high, low, adjusted
    # Busier on big moves; divided by the raw multiple because before a split fewer, dearer shares traded.
    volume = series.volume_base[column] * np.exp(series.volume_growth[column] * day / TRADING_DAYS_PER_YEAR)
    volume *= rng.lognormal(0, 0.35, len(day)) * (1 + 10 * move) / to_raw
    bars["volume"] = np.round(volume, out=volume)
    bars["split_basis_date"] = pd.NaT  # as traded: splits show in the closes on their ex-dates
    return bars


BENCHMARK_START_CLOSE = {SMALL: 150.0, LARGE: 300.0}
BENCHMARK_DIVIDEND_YIELD = {SMALL: 0.013, LARGE: 0.014}
BENCHMARK_VOLUME = {SMALL: 3.0e7, LARGE: 7.0e7}
BENCHMARK_VOL = {SMALL: 0.012, LARGE: 0.009}


def _distribution_days(days: pd.DatetimeIndex) -> np.ndarray:
    """Quarterly ETF ex-dates: the first trading day on or after the 20th of Mar/Jun/Sep/Dec."""
    eligible = np.asarray(days.month.isin([3, 6, 9, 12]) & (days.day >= 20))
    month = (days.year * 12 + days.month).to_numpy()
    follows_eligible = np.r_[False, eligible[:-1] & (month[1:] == month[:-1])]
    return np.flatnonzero(eligible & ~follows_eligible)


def _benchmark_adjusted(log_returns: np.ndarray, index: int, payout: np.ndarray, ex_days: np.ndarray) -> np.ndarray:
    # Scaled so that the first raw close is the chosen start level.
    keep_on_start = np.prod(1 - payout[ex_days > 0])
    return BENCHMARK_START_CLOSE[index] * keep_on_start * np.exp(np.cumsum(log_returns))


def build_prices(
    tl: Timeline,
    companies: Companies,
    levels: np.ndarray,
    log_returns: dict[int, np.ndarray],
    params: SampleParams,
    rng: np.random.Generator,
) -> pd.DataFrame:
    n = companies.n
    split_company, split_day, split_ratio = companies.splits
    total_split = np.ones(n)
    np.multiply.at(total_split, split_company, split_ratio)
    adjusted = np.empty((tl.n, n + 2))
    adjusted[:, :n] = levels
    adjusted[:, :n] /= total_split  # first-day share units become today's (the adjusted close)
    ex_days = _distribution_days(tl.days)
    adjustments = [(split_company, split_day, split_ratio)]
    for index in (SMALL, LARGE):
        payout = BENCHMARK_DIVIDEND_YIELD[index] / 4 * rng.uniform(0.85, 1.15, len(ex_days))
        adjusted[:, n + index] = _benchmark_adjusted(log_returns[index], index, payout, ex_days)
        adjustments.append((np.full(len(ex_days), n + index), ex_days, 1 / (1 - payout)))
    series = PriceSeries(
        symbol=np.concatenate([companies.symbol, np.array([params.small_symbol, params.large_symbol], dtype=object)]),
        adjusted=adjusted,
        first_day=np.concatenate([companies.first_day, [0, 0]]),
        last_day=np.concatenate([companies.last_day, [tl.n - 1, tl.n - 1]]),
        vol=np.concatenate([companies.vol, [BENCHMARK_VOL[SMALL], BENCHMARK_VOL[LARGE]]]),
        volume_base=np.concatenate(
            [companies.turnover * companies.shares0 * total_split, [BENCHMARK_VOLUME[SMALL], BENCHMARK_VOLUME[LARGE]]]
        ),
        volume_growth=np.concatenate([companies.share_growth, [0.0, 0.0]]),
        adjustments=tuple(np.concatenate(parts) for parts in zip(*adjustments, strict=True)),
    )
    return price_rows(series, tl.days, rng)


# ---------------------------------------------------------------------------------------
# Index snapshots and splits
# ---------------------------------------------------------------------------------------


def build_universe(tl: Timeline, companies: Companies, levels: np.ndarray, params: SampleParams) -> pd.DataFrame:
    sector_names = np.array(SECTORS, dtype=object)
    frames = []
    for snapshot, day in enumerate(tl.snapshots):
        shares = companies.shares_at(day) * companies.split_multiple(day)
        for index, index_id in ((SMALL, params.small_index), (LARGE, params.large_index)):
            members, weights = snapshot_weights(levels, companies, tl, snapshot, index)
            frames.append(
                pd.DataFrame(
                    {
                        "index_id": index_id,
                        "symbol": companies.symbol[members],
                        "as_of_date": tl.days[day],
                        "name": companies.name[members],
                        "sector": sector_names[companies.sector[members]],
                        "weight": weights,
                        "shares_outstanding": np.round(shares[members]),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True).sort_values(["index_id", "as_of_date", "symbol"], ignore_index=True)


def build_splits(tl: Timeline, companies: Companies) -> pd.DataFrame:
    company, ex_day, ratio = companies.splits
    return pd.DataFrame({"symbol": companies.symbol[company], "date": tl.days[ex_day], "ratio": ratio}).sort_values(
        ["symbol", "date"], ignore_index=True
    )


# ---------------------------------------------------------------------------------------
# Fundamentals: quarterly earnings, restatements, estimates
# ---------------------------------------------------------------------------------------

# P/E (ex losses) the earnings are scaled to, by fiscal period end, interpolated between
# knots and flat beyond them. Level until mid-2022, then small-cap multiples compress and
# large-cap ones expand: the discount at the audit date sits well below its history median
# even after the planted surge lifts small-cap prices.
PE_KNOTS = {
    SMALL: (("2015-01-01", 18.8), ("2022-06-30", 18.5), ("2025-09-30", 16.0)),
    LARGE: (("2015-01-01", 20.5), ("2022-06-30", 20.5), ("2025-09-30", 23.0)),
}
LOSS_SHARE_AT_AUDIT = {SMALL: (0.385, 0.415), LARGE: (0.05, 0.09)}  # by count, TTM at the audit date
LOSS_SHARE_ELSEWHERE = {SMALL: 0.40, LARGE: 0.07}
IPO_LOSS_SHARE = 0.60
LOSS_RATE = {SMALL: (0.01, 0.05), LARGE: (0.005, 0.03)}  # yearly loss as a share of market cap
SALES_TO_CAP = {SMALL: (0.25, 1.6), LARGE: (0.15, 0.8)}
# The planted earnings turn: from fiscal quarters ending in 2025H2 on, profits grow this
# much on the same quarter a year before and losses narrow, which gives the small index a
# same-company YoY growth above 15% in 2025Q4.
EARNINGS_TURN_FROM = np.datetime64("2025-07-01")
PROFIT_GROWTH = {SMALL: (0.20, 0.05), LARGE: (0.08, 0.04)}  # mean, sd
LOSS_NARROWING = (0.85, 1.0)  # this year's loss / the loss a year before
# Fiscal states switch (loss <-> profit) only before this, so the audit-date TTMs are clean.
LAST_STATE_SWITCH = np.datetime64("2024-06-30")
STATE_SWITCH_SHARE = 0.25
COVID_QUARTERS = (np.datetime64("2020-04-01"), np.datetime64("2020-09-30"))
COVID_AFTERMATH = (np.datetime64("2020-10-01"), np.datetime64("2020-12-31"))
RESTATEMENT_SHARE = 0.02
# A few filings are missing (a gap breaks the four consecutive quarters), only in older
# history so that every TTM at the audit date is unambiguous.
MISSING_FILING_SHARE = 0.003
MISSING_FILING_BEFORE = np.datetime64("2023-01-01")
ESTIMATE_COVERAGE = 0.6
ESTIMATE_LEAD_DAYS = (84, 56, 28, 7)
SMOOTHING_DAYS = 63  # earnings follow the quarter's average market cap, not the last close
HISTORY_BEFORE_START_DAYS = 550  # earnings start this long before prices, so early TTMs exist


@dataclass(frozen=True)
class FiscalGrid:
    """Every company's fiscal quarters over the history, one column per quarter slot."""

    period_end: np.ndarray  # (companies, slots) datetime64[D]
    report: np.ndarray  # datetime64[D]: filing date
    filed: np.ndarray  # in the earnings table
    upcoming: np.ndarray  # not yet reported at the end date: estimates only
    trading_day: np.ndarray  # last trading day at or before the period end (clamped to the history)


def _month_end(months_since_1970: np.ndarray) -> np.ndarray:
    return (np.datetime64("1970-01", "M") + months_since_1970 + 1).astype("datetime64[D]") - 1


def _months_since_1970(when: pd.Timestamp) -> int:
    return (when.year - 1970) * 12 + when.month - 1


def _fiscal_calendars(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Month offset of the quarter ends from Mar/Jun/Sep/Dec and the fiscal year's last month.

    About 20% of companies close their quarters in other months (Jan/Apr/Jul/Oct or
    Feb/May/Aug/Nov), which exercises the calendar-quarter mapping.
    """
    offset = rng.choice(3, n, p=[0.8, 0.12, 0.08])
    year_end = {
        0: ([12, 6, 9], [0.85, 0.10, 0.05]),
        1: ([1, 10, 4, 7], [0.6, 0.25, 0.1, 0.05]),
        2: ([2, 8, 11, 5], [0.5, 0.3, 0.15, 0.05]),
    }
    fiscal_year_end = np.empty(n, dtype=int)
    for o, (months, odds) in year_end.items():
        fiscal_year_end[offset == o] = rng.choice(months, int(np.sum(offset == o)), p=odds)
    return offset, fiscal_year_end


def build_fiscal_grid(tl: Timeline, companies: Companies, rng: np.random.Generator) -> FiscalGrid:
    n = companies.n
    first = _months_since_1970(tl.days[0] - pd.Timedelta(days=HISTORY_BEFORE_START_DAYS))
    first -= (first - 2) % 3  # back to a calendar quarter's last month
    slots = (_months_since_1970(tl.days[-1]) + 4 - first) // 3 + 1
    offset, fiscal_year_end = _fiscal_calendars(n, rng)
    month = first + 3 * np.arange(slots)[None, :] + offset[:, None]
    period_end = _month_end(month)
    fourth_quarter = (month % 12 + 1) == fiscal_year_end[:, None]
    lag = np.where(fourth_quarter, rng.integers(45, 81, month.shape), rng.integers(20, 61, month.shape))
    report = np.busday_offset(period_end + lag, 0, roll="forward")
    end = tl.days[-1].to_datetime64().astype("datetime64[D]")
    day_dates = tl.days.to_numpy().astype("datetime64[D]")
    listed_from, listed_to = day_dates[companies.first_day][:, None], day_dates[companies.last_day][:, None]
    after_listing = (companies.first_day == 0)[:, None] | (period_end >= listed_from)
    missing = (rng.random(month.shape) < MISSING_FILING_SHARE) & (period_end < MISSING_FILING_BEFORE)
    filed = (report <= end) & (report <= listed_to) & after_listing & ~missing
    still_listed = (companies.last_day == tl.n - 1)[:, None]
    upcoming = (report > end) & (period_end <= end + 92) & still_listed & after_listing
    trading_day = (np.searchsorted(day_dates, period_end, side="right") - 1).clip(0, tl.n - 1)
    return FiscalGrid(period_end, report, filed, upcoming, trading_day)


def has_ttm_at(grid: FiscalGrid, when: np.datetime64) -> np.ndarray:
    """Companies whose latest four filed quarters visible at `when` are consecutive."""
    visible = grid.filed & (grid.report <= when)
    slots = visible.shape[1]
    latest = slots - 1 - np.argmax(visible[:, ::-1], axis=1)
    four = (latest[:, None] - np.arange(4)).clip(0)
    consecutive = visible[np.arange(len(visible))[:, None], four].all(axis=1)
    return visible.any(axis=1) & (latest >= 3) & consecutive


def _pick_weighted(pool: np.ndarray, odds: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """count members of pool drawn without replacement in proportion to odds (Gumbel top-k)."""
    keys = np.log(odds) + rng.gumbel(size=len(pool))
    return pool[np.argsort(-keys, kind="stable")[:count]]


def loss_makers(tl: Timeline, companies: Companies, grid: FiscalGrid, rng: np.random.Generator) -> np.ndarray:
    """Who is a loss-maker (TTM < 0) at the audit date: an exact planted share of each
    index's constituents with data, chosen with sector odds and more often among the
    smaller companies (so the index's aggregate earnings stay positive); others at a base rate."""
    base = np.where(
        companies.first_day > 0,
        IPO_LOSS_SHARE,
        np.where(companies.home == SMALL, LOSS_SHARE_ELSEWHERE[SMALL], LOSS_SHARE_ELSEWHERE[LARGE]),
    )
    loss = rng.random(companies.n) < base
    snapshot = int(np.searchsorted(tl.snapshots, tl.audit, side="right")) - 1
    member_of = index_of(companies, tl, snapshot)
    with_data = has_ttm_at(grid, AUDIT_DATE.to_datetime64().astype("datetime64[D]"))
    first_cap = companies.shares0 * companies.price0
    for index in (SMALL, LARGE):
        pool = np.flatnonzero((member_of == index) & with_data)
        count = round(rng.uniform(*LOSS_SHARE_AT_AUDIT[index]) * len(pool))
        size_odds = np.sqrt(np.median(first_cap[pool]) / first_cap[pool])
        loss[pool] = False
        loss[_pick_weighted(pool, LOSS_ODDS[companies.sector[pool]] * size_odds, count, rng)] = True
    loss[companies.failed] = True
    return loss


def _smoothed_caps(levels: np.ndarray, companies: Companies, trading_day: np.ndarray) -> np.ndarray:
    """Average market cap over the SMOOTHING_DAYS trading days up to each slot's period end."""
    needed, where = np.unique(trading_day, return_inverse=True)
    caps = np.empty((len(needed), companies.n))
    for i, day in enumerate(needed):
        window = np.arange(max(0, day - SMOOTHING_DAYS + 1), day + 1)
        caps[i] = (levels[window] * companies.shares_at(window)).mean(axis=0)
    return caps[where.reshape(trading_day.shape), np.arange(companies.n)[:, None]]


def _by_home(companies: Companies, values: dict) -> np.ndarray:
    return np.where(companies.home == SMALL, values[SMALL], values[LARGE])


def _uniform_by_home(companies: Companies, ranges: dict, rng: np.random.Generator) -> np.ndarray:
    return np.where(
        companies.home == SMALL, rng.uniform(*ranges[SMALL], companies.n), rng.uniform(*ranges[LARGE], companies.n)
    )


def _within(period_end: np.ndarray, span: tuple) -> np.ndarray:
    return (period_end >= span[0]) & (period_end <= span[1])


def _pe_target(grid: FiscalGrid, companies: Companies) -> np.ndarray:
    days = grid.period_end.astype(float)
    target = np.empty(days.shape)
    for index, knots in PE_KNOTS.items():
        rows = companies.home == index
        knot_days = np.array([d for d, _ in knots], dtype="datetime64[D]").astype(float)
        target[rows] = np.interp(days[rows], knot_days, [v for _, v in knots])
    return target


def _in_loss(grid: FiscalGrid, companies: Companies, loss: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Loss state per quarter: the audit-date state, except that some companies were in the
    other state before a switch date (turnarounds and decliners)."""
    first = grid.period_end[:, 0]
    switch_at = first + (rng.random(companies.n) * (LAST_STATE_SWITCH - first).astype(int)).astype(int)
    switched = rng.random(companies.n) < STATE_SWITCH_SHARE
    return loss[:, None] ^ (switched[:, None] & (grid.period_end < switch_at[:, None]))


def _earnings_before_the_turn(
    grid: FiscalGrid, companies: Companies, caps: np.ndarray, in_loss: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Profits = average cap / target P/E (with a company factor); losses = a share of cap."""
    pe = _pe_target(grid, companies) * rng.lognormal(0, 0.2, companies.n)[:, None]
    covid, aftermath = _within(grid.period_end, COVID_QUARTERS), _within(grid.period_end, COVID_AFTERMATH)
    profit = caps / 4 / pe * np.where(covid, 0.55, np.where(aftermath, 0.85, 1.0)) * rng.lognormal(0, 0.12, caps.shape)
    loss_rate = _uniform_by_home(companies, LOSS_RATE, rng)
    losses = -caps / 4 * loss_rate[:, None] * np.where(covid, 1.3, 1.0) * rng.lognormal(0, 0.15, caps.shape)
    return np.where(in_loss, losses, profit)


def _plant_earnings_turn(
    grid: FiscalGrid, companies: Companies, income: np.ndarray, in_loss: np.ndarray, rng: np.random.Generator
) -> None:
    """From EARNINGS_TURN_FROM on, each quarter is the same quarter a year before times a
    planted year-over-year factor (walked slot by slot, so later quarters build on earlier)."""
    growth_mean = _by_home(companies, {index: mean for index, (mean, _) in PROFIT_GROWTH.items()})
    growth_sd = _by_home(companies, {index: sd for index, (_, sd) in PROFIT_GROWTH.items()})
    profit_growth = np.clip(rng.normal(growth_mean, growth_sd), 0.03, 0.40)
    narrowing = rng.uniform(*LOSS_NARROWING, companies.n)
    for slot in range(4, income.shape[1]):
        turned = grid.period_end[:, slot] >= EARNINGS_TURN_FROM
        yoy = np.where(in_loss[:, slot], narrowing, 1 + profit_growth) * rng.lognormal(0, 0.04, companies.n)
        income[turned, slot] = income[turned, slot - 4] * yoy[turned]


def _shares_at_period_end(grid: FiscalGrid, companies: Companies) -> np.ndarray:
    shares = companies.shares0[:, None] * np.exp(
        companies.share_growth[:, None] * grid.trading_day / TRADING_DAYS_PER_YEAR
    )
    for company, ex_day, ratio in zip(*companies.splits, strict=True):
        shares[company, grid.trading_day[company] >= ex_day] *= ratio  # later filings count the new shares
    return shares


@dataclass(frozen=True)
class QuarterFacts:
    net_income: np.ndarray
    revenue: np.ndarray
    shares: np.ndarray
    diluted_shares: np.ndarray


def quarter_facts(
    grid: FiscalGrid, companies: Companies, levels: np.ndarray, loss: np.ndarray, rng: np.random.Generator
) -> QuarterFacts:
    caps = _smoothed_caps(levels, companies, grid.trading_day)
    in_loss = _in_loss(grid, companies, loss, rng)
    income = _earnings_before_the_turn(grid, companies, caps, in_loss, rng)
    _plant_earnings_turn(grid, companies, income, in_loss, rng)
    covid = _within(grid.period_end, COVID_QUARTERS)
    sales_to_cap = _uniform_by_home(companies, SALES_TO_CAP, rng)
    revenue = caps / 4 * sales_to_cap[:, None] * np.where(covid, 0.85, 1.0) * rng.lognormal(0, 0.05, caps.shape)
    shares = _shares_at_period_end(grid, companies)
    # Options and convertibles dilute only when there is a profit (antidilution otherwise).
    dilution = rng.uniform(0.0, 0.03, companies.n)[:, None]
    diluted = np.where(income > 0, shares * (1 + dilution), shares)
    return QuarterFacts(np.round(income, -3), np.round(revenue, -3), np.round(shares), np.round(diluted))


def as_timestamps(days: np.ndarray) -> np.ndarray:
    """Day-precision dates as the frames hold them (datetime64[ns])."""
    return days.astype("datetime64[ns]")


def _earnings_rows(symbol, period_end, report, income, revenue, shares, diluted) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "symbol": symbol,
            "fiscal_period_end": as_timestamps(period_end),
            "report_date": as_timestamps(report),
            "net_income": income,
            "eps_diluted": np.round(income / diluted, 2),
            "revenue": revenue,
            "shares_outstanding": shares,
            "currency": "USD",
            "shares_as_of": pd.NaT,  # counted at the period end: the contract's default
            # Shares and diluted shares are counted at the period end, so the EPS is on that
            # day's share basis, not on the filing's (a real filing's, the contract's default).
            "eps_basis_date": as_timestamps(period_end),
            "issuer_id": None,  # one listed class per company: the symbol is the issuer
        }
    )


def build_earnings(
    tl: Timeline, companies: Companies, grid: FiscalGrid, facts: QuarterFacts, rng: np.random.Generator
) -> pd.DataFrame:
    """Filed quarters, plus restatements: the same quarter filed again later with another figure."""
    company, slot = np.nonzero(grid.filed)
    cells = (company, slot)
    original = _earnings_rows(
        companies.symbol[company],
        grid.period_end[cells],
        grid.report[cells],
        facts.net_income[cells],
        facts.revenue[cells],
        facts.shares[cells],
        facts.diluted_shares[cells],
    )
    restate_on = np.busday_offset(grid.report[cells] + rng.integers(30, 200, len(company)), 0, roll="forward")
    last_listed = tl.days.to_numpy().astype("datetime64[D]")[companies.last_day[company]]
    restated = (rng.random(len(company)) < RESTATEMENT_SHARE) & (restate_on <= last_listed)
    change = rng.uniform(0.03, 0.12, len(company)) * np.where(rng.random(len(company)) < 0.5, -1, 1)
    r = restated
    restatements = _earnings_rows(
        companies.symbol[company[r]],
        grid.period_end[cells][r],
        restate_on[r],
        np.round(facts.net_income[cells][r] * (1 + change[r]), -3),
        facts.revenue[cells][r],
        facts.shares[cells][r],
        facts.diluted_shares[cells][r],
    )
    return pd.concat([original, restatements], ignore_index=True).sort_values(
        ["symbol", "fiscal_period_end", "report_date"], ignore_index=True
    )


def _rebase_factor(companies: Companies, company: np.ndarray, from_day: np.ndarray, to_day: np.ndarray) -> np.ndarray:
    """What a per-share figure on the share basis of from_day is multiplied by to be on to_day's
    (trading-day indices): an estimate is made per share of the day it is made."""
    factor = np.ones(len(company))
    for c, ex_day, ratio in zip(*companies.splits, strict=True):
        mine = company == c
        factor[mine & (from_day < ex_day) & (ex_day <= to_day)] /= ratio
        factor[mine & (to_day < ex_day) & (ex_day <= from_day)] *= ratio
    return factor


def build_estimates(
    tl: Timeline, companies: Companies, grid: FiscalGrid, facts: QuarterFacts, rng: np.random.Generator
) -> pd.DataFrame:
    """Consensus EPS for covered companies at several dates before each report, slightly
    below the outcome on average (companies tend to beat), sharper as the report nears."""
    covered = rng.random(companies.n) < ESTIMATE_COVERAGE
    company, slot = np.nonzero(covered[:, None] & (grid.filed | grid.upcoming))
    cells = (company, slot)
    true_eps = facts.net_income[cells] / facts.diluted_shares[cells]
    day_dates = tl.days.to_numpy().astype("datetime64[D]")
    frames = []
    for lead in ESTIMATE_LEAD_DAYS:
        as_of = np.busday_offset(grid.report[cells] - lead, 0, roll="backward")
        keep = (as_of >= day_dates[companies.first_day[company]]) & (as_of <= day_dates[-1])
        error = rng.normal(0.04, 0.10 * lead / max(ESTIMATE_LEAD_DAYS), len(company))
        estimate = np.round(true_eps - np.abs(true_eps) * error, 2)
        frames.append(
            pd.DataFrame(
                {
                    "symbol": companies.symbol[company[keep]],
                    "fiscal_period_end": as_timestamps(grid.period_end[cells][keep]),
                    "as_of_date": as_timestamps(as_of[keep]),
                    "eps_estimate": np.round(
                        estimate
                        * _rebase_factor(
                            companies,
                            company,
                            grid.trading_day[cells],
                            np.searchsorted(day_dates, as_of, side="right") - 1,
                        ),
                        2,
                    )[keep],
                    "net_income_estimate": np.round(estimate[keep] * facts.diluted_shares[cells][keep], -3),
                }
            )
        )
    return pd.concat(frames, ignore_index=True).sort_values(
        ["symbol", "fiscal_period_end", "as_of_date"], ignore_index=True
    )


# ---------------------------------------------------------------------------------------
# Small-cap funds
# ---------------------------------------------------------------------------------------

FUND_CATEGORIES = ("Small Blend",) * 11 + ("Small Growth",) * 9 + ("Small Value",) * 9
FUND_STYLE = {"Small Blend": ("Core", 0.0), "Small Growth": ("Growth", 0.6), "Small Value": ("Value", -0.6)}
FUND_FAMILIES = (
    "Aldermoor",
    "Ashgrove",
    "Bellhaven",
    "Brightwater",
    "Calloway",
    "Carrow",
    "Dunmore",
    "Eastbridge",
    "Fairlight",
    "Glenrock",
    "Hartwell",
    "Highmoor",
    "Ivybrook",
    "Kestrel",
    "Larkfield",
    "Marlow",
    "Northgate",
    "Oakhurst",
    "Pembroke",
    "Quillon",
    "Ravenscar",
    "Redfern",
    "Sandmere",
    "Stonebridge",
    "Thornbury",
    "Umberleigh",
    "Wexford",
    "Whitlow",
    "Yarrow",
    "Zephyr",
)
SHARE_CLASSES = ("Investor", "Institutional", "Admiral", "Class A", "Class I")
# The article: 27 of 29 tracked funds lose money year to date, one by nearly 15%.
FUND_YTD_WORST = (-0.153, -0.143)
FUND_YTD_LOSERS = (-0.11, -0.01)
FUND_YTD_WINNERS = (0.004, 0.035)
FUND_WINNERS = 2
STYLE_VOL = 0.004  # daily growth-minus-value return


def _fund_ytd_targets(count: int, rng: np.random.Generator) -> np.ndarray:
    targets = np.concatenate(
        [
            [rng.uniform(*FUND_YTD_WORST)],
            rng.uniform(*FUND_YTD_LOSERS, count - 1 - FUND_WINNERS),
            rng.uniform(*FUND_YTD_WINNERS, FUND_WINNERS),
        ]
    )
    return rng.permutation(targets)


def _december_ex_days(days: pd.DatetimeIndex) -> np.ndarray:
    """Funds pay their yearly distribution on the first trading day on or after 16 December."""
    eligible = np.asarray((days.month == 12) & (days.day >= 16))
    follows_eligible = np.r_[False, eligible[:-1] & (days.year[1:] == days.year[:-1])]
    return np.flatnonzero(eligible & ~follows_eligible)


def build_funds(tl: Timeline, small_log_returns: np.ndarray, taken: set[str], rng: np.random.Generator):
    count = len(FUND_CATEGORIES)
    fund_id = make_tickers(count, taken, rng, lengths=(4,), suffix="X")
    category = np.array(FUND_CATEGORIES, dtype=object)
    style_word = np.array([FUND_STYLE[c][0] for c in category], dtype=object)
    names = np.array(FUND_FAMILIES, dtype=object)[rng.permutation(len(FUND_FAMILIES))[:count]]
    funds = pd.DataFrame(
        {
            "fund_id": fund_id,
            "name": names + " Small Cap " + style_word + " Fund",
            "category": category,
            "share_class": np.array(SHARE_CLASSES, dtype=object)[rng.integers(0, len(SHARE_CLASSES), count)],
            "domicile": "US",
        }
    )
    style = np.array([FUND_STYLE[c][1] for c in category]) * rng.uniform(0.8, 1.2, count)
    style_return = STYLE_VOL * _unit_t(rng, tl.n)
    active = rng.uniform(-0.0001, 0.00005, count) + rng.uniform(0.0015, 0.003, count) * _unit_t(rng, (tl.n, count))
    log_returns = rng.uniform(0.9, 1.1, count) * small_log_returns[:, None] + style[None, :] * style_return[:, None]
    log_returns += active
    log_returns[0] = 0.0
    # Planted: each fund's return from the last close of the year before to the audit date.
    position = np.arange(tl.n)
    this_year = (position > tl.at_or_before(f"{AUDIT_DATE.year - 1}-12-31")) & (position <= tl.audit)
    target = np.log1p(_fund_ytd_targets(count, rng))
    log_returns[this_year] += (target - log_returns[this_year].sum(axis=0)) / this_year.sum()
    growth = np.exp(np.cumsum(log_returns, axis=0))
    payout = np.zeros((tl.n, count))
    payout[_december_ex_days(tl.days)] = rng.uniform(0.002, 0.07, (len(_december_ex_days(tl.days)), count))
    kept = np.cumprod(1 - payout, axis=0)  # what distributions have left in each share so far
    start_nav = rng.uniform(15, 60, count)
    nav = start_nav * growth * kept
    adjusted = start_nav * growth * kept[-1]  # Yahoo-style: equal to the NAV on the last day
    navs = pd.DataFrame(
        {
            "fund_id": np.tile(fund_id, tl.n),
            "date": np.repeat(tl.days, count),
            "nav": np.round(nav.ravel(), 2),
            "adj_nav": np.round(adjusted.ravel(), 4),
        }
    ).sort_values(["fund_id", "date"], ignore_index=True)
    kept_before = np.vstack([np.ones((1, count)), kept[:-1]])  # what was left before the day's payout
    return funds, navs, fund_distributions(tl, fund_id, payout, start_nav * growth * kept_before)


# A December payout up to this fraction of the NAV is all income; above it, the income is
# this fraction and the rest is a capital gain (small-cap funds' capital gains run to several
# percent of NAV).
FUND_INCOME_MAX = 0.01
FUND_ALL_INCOME_BELOW = 0.02


def fund_distributions(tl: Timeline, fund_id: np.ndarray, payout: np.ndarray, nav_before: np.ndarray) -> pd.DataFrame:
    """Each December payout as distributions per share: an income dividend and, for the funds
    paying more than FUND_ALL_INCOME_BELOW of the NAV, a capital gain. `nav_before` is the NAV
    the day's return gives before the distribution leaves it, so NAV + distribution per share is
    what the shareholder holds: reinvested at the ex-date NAV they give the adjusted NAV."""
    day, fund = np.nonzero(payout)
    p = payout[day, fund]
    amount = nav_before[day, fund] * p
    income = np.where(p > FUND_ALL_INCOME_BELOW, amount * FUND_INCOME_MAX / p, amount)
    gain = amount - income
    ex = tl.days[day]
    rows = pd.concat(
        [
            pd.DataFrame({"fund_id": fund_id[fund], "ex_date": ex, "amount": np.round(income, 4), "kind": "dividend"}),
            pd.DataFrame(
                {"fund_id": fund_id[fund], "ex_date": ex, "amount": np.round(gain, 4), "kind": "capital_gain"}
            ),
        ],
        ignore_index=True,
    )
    rows = rows[rows["amount"] > 0].copy()
    rows["pay_date"] = rows["ex_date"] + pd.Timedelta(days=3)
    return rows.sort_values(["fund_id", "ex_date", "kind"], ignore_index=True)


# ---------------------------------------------------------------------------------------
# M&A deals
# ---------------------------------------------------------------------------------------

SPONSOR_SUFFIXES = ("Capital Partners", "Equity Partners", "Investment Group", "Holdings LP")


def build_mna(
    tl: Timeline, companies: Companies, deals: Deals, levels: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    before = np.maximum(deals.announce_day - 1, 0)
    undisturbed_cap = levels[before, deals.target] * companies.shares_on(deals.target, before)
    sponsor = (
        np.array(NAME_WORDS, dtype=object)[rng.integers(0, len(NAME_WORDS), len(before))]
        + " "
        + np.array(SPONSOR_SUFFIXES, dtype=object)[rng.integers(0, len(SPONSOR_SUFFIXES), len(before))]
    )
    large = np.flatnonzero(companies.home == LARGE)
    strategic = companies.name[rng.choice(large, len(before))]
    return pd.DataFrame(
        {
            "announce_date": tl.days[deals.announce_day],
            "target_symbol": companies.symbol[deals.target],
            "acquirer": np.where(deals.acquirer_kind == 1, strategic, sponsor),
            "deal_value_usd": np.round(undisturbed_cap * deals.premium, -5),
            "status": deals.status,
        }
    ).sort_values(["announce_date", "target_symbol"], ignore_index=True)


# ---------------------------------------------------------------------------------------
# The whole market
# ---------------------------------------------------------------------------------------


def _checked(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    for name, dataset in DATASETS.items():
        _require(list(tables[name].columns) == list(dataset.column_names), f"{name}: columns off the contract")
    return {name: tables[name] for name in DATASETS}


def generate_market(params: SampleParams = SampleParams()) -> SampleMarket:
    benchmarks = {params.small_symbol, params.large_symbol}
    tl = build_timeline(params)
    plant = plan_scenario(tl, _stream(params, "scenario"))
    rates = build_rates(tl, plant, _stream(params, "rates"))
    small, large = benchmark_log_returns(tl, rates.dgs10_change, plant, _stream(params, "benchmarks"))
    companies, deals = build_companies(params, tl, _stream(params, "companies"), benchmarks)
    levels = company_levels(
        companies,
        tl,
        {SMALL: np.expm1(small), LARGE: np.expm1(large)},
        _stream(params, "company paths"),
        lead=plan_sector_lead(tl, _stream(params, "sector lead")),
    )
    grid = build_fiscal_grid(tl, companies, _stream(params, "fiscal calendar"))
    loss = loss_makers(tl, companies, grid, _stream(params, "loss makers"))
    facts = quarter_facts(grid, companies, levels, loss, _stream(params, "earnings"))
    funds, fund_navs, distributions = build_funds(
        tl, small, set(companies.symbol) | benchmarks, _stream(params, "funds")
    )
    tables = {
        "universe": build_universe(tl, companies, levels, params),
        "earnings": build_earnings(tl, companies, grid, facts, _stream(params, "restatements")),
        "estimates": build_estimates(tl, companies, grid, facts, _stream(params, "estimates")),
        "mna_events": build_mna(tl, companies, deals, levels, _stream(params, "mna")),
        "splits": build_splits(tl, companies),
        "funds": funds,
        "fund_navs": fund_navs,
        "fund_distributions": distributions,
        "rates": rates.table,
    }
    tables["prices"] = build_prices(
        tl, companies, levels, {SMALL: small, LARGE: large}, params, _stream(params, "bars")
    )
    del levels
    tables = _checked(tables)
    return SampleMarket(tables, compute_truths(tables, params.as_dict(), {"yield_beta_true": dict(YIELD_BETA)}))
