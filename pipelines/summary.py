"""What `make demo` prints at the end: what was built, and the article's answers."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines import run_lock
from pipelines.config import Settings
from pipelines.dashboard import dashboard_path

SCHEMAS = ("raw", "quarantine", "staging", "intermediate", "marts")


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        f"WHERE table_schema IN {SCHEMAS} ORDER BY table_schema, table_name"
    ).fetchall()


def _table_text(con: duckdb.DuckDBPyConnection, title: str, sql: str) -> list[str]:
    try:
        frame = con.execute(sql).fetchdf()
    except duckdb.Error:
        return []
    return [f"\n{title}", frame.to_string(index=False, max_colwidth=60)]


def _warehouse_lines(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    lines = [f"Working warehouse: {path}"]
    for schema, name, kind in _tables(con):
        if kind == "VIEW":
            # Counting a staging view recomputes its de-duplication: not worth it for a summary.
            lines.append(f"  {schema}.{name:<32} {'(view)':>17}")
            continue
        n = con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchall()[0][0]
        lines.append(f"  {schema}.{name:<32} {n:>12,} rows")
    lines += _table_text(
        con,
        "Claims audit, as of the article date and as of the latest data",
        "SELECT claim_id, audit_view, verdict, round(value, 4) AS value, threshold, as_of_date "
        "FROM marts.claims_audit ORDER BY claim_id, as_of_date",
    )
    lines += _table_text(
        con,
        "Trigger board (latest)",
        "SELECT trigger_id, status, round(value, 4) AS value, threshold, as_of_date FROM marts.triggers "
        "QUALIFY as_of_date = max(as_of_date) OVER () ORDER BY trigger_id",
    )
    return lines


def _read_warehouse(settings: Settings) -> list[str]:
    """The summary's lines from the working warehouse, read under the run lock and closed before
    anything is printed: the run's own lock is gone by now, and a run queued behind this one
    (WAREHOUSE_LOCK_WAIT_SECONDS) must never find the file held open by a summary whose
    printing is stalled (a reader that does not drain its pipe)."""
    path: Path = settings.warehouse_path
    if not path.exists():
        return []
    try:
        with (
            run_lock.hold(settings.warehouse_dir, "summary", wait_seconds=0),
            duckdb.connect(str(path), read_only=True) as con,
        ):
            return _warehouse_lines(con, path)
    except run_lock.WarehouseBusy:
        return [f"Working warehouse: {path} (not read: the next run already holds it)"]
    except duckdb.IOException as error:  # a process outside the pipeline has it open for writing
        return [f"Working warehouse: {path} (not readable now: {str(error).splitlines()[0]})"]


def print_summary(settings: Settings, succeeded: bool, elapsed: float) -> None:
    status = "succeeded" if succeeded else "FAILED"
    print(
        f"\nRun {status} in {elapsed:.1f}s; source: {settings.source}"
        + (" (SYNTHETIC sample market, not real data)" if settings.source == "sample" else "")
    )
    for line in _read_warehouse(settings):
        print(line)
    if settings.serving_path.exists():
        print(f"\nServing file for BI tools (read-only): {settings.serving_path}")
    page = dashboard_path(settings.warehouse_dir)
    if page.exists():
        print(f"Dashboard (opens offline): {page.resolve().as_uri()}")
