"""Metadata shown in the Dagster UI for a table: row count and a small markdown preview."""

from __future__ import annotations

import dagster as dg
import duckdb

PREVIEW_ROWS = 5


def markdown_preview(con: duckdb.DuckDBPyConnection, table: str, limit: int = PREVIEW_ROWS) -> str:
    # Lineage columns (leading underscore) are noise in a preview.
    names = [c for c in con.sql(f"SELECT * FROM {table} LIMIT 0").columns if not c.startswith("_")]
    rel = con.sql(f"SELECT {', '.join(chr(34) + n + chr(34) for n in names)} FROM {table} LIMIT {limit}")
    header = "| " + " | ".join(rel.columns) + " |\n|" + "---|" * len(rel.columns)
    rows = ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rel.fetchall()]
    return "\n".join([header, *rows])


def table_metadata(con: duckdb.DuckDBPyConnection, table: str, row_count: int) -> dict:
    return {
        "dagster/row_count": dg.MetadataValue.int(int(row_count)),
        "table": table,
        "preview": dg.MetadataValue.md(markdown_preview(con, table)),
    }
