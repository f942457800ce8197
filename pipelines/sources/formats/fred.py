"""FRED graph CSV downloads -> the `rates` dataset.

    observation_date,DGS10        (older downloads: DATE,DGS10)
    2025-01-02,4.57
    2025-01-20,                   (a blank or '.' value is a holiday: NULL, never 0)

The series id is the second header name. `series_of_header` is shared with the live source's
parser (pipelines/sources/live/fred.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.sources.formats.base import Shape, csv_relation, quote_ident, sql_str

DATE_NAMES = ("observation_date", "date")
_SERIES_RE = re.compile(r"^[A-Z0-9][A-Z0-9_]*$")


def series_of_header(header: list[str]) -> str | None:
    """The series id of a FRED download header (`observation_date,DGS10` -> DGS10), else None."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    if len(names) != 2 or names[0].lower() not in DATE_NAMES:
        return None
    return names[1] if _SERIES_RE.match(names[1].upper()) and names[1].lower() not in ("value", "series_id") else None


def shape(path: Path, header: list[str]) -> Shape:
    series = series_of_header(header)
    assert series is not None
    names = [h.strip().lstrip("\ufeff") for h in header]
    d, v = quote_ident(names[0]), quote_ident(names[1])
    return Shape(
        f"FRED download ({series})",
        csv_relation(path, names),
        columns={"series_id": sql_str(series.upper()), "date": f"s.{d}", "value": f"s.{v}"},
        values={"value": f"CASE WHEN trim(s.{v}) = '.' THEN NULL ELSE s.{v} END"},
    )
