"""SQL text built in Python: the one place string values become SQL literals.

Values that can be bound as parameters are; these are for the places that cannot (a CASE
label, a path in a table function, an IN list shared by several statements).
"""

from __future__ import annotations

from collections.abc import Iterable


def sql_str(value: str) -> str:
    """A string literal: 'it''s'."""
    return "'" + value.replace("'", "''") + "'"


def sql_list(values: Iterable[str]) -> str:
    """The inside of an IN (...) list of string literals; NULL when empty (matches nothing)."""
    return ", ".join(sql_str(v) for v in values) or "NULL"
