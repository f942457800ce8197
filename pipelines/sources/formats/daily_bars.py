"""Daily bars as Yahoo, yfinance and Stooq write them -> `prices` or `fund_navs`.

    Date,Open,High,Low,Close,Adj Close,Volume                              (Yahoo download; `null` rows)
    Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits   (yfinance; 2022-01-03 00:00:00-05:00)
    Date,Open,High,Low,Close,Volume                                        (Stooq)

The file holds one symbol, named by the file: its name up to the first `_`, `-` or `.`
(`CALM-1d-no-bad-divs.csv` -> CALM, `IWM.csv` -> IWM). In fund_navs/ the close is the NAV and
the adjusted close the NAV with distributions reinvested. Columns beyond the bars
(Dividends, Stock Splits, Capital Gains) are kept in `_extra`. `bar_columns` is shared with
the live source's CSV parser (pipelines/sources/live/prices.py).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sources.formats.base import Shape, csv_relation, norm, quote_ident, sql_str, symbol_from_name

FIELDS = {"date": ("date", "datetime"), "open": ("open",), "high": ("high",), "low": ("low",), "close": ("close",),
          "adj_close": ("adjclose",), "volume": ("volume",)}


def bar_columns(header: list[str]) -> dict[str, int] | None:
    """Field (date, open, high, low, close, adj_close, volume) -> its position, or None if not daily bars."""
    names = [norm(h.lstrip("\ufeff")) for h in header]
    out = {}
    for field, spellings in FIELDS.items():
        at = next((names.index(s) for s in spellings if s in names), None)
        if at is not None:
            out[field] = at
    return out if "date" in out and "close" in out else None


def shape(path: Path, header: list[str], dataset: str) -> Shape:
    at = bar_columns(header)
    assert at is not None
    names = [h.strip().lstrip("\ufeff") for h in header]
    col = {f: f"s.{quote_ident(names[i])}" for f, i in at.items()}
    symbol = symbol_from_name(path)
    if dataset == "fund_navs":
        columns = {"fund_id": sql_str(symbol), "date": col["date"], "nav": col["close"]}
        if "adj_close" in col:
            columns["adj_nav"] = col["adj_close"]
        used = {at["date"], at["close"], at.get("adj_close")}
    else:
        columns = {"symbol": sql_str(symbol), **col}
        used = set(at.values())
    extras = {n: f"s.{quote_ident(n)}" for i, n in enumerate(names) if i not in used}
    return Shape("daily bars (Yahoo / yfinance / Stooq)", csv_relation(path, names), columns, extras=extras)
