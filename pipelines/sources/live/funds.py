"""The tracked small-cap mutual fund universe: ticker, name, category and share class.

The article counts "27 of 29 funds" with losses; this default list holds 29 real US
small-cap mutual funds (index and active; blend, value and growth). Categories are
Morningstar-style labels as commonly published; they describe, they are not fetched.
A user replaces the list with WAREHOUSE_LIVE_FUNDS_FILE, a CSV in the `funds/` contract
shape (fund_id, name, optional category, share_class, domicile).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FundSpec:
    fund_id: str
    name: str
    category: str | None = None
    share_class: str | None = None
    domicile: str | None = "US"


_BLEND, _VALUE, _GROWTH = "Small Blend", "Small Value", "Small Growth"

DEFAULT_FUNDS: tuple[FundSpec, ...] = (
    FundSpec("NAESX", "Vanguard Small-Cap Index Fund Investor Shares", _BLEND, "Investor"),
    FundSpec("VSMAX", "Vanguard Small-Cap Index Fund Admiral Shares", _BLEND, "Admiral"),
    FundSpec("VISVX", "Vanguard Small-Cap Value Index Fund Investor Shares", _VALUE, "Investor"),
    FundSpec("VSIAX", "Vanguard Small-Cap Value Index Fund Admiral Shares", _VALUE, "Admiral"),
    FundSpec("VISGX", "Vanguard Small-Cap Growth Index Fund Investor Shares", _GROWTH, "Investor"),
    FundSpec("VSGAX", "Vanguard Small-Cap Growth Index Fund Admiral Shares", _GROWTH, "Admiral"),
    FundSpec("VEXPX", "Vanguard Explorer Fund Investor Shares", _GROWTH, "Investor"),
    FundSpec("VSEQX", "Vanguard Strategic Small-Cap Equity Fund Investor Shares", _BLEND, "Investor"),
    FundSpec("VTMSX", "Vanguard Tax-Managed Small-Cap Fund Admiral Shares", _BLEND, "Admiral"),
    FundSpec("FSSNX", "Fidelity Small Cap Index Fund", _BLEND, "Institutional Premium"),
    FundSpec("FCPVX", "Fidelity Small Cap Value Fund", _VALUE, "Retail"),
    FundSpec("FCPGX", "Fidelity Small Cap Growth Fund", _GROWTH, "Retail"),
    FundSpec("FDSCX", "Fidelity Stock Selector Small Cap Fund", _BLEND, "Retail"),
    FundSpec("FSCRX", "Fidelity Small Cap Discovery Fund", _BLEND, "Retail"),
    FundSpec("OTCFX", "T. Rowe Price Small-Cap Stock Fund", _GROWTH, "Investor"),
    FundSpec("PRSVX", "T. Rowe Price Small-Cap Value Fund", _BLEND, "Investor"),
    FundSpec("PRDSX", "T. Rowe Price QM U.S. Small-Cap Growth Equity Fund", _GROWTH, "Investor"),
    FundSpec("SWSSX", "Schwab Small-Cap Index Fund", _BLEND, "Investor"),
    FundSpec("DFSTX", "DFA U.S. Small Cap Portfolio", _BLEND, "Institutional"),
    FundSpec("DFSVX", "DFA U.S. Small Cap Value Portfolio", _VALUE, "Institutional"),
    FundSpec("DFSCX", "DFA U.S. Micro Cap Portfolio", _BLEND, "Institutional"),
    FundSpec("BRSIX", "Bridgeway Ultra-Small Company Market Fund", _BLEND, "Investor"),
    FundSpec("ARTSX", "Artisan Small Cap Fund", _GROWTH, "Investor"),
    FundSpec("BSCFX", "Baron Small Cap Fund", _GROWTH, "Retail"),
    FundSpec("WAAEX", "Wasatch Small Cap Growth Fund", _GROWTH, "Investor"),
    FundSpec("WMICX", "Wasatch Micro Cap Fund", _GROWTH, "Investor"),
    FundSpec("HRTVX", "Heartland Value Fund", _VALUE, "Investor"),
    FundSpec("NBGNX", "Neuberger Berman Genesis Fund", _GROWTH, "Investor"),
    FundSpec("ASVIX", "American Century Small Cap Value Fund", _VALUE, "Investor"),
)


def read_funds_file(path: Path) -> tuple[FundSpec, ...]:
    """A user's fund list: a CSV with fund_id and name (case-insensitive headers)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    funds = []
    for line, row in enumerate(rows, start=2):
        if not row.get("fund_id") or not row.get("name"):
            raise ValueError(f"{path}, line {line}: fund_id and name are required")
        funds.append(
            FundSpec(
                row["fund_id"].upper(),
                row["name"],
                row.get("category") or None,
                row.get("share_class") or None,
                row.get("domicile") or "US",
            )
        )
    if not funds:
        raise ValueError(f"{path}: no funds listed")
    return tuple(funds)
