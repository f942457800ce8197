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


def load_thresholds(env: dict | None = None) -> Thresholds:
    env = os.environ if env is None else env
    values = {}
    for f in fields(Thresholds):
        raw = env.get(f"WAREHOUSE_DQ_{f.name.upper()}")
        if raw:
            values[f.name] = type(f.default)(raw)
    return Thresholds(**values)
