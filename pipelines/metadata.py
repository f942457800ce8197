"""Metadata shown in the Dagster UI for a table: row count and a small markdown preview."""

from __future__ import annotations

import dagster as dg
import duckdb

PREVIEW_ROWS = 5


def markdown_preview(con: duckdb.DuckDBPyConnection, table: str, limit: int = PREVIEW_ROWS) -> str:
    # Lineage columns (leading underscore) are noise in a preview.
    names = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description if not d[0].startswith("_")]
    found = con.execute(
        f"SELECT {', '.join(chr(34) + n + chr(34) for n in names)} FROM {table} LIMIT {limit}"
    ).fetchall()
    header = "| " + " | ".join(names) + " |\n|" + "---|" * len(names)
    rows = ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in found]
    return "\n".join([header, *rows])


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, row_count: int) -> dict:
    return {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "table": table,
        "preview": dg.MetadataValue.md(markdown_preview(con, table)),
    }
