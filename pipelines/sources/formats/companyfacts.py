"""SEC EDGAR companyfacts JSON -> the `earnings` dataset, through the live source's parser.

    {"cik": 1045810, "entityName": "NVIDIA CORP", "facts": {"dei": {...}, "us-gaap": {"NetIncomeLoss": ...}}}

Rows come from `parse_companyfacts` (pipelines/sources/live/sec_companyfacts.py): one per
fiscal quarter and filing date, point in time. The document names the company by CIK only,
so the ticker is taken from SEC's ticker map (`company_tickers.json`) when the user puts it
in the same folder, else from the file name, which must then start with the ticker
(`NVDA.json`, `nvda_facts.json`). An issuer the map lists under several tickers (its share
classes: GOOGL and GOOG) gets its rows under each, all with its CIK as `issuer_id`, and the
marts count it once. A document without us-gaap facts (an IFRS filer) yields no
row and a note. `_source_line` of a row is its ordinal among the rows derived from the file.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from pipelines.datasets import DATASETS
from pipelines.sources.formats.base import FormatError, Shape, quote_ident, read_text, rows_table, symbol_from_name

CONTRACT = DATASETS["earnings"].column_names


def is_companyfacts(doc) -> bool:
    return isinstance(doc, dict) and "cik" in doc and isinstance(doc.get("facts"), dict)


def is_ticker_map(doc) -> bool:
    """SEC's company_tickers.json: {"0": {"cik_str": ..., "ticker": ..., "title": ...}, ...}."""
    if not isinstance(doc, dict) or not doc:
        return False
    first = next(iter(doc.values()))
    return isinstance(first, dict) and {"cik_str", "ticker"} <= set(first)


def tickers_by_cik(paths: list[Path]) -> dict[int, list[str]]:
    """CIK -> its tickers in the maps' order (a multi-class issuer has several)."""
    from pipelines.sources.live.sec_tickers import parse_ticker_map

    out: dict[int, list[str]] = {}
    for p in paths:
        for reg in parse_ticker_map(read_text(p)).values():
            if reg.ticker not in out.setdefault(reg.cik, []):
                out[reg.cik].append(reg.ticker)
    return out


def _text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return repr(v) if isinstance(v, float) else str(v)


def shape(con, path: Path, doc: dict, ticker_maps: list[Path]) -> Shape:
    from pipelines.sources.live.sec_companyfacts import parse_companyfacts

    cik = int(doc["cik"])
    symbols = tickers_by_cik(ticker_maps).get(cik) if ticker_maps else None
    if not symbols:
        symbol = symbol_from_name(path)
        if not re.search(r"[A-Z]", symbol) or re.fullmatch(r"CIK\d+", symbol):
            raise FormatError(
                f"companyfacts of CIK {cik} ({doc.get('entityName', '?')}): cannot tell its ticker; name "
                "the file after it (NVDA.json, nvda_facts.json) or put SEC's company_tickers.json beside it",
                column="symbol",
            )
        symbols = [symbol]
    result = parse_companyfacts(json.dumps(doc), symbols[0])
    extra_names = sorted({k for r in result.rows for k in r} - set(CONTRACT))
    names = list(CONTRACT) + extra_names
    every_class = [{**r, "symbol": s} for s in symbols for r in result.rows]
    rows = [(i, [_text(r.get(k)) for k in names]) for i, r in enumerate(every_class, start=1)]
    rel = rows_table(con, "_fmt_companyfacts", names, rows)
    note = None if result.rows else f"companyfacts of CIK {cik} ({doc.get('entityName', '?')}): {result.reason}"
    return Shape(
        "SEC companyfacts",
        rel,
        {c: f"s.{quote_ident(c)}" for c in CONTRACT},
        extras={n: f"s.{quote_ident(n)}" for n in extra_names},
        note=note,
        temp_tables=[rel],
    )
