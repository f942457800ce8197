"""Fault modes of the sample market: plant one known defect to prove the gates act on it.

`WAREHOUSE_SAMPLE_FAULT=<mode>` applies one mode to the generated tables before they land.
Each mode names what the quality policy (data_quality/policy.py) does with it: a block stops
the run and leaves serving.duckdb as it was; a quarantine or a flag lets the run publish.
"""

from __future__ import annotations

import pandas as pd

# mode -> (dataset, what the policy does with it)
FAULTS: dict[str, tuple[str, str]] = {
    # A company's close read in cents for one day: a bad print, the row goes to quarantine.
    "unit_error_100x": ("prices", "quarantine one_day_spike; the run publishes"),
    # A company's history, years before the recent window: flagged, the marts step around it.
    "split_without_record": ("prices", "flag unexplained_jump; the run publishes"),
    "stale_series": ("prices", "flag stale_series; the run publishes"),
    # Two versions of one bar in one file: both go to quarantine.
    "conflicting_duplicate": ("prices", "quarantine key_conflict_in_file; the run publishes"),
    # The same flaws where they would make today's numbers wrong: they block.
    "role_absent": ("prices", "block roles_present (the small benchmark symbol has no rows)"),
    "role_series_broken": ("prices", "block unexplained_jump (the small benchmark halves in the recent window)"),
    "broken_feed": ("prices", "block flagged_share (a third of the companies jump in the last weeks)"),
    "row_count_collapse": ("prices", "gate row_count_vs_previous (after a good run)"),
    "negative_prices": ("prices", "quarantine close_positive, then gate quarantine_share"),
    "unknown_fund_nav": ("fund_navs", "gate funds_known"),
    "yield_in_basis_points": ("rates", "gate contract_suite (yield range)"),
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
        prices.loc[rows[rows >= mid], price_cols] /= 2
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
