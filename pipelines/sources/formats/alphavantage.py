"""Alpha Vantage EARNINGS_CALENDAR -> the `estimates` dataset, as its CSV or saved as a JSON list.

    symbol,name,reportDate,fiscalDateEnding,estimate,currency
    A,Agilent Technologies Inc,2025-11-24,2025-10-31,1.58,USD
    [{"symbol": "A", "name": "...", "reportDate": "2025-11-24", "fiscalDateEnding": "2025-10-31",
      "estimate": "1.58", "currency": "USD"}, ...]

The calendar does not say when it was taken: the as-of date is the date in the file name
(`earnings_2025-11-07.json`, `calendar_20251107.csv`); a file without one is refused. A
blank or null estimate is no estimate (rule `no_estimate`) and a zero is the service's
placeholder (rule `placeholder_estimate`): both go to quarantine, not to raw.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.sources.formats.base import (
    FormatError,
    Shape,
    csv_relation,
    date_in_name,
    norm,
    quote_ident,
    read_text,
    rows_table,
    sql_str,
)

FIELDS = ("symbol", "name", "reportDate", "fiscalDateEnding", "estimate", "currency")


def is_calendar_header(header: list[str]) -> bool:
    names = {norm(h) for h in header}
    return {"symbol", "fiscaldateending", "estimate"} <= names


def is_calendar_json(doc) -> bool:
    return (
        isinstance(doc, list)
        and bool(doc)
        and isinstance(doc[0], dict)
        and {"symbol", "fiscalDateEnding", "estimate"} <= set(doc[0])
    )


def _as_of(path: Path) -> str:
    as_of = date_in_name(path)
    if as_of is None:
        raise FormatError(
            "an Alpha Vantage earnings calendar does not say when it was taken: put the date it was "
            "downloaded in the file name, e.g. earnings_2025-11-07.json",
            column="as_of_date",
        )
    return as_of


def _shape(relation: str, names: list[str], as_of: str, fmt: str, temp: list[str]) -> Shape:
    by_norm = {norm(n): n for n in names}
    q = {k: f"s.{quote_ident(by_norm[norm(k)])}" for k in FIELDS if norm(k) in by_norm}
    est = q["estimate"]
    columns = {
        "symbol": q["symbol"],
        "fiscal_period_end": q["fiscalDateEnding"],
        "as_of_date": sql_str(as_of),
        "eps_estimate": est,
    }
    used = {by_norm[norm(k)] for k in ("symbol", "fiscalDateEnding", "estimate")}
    extras = {n: f"s.{quote_ident(n)}" for n in names if n not in used}
    blank = f"(trim(coalesce({est}, '')) = '' OR trim({est}) ILIKE 'null' OR trim({est}) = '-')"
    checks = [
        ("no_estimate", "eps_estimate", blank, "'no consensus estimate for this company and quarter'"),
        (
            "placeholder_estimate",
            "eps_estimate",
            f"TRY_CAST(trim({est}) AS DOUBLE) = 0",
            "'estimate ' || trim(" + est + ") || ' is the calendar''s placeholder for no estimate, not an EPS of zero'",
        ),
    ]
    return Shape(fmt, relation, columns, extras=extras, checks=checks, temp_tables=temp)


def csv_shape(path: Path, header: list[str]) -> Shape:
    names = [h.strip().lstrip("\ufeff") for h in header]
    return _shape(csv_relation(path, names), names, _as_of(path), "Alpha Vantage earnings calendar (CSV)", [])


def json_shape(con, path: Path, doc: list) -> Shape:
    as_of = _as_of(path)
    names = list(FIELDS)
    for rec in doc:
        for k in rec:
            if k not in names:
                names.append(k)
    rows = []
    for i, rec in enumerate(doc, start=1):
        if not isinstance(rec, dict):
            raise FormatError(f"entry {i} of the calendar is not an object", line=i)
        rows.append((i, [None if rec.get(k) is None else str(rec.get(k)) for k in names]))
    rel = rows_table(con, "_fmt_alphavantage", names, rows)
    return _shape(rel, names, as_of, "Alpha Vantage earnings calendar (JSON list)", [rel])


def load_json(path: Path):
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as e:
        raise FormatError(f"not valid JSON: {e.msg}", line=e.lineno) from None
