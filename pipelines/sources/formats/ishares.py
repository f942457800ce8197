"""iShares holdings downloads -> the `universe` dataset.

    iShares Russell 2000 ETF
    Fund Holdings as of,"May 05, 2026"
    ... (preamble), a separator line (blank, or a lone no-break space)
    Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,...
    "BE","BLOOM ENERGY CLASS A CORP","Industrials","Equity","1,532,594,919.50","1.93",...
    (a blank line, then the legal footer)

`read_holdings` reads the table with the line number of every row; the live source
(pipelines/sources/live/ishares.py) builds its snapshots from the same reader. The files
source maps the fund to its index (`INDEX_OF_FUND`), takes the as-of date from the preamble,
divides Weight (%) by 100 and sends rows that are not equities to quarantine (`non_equity`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime

from pipelines.sources.formats.base import FormatError, Shape, quote_ident, rows_table, sql_str

# The fund named on the first line -> the index it tracks (universe.index_id).
INDEX_OF_FUND = {
    "iShares Russell 2000 ETF": "R2000",
    "iShares Russell 1000 ETF": "R1000",
    "iShares Core S&P 500 ETF": "SP500",
}
REQUIRED = ("Ticker", "Name", "Sector", "Asset Class", "Weight (%)")


@dataclass
class HoldingsTable:
    fund_name: str | None  # the preamble's first line; None without a preamble
    as_of: date | None  # "Fund Holdings as of"; None without a preamble
    header: list[str]
    header_line: int  # 1-based
    records: list[tuple[int, list[str]]]  # (1-based line, cells) of every row of the table


def looks_like_holdings(lines: list[str]) -> bool:
    """True for an iShares holdings download, with or without its preamble (first lines given)."""
    for line in lines:
        text = line.lstrip("\ufeff")
        if text.startswith("Fund Holdings as of"):
            return True
        if text.startswith("Ticker,") and "Asset Class" in text:
            return True
    return False


def read_holdings(text: str) -> HoldingsTable:
    lines = text.lstrip("\ufeff").splitlines()
    as_of, header_at = None, None
    for i, line in enumerate(lines):
        if line.startswith("Fund Holdings as of"):
            cells = next(csv.reader([line]))
            try:
                as_of = datetime.strptime(cells[1].strip(), "%b %d, %Y").date()
            except (IndexError, ValueError):
                raise FormatError(
                    f"'Fund Holdings as of' line holds no date like \"May 05, 2026\": {line[:80]!r}", line=i + 1
                ) from None
        if line.startswith("Ticker,"):
            header_at = i
            break
    if header_at is None:
        raise FormatError("not an iShares holdings file: no 'Ticker,' header line")
    header = [h.strip() for h in next(csv.reader([lines[header_at]]))]
    records = []
    # The table ends at the first blank line (a no-break space counts as blank): the footer follows.
    for j in range(header_at + 1, len(lines)):
        if not lines[j].strip():
            break
        records.append((j + 1, next(csv.reader([lines[j]]))))
    fund = lines[0].strip().strip('"') if header_at > 0 else None
    return HoldingsTable(fund, as_of, header, header_at + 1, records)


def _number(col: str) -> str:
    """SQL: an iShares number as text without its thousands separators ('-' is blank)."""
    return f"CASE WHEN trim(s.{col}) = '-' THEN NULL ELSE replace(s.{col}, ',', '') END"


def shape(con, text: str) -> Shape:
    table = read_holdings(text)
    if table.as_of is None:
        raise FormatError(
            "iShares holdings without its preamble: the file has no as-of date ('Fund Holdings as of' "
            "line), so it cannot be placed in time; download it again with its preamble",
            line=1,
            column="as_of_date",
        )
    index_id = INDEX_OF_FUND.get(table.fund_name or "")
    if index_id is None:
        raise FormatError(
            f"iShares fund {table.fund_name!r} is not one this warehouse knows as an index "
            f"(known: {', '.join(INDEX_OF_FUND)})",
            line=1,
            column="index_id",
        )
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        raise FormatError(f"holdings header lacks '{missing[0]}'", line=table.header_line, column=missing[0])
    width = len(table.header)
    for line, cells in table.records:
        if len(cells) != width:
            raise FormatError(f"a holdings row has {len(cells)} fields, the header {width}", line=line)
    rel = rows_table(con, "_fmt_ishares", table.header, table.records)
    q = {h: quote_ident(h) for h in table.header}
    quantity = next((h for h in ("Quantity", "Shares") if h in q), None)
    columns = {
        "index_id": sql_str(index_id),
        "symbol": f"s.{q['Ticker']}",
        "as_of_date": sql_str(table.as_of.isoformat()),
        "name": f"s.{q['Name']}",
        "sector": f"s.{q['Sector']}",
        "weight": f"s.{q['Weight (%)']}",
    }
    values = {"weight": _number(q["Weight (%)"])}
    used = {"Ticker", "Name", "Sector", "Weight (%)"}
    if quantity:
        columns["shares_outstanding"] = f"s.{q[quantity]}"
        values["shares_outstanding"] = _number(q[quantity])
        used.add(quantity)
    extras = {h: f"s.{q[h]}" for h in table.header if h not in used}
    extras["fund"] = sql_str(table.fund_name or "")
    asset = f"s.{q['Asset Class']}"
    checks = [
        (
            "non_equity",
            "Asset Class",
            f"coalesce(trim({asset}), '') <> 'Equity'",
            f"'asset class ' || coalesce({asset}, '(blank)') || ' is not an equity holding: not an index member'",
        )
    ]
    return Shape(
        "iShares holdings",
        rel,
        columns,
        values,
        divide={"weight": 100},
        extras=extras,
        checks=checks,
        temp_tables=[rel],
    )
