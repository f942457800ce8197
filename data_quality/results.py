"""Check outcomes and their history in the working warehouse (audit.quality_results)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb

ERROR, WARN = "error", "warn"
HISTORY = "audit.quality_results"


@dataclass
class CheckOutcome:
    dataset: str
    check_name: str
    passed: bool
    severity: str  # error: blocks publishing; warn: a person should look
    observed: object = None
    detail: str = ""
    # Up to a handful of offending rows or symbols, for the UI.
    samples: list = field(default_factory=list)

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == ERROR


def ensure_history(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {HISTORY} (run_id VARCHAR, checked_at TIMESTAMP, dataset VARCHAR, "
        "check_name VARCHAR, passed BOOLEAN, severity VARCHAR, observed VARCHAR, detail VARCHAR)"
    )


def record(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: list[CheckOutcome]) -> None:
    if not outcomes:
        # A step that died before its first check has nothing to keep (and executemany refuses an empty list).
        return
    ensure_history(con)
    # A re-executed check replaces its earlier outcome within the same run.
    for o in outcomes:
        con.execute(f"DELETE FROM {HISTORY} WHERE run_id = ? AND dataset = ? AND check_name = ?",
                    [run_id, o.dataset, o.check_name])
    con.executemany(
        f"INSERT INTO {HISTORY} VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
        [[run_id, o.dataset, o.check_name, o.passed, o.severity,
          None if o.observed is None else json.dumps(o.observed, default=str), o.detail] for o in outcomes],
    )


def blocking_failures(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str, str]]:
    ensure_history(con)
    return con.execute(
        f"SELECT dataset, check_name, detail FROM {HISTORY} WHERE run_id = ? AND NOT passed AND severity = '{ERROR}' "
        "ORDER BY dataset, check_name",
        [run_id],
    ).fetchall()
