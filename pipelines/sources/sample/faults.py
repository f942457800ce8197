"""Fault modes of the sample market: plant one known defect to prove the gates catch it.

`WAREHOUSE_SAMPLE_FAULT=<mode>` applies one mode to the generated tables before they land.
Each mode names the gate (or quarantine rule) that must stop it.
"""

from __future__ import annotations

import pandas as pd

# mode -> (dataset, what must catch it)
FAULTS: dict[str, tuple[str, str]] = {
    "unit_error_100x": ("prices", "gate unit_error_100x"),
    "split_without_record": ("prices", "gate unexplained_jump"),
    "stale_series": ("prices", "gate stale_series"),
    "conflicting_duplicate": ("prices", "gate key_conflicts"),
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
    if mode == "unit_error_100x":
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
