"""Every quality threshold, in one place. Overridable by WAREHOUSE_DQ_<NAME> variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Thresholds:
    # A dataset whose row count falls by more than this share since the last run fails.
    row_count_max_drop: float = 0.5
    # More quarantined rows than this share of a batch is a table-level failure.
    quarantine_max_share: float = 0.05
    # A day-over-day close move larger than this, with no recorded split, is suspect (a
    # two-for-one split unrecorded is exactly -50%, so the limit sits below it).
    max_daily_move: float = 0.45
    # How close a day's price ratio must be to a split ratio (0.5, 2, ...) to look like a split.
    split_ratio_tolerance: float = 0.04
    # A close this many times (or 1/this) the previous one looks like a unit slip (cents vs dollars).
    unit_error_factor: float = 50.0
    # This many consecutive unchanged closes make a series stale.
    stale_run_days: int = 10
    # Share of a symbol's expected trading days that may be missing before it fails.
    max_missing_bar_share: float = 0.02
    # Plausible percent bounds for Treasury yields and policy rates.
    yield_min_pct: float = -2.0
    yield_max_pct: float = 25.0
    # Trading days the newest price may lag the expected latest trading day (a warning).
    freshness_max_lag_days: int = 3
    # A close that moves beyond max_daily_move and is back within this of the day before on the
    # next day is a one-day spike (a bad print): the row goes to quarantine.
    spike_revert_tolerance: float = 0.1
    # This many trading days missing in a row make a flagged stretch of a price series.
    missing_bar_gap_days: int = 5
    # This many calendar days between two observations make a flagged gap in a rate series
    # (a holiday weekend is four; FRED leaves holidays blank).
    rate_gap_days: int = 14
    # Calendar days before a dataset's newest date that the marts read as current (YTD, 12-month
    # returns, the five-day surge, the latest yield beta): a flaw of a role series in it blocks.
    recent_window_days: int = 400
    # Share of the series with recent rows in a new batch that may be newly flagged inside the
    # recent window; beyond it the batch looks like a broken feed, not a flawed history: it blocks.
    max_flagged_series_share: float = 0.2


def load_thresholds(env: dict | None = None) -> Thresholds:
    env = os.environ if env is None else env
    values = {}
    for f in fields(Thresholds):
        raw = env.get(f"WAREHOUSE_DQ_{f.name.upper()}")
        if raw:
            values[f.name] = type(f.default)(raw)
    return Thresholds(**values)
