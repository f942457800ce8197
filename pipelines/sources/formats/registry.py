"""Which publisher formats each dataset folder recognizes, by header or JSON structure."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.sources.formats import alphavantage, companyfacts, daily_bars, fred, ishares
from pipelines.sources.formats.base import FormatError, Shape, norm, read_text

# Columns that may stand for `symbol` when a file has none (IEX's `Name`, a `ticker`).
SYMBOL_ALIASES = ("ticker", "name")


def symbol_alias(dataset_columns: tuple[str, ...], header_norms: list[str]) -> str | None:
    """The one header column that stands for `symbol`, when the file has no symbol column."""
    if "symbol" not in dataset_columns or "symbol" in header_norms:
        return None
    found = [a for a in SYMBOL_ALIASES if a in header_norms and a not in dataset_columns]
    return found[0] if len(found) == 1 else None


# Columns that may stand for a fund's `fund_id` in fund_distributions/ when a file has none.
FUND_ID_ALIASES = ("symbol", "ticker")


def fund_id_alias(dataset: str, header_norms: list[str]) -> str | None:
    """The one header column that stands for `fund_id` in a distributions file without one."""
    if dataset != "fund_distributions" or "fundid" in header_norms:
        return None
    found = [a for a in FUND_ID_ALIASES if a in header_norms]
    return found[0] if len(found) == 1 else None


def csv_shape(
    con, dataset: str, dataset_columns: tuple[str, ...], path: Path, header: list[str], head: list[str]
) -> Shape | None:
    """The publisher format of a CSV file in `dataset`, or None for a file in the contract's own shape."""
    norms = [norm(h) for h in header]
    if dataset == "universe" and ishares.looks_like_holdings(head):
        return ishares.shape(con, read_text(path))
    if dataset == "rates" and "seriesid" not in norms and fred.series_of_header(header):
        return fred.shape(path, header)
    if dataset in ("prices", "fund_navs"):
        own_id = "symbol" if dataset == "prices" else "fundid"
        # A file naming its symbol in a column (even ambiguously) is not one symbol's bars.
        names_symbol = dataset == "prices" and any(a in norms for a in SYMBOL_ALIASES)
        if own_id not in norms and not names_symbol and daily_bars.bar_columns(header):
            return daily_bars.shape(path, header, dataset)
    if (
        dataset == "fund_distributions"
        and "fundid" not in norms
        and not any(a in norms for a in FUND_ID_ALIASES)
        and daily_bars.distribution_columns(header)
    ):
        return daily_bars.distribution_shape(path, header)
    if dataset == "estimates" and alphavantage.is_calendar_header(header):
        return alphavantage.csv_shape(path, header)
    return None


def _load_json(path: Path):
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise FormatError(f"not valid JSON: {e.msg}", line=e.lineno) from None


def _ticker_map_start(path: Path) -> bool:
    """A cheap look at a sibling's first bytes: SEC's ticker map starts {"0":{"cik_str":...}."""
    with open(path, "rb") as f:
        start = f.read(4096)
    return b'"cik_str"' in start and b'"facts"' not in start


def json_kind(dataset: str, path: Path) -> str | None:
    """The recognized JSON format of a file in `dataset` (None: not one this folder reads)."""
    try:
        doc = _load_json(path)
    except (FormatError, OSError):
        return None
    if dataset == "earnings" and companyfacts.is_companyfacts(doc):
        return "SEC companyfacts"
    if dataset == "earnings" and companyfacts.is_ticker_map(doc):
        return "SEC ticker map"
    if dataset == "estimates" and alphavantage.is_calendar_json(doc):
        return "Alpha Vantage earnings calendar"
    return None


def json_shape(con, dataset: str, path: Path, siblings: list[Path]) -> Shape:
    doc = _load_json(path)
    if dataset == "earnings" and companyfacts.is_companyfacts(doc):
        maps = [p for p in siblings if p.name.lower().endswith(".json") and p != path and _ticker_map_start(p)]
        return companyfacts.shape(con, path, doc, maps)
    if dataset == "earnings" and companyfacts.is_ticker_map(doc):
        return Shape("SEC ticker map", "(SELECT 1::BIGINT AS _line WHERE false)", {}, rows_expected=False)
    if dataset == "estimates" and alphavantage.is_calendar_json(doc):
        return alphavantage.json_shape(con, path, doc)
    raise FormatError(f"not a JSON format {dataset}/ recognizes")
