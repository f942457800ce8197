"""Fault modes of the sample market: plant one known defect to prove the gates act on it.

`WAREHOUSE_SAMPLE_FAULT=<mode>` applies one mode to the generated tables before they land.
Each mode names what the quality policy (data_quality/policy.py) does with it: a block stops
the run and leaves serving.duckdb as it was; a quarantine or a flag lets the run publish.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd


class Fault(NamedTuple):
    dataset: str
    action: str  # what the quality policy does: block, quarantine or flag (data_quality/policy.py)
    check: str  # the check or quarantine rule that acts
    why: str

    def expected(self) -> str:
        return f"{self.action} {self.check}" + (
            "; the run publishes" if self.action != "block" else "; nothing is published"
        )


FAULTS: dict[str, Fault] = {
    "unit_error_100x": Fault(
        "prices", "quarantine", "one_day_spike", "a company's close read in cents for one day: a bad print"
    ),
    "split_without_record": Fault(
        "prices", "flag", "unexplained_jump", "a company's unrecorded split, years before the recent window"
    ),
    "stale_series": Fault("prices", "flag", "stale_series", "a company's close frozen for 15 days, years back"),
    "conflicting_duplicate": Fault(
        "prices", "quarantine", "key_conflict_in_file", "two versions of one bar in one file"
    ),
    "role_absent": Fault("prices", "block", "roles_present", "the small benchmark symbol has no rows"),
    "role_series_broken": Fault(
        "prices", "block", "unexplained_jump", "the small benchmark halves in its last 20 days"
    ),
    "broken_feed": Fault("prices", "block", "flagged_share", "a third of the companies halve in their last 15 days"),
    "row_count_collapse": Fault(
        "prices", "block", "row_count_vs_previous", "nine tenths of the rows gone after a good run"
    ),
    "negative_prices": Fault(
        "prices", "block", "quarantine_share", "every fifth close negative: quarantined, then too many"
    ),
    "unknown_fund_nav": Fault("fund_navs", "block", "funds_known", "NAVs of a fund missing from the fund list"),
    "yield_in_basis_points": Fault(
        "rates", "block", "contract_suite", "DGS10 written in basis points: out of the yield range"
    ),
}


def _victim(prices: pd.DataFrame, roles: tuple[str, ...]) -> str:
    # A company, not a benchmark: the defect must be found among many symbols.
    symbols = sorted(set(prices["symbol"]) - set(roles))
    return symbols[len(symbols) // 2]


def apply_fault(tables: dict[str, pd.DataFrame], mode: str, roles: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    if mode not in FAULTS:
        raise ValueError(f"WAREHOUSE_SAMPLE_FAULT={mode!r}: expected one of {', '.join(sorted(FAULTS))}")
    out = dict(tables)
    prices = tables["prices"].copy()
    sym = _victim(prices, roles)
    rows = prices.index[prices["symbol"] == sym]
    mid = rows[len(rows) // 2]
    price_cols = [c for c in ("open", "high", "low", "close", "adj_close") if c in prices]
    role_rows = prices.index[prices["symbol"] == roles[0]] if roles else prices.index[:0]
    if mode == "role_absent":
        prices = prices.drop(role_rows)
    elif mode == "role_series_broken":
        prices.loc[role_rows[-20:], price_cols] /= 2
    elif mode == "broken_feed":
        companies = sorted(set(prices["symbol"]) - set(roles))
        for victim in companies[::3]:
            victim_rows = prices.index[prices["symbol"] == victim]
            prices.loc[victim_rows[-15:], price_cols] /= 2
    elif mode == "unit_error_100x":
        prices.loc[mid, price_cols] *= 100
    elif mode == "split_without_record":
        # From the first quiet day on, so the step reads as a split whatever the day's own move.
        close = prices.loc[rows, "close"]
        quiet = rows[(rows >= mid) & ((close / close.shift(1) - 1).abs() < 0.01).to_numpy()]
        prices.loc[rows[rows >= quiet[0]], price_cols] /= 2
    elif mode == "stale_series":
        stale = rows[(rows >= mid)][:15]
        for c in price_cols:
            prices.loc[stale, c] = prices.loc[mid, "close"]
    elif mode == "conflicting_duplicate":
        dup = prices.loc[[mid]].copy()
        dup[price_cols] *= 1.01
        prices = pd.concat([prices, dup], ignore_index=True)
    elif mode == "row_count_collapse":
        prices = prices.iloc[: len(prices) // 10].copy()
    elif mode == "negative_prices":
        prices.loc[prices.index[::5], "close"] *= -1
    elif mode == "unknown_fund_nav":
        navs = tables["fund_navs"].copy()
        extra = navs.iloc[:5].copy()
        extra["fund_id"] = "UNKNOWNX"
        out["fund_navs"] = pd.concat([navs, extra], ignore_index=True)
    elif mode == "yield_in_basis_points":
        rates = tables["rates"].copy()
        rates.loc[rates["series_id"] == "DGS10", "value"] *= 100
        out["rates"] = rates
    out["prices"] = prices
    return out
