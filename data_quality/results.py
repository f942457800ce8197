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
        con.execute(
            f"DELETE FROM {HISTORY} WHERE run_id = ? AND dataset = ? AND check_name = ?",
            [run_id, o.dataset, o.check_name],
        )
    con.executemany(
        f"INSERT INTO {HISTORY} VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?)",
        [
            [
                run_id,
                o.dataset,
                o.check_name,
                o.passed,
                o.severity,
                None if o.observed is None else json.dumps(o.observed, default=str),
                o.detail,
            ]
            for o in outcomes
        ],
    )


def _has_history(con: duckdb.DuckDBPyConnection) -> bool:
    # Read without creating anything: the sensor reads a read-only connection.
    schema, table = HISTORY.split(".")
    return con.execute(
        "SELECT count(*) > 0 FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchone()[0]


# Per dataset, the latest run that ran its blocking (error-severity) checks. A run that ran
# only warnings (a freshness check started alone) does not replace it: it judged less.
_LATEST_GATING_RUN = f"""SELECT dataset, arg_max(run_id, checked_at) AS run_id FROM {HISTORY}
                         WHERE severity = '{ERROR}' AND dataset LIKE ? GROUP BY dataset"""


def standing_failures(con: duckdb.DuckDBPyConnection, dataset_like: str = "%") -> list[tuple[str, str, str, str]]:
    """The blocking checks that failed in the latest run to gate each dataset: what the data now
    in the warehouse has not passed, whichever run checked it (a run that only publishes checks
    nothing upstream). Rows are (dataset, check, detail, run id).

    This table is the gates' memory across runs; within a run, Dagster's blocking checks stop
    what is downstream of a failed gate. A check that a later run no longer has (a renamed dbt
    test) stops counting once that run gates its dataset again."""
    if not _has_history(con):
        return []
    return con.execute(
        f"""WITH latest AS ({_LATEST_GATING_RUN})
            SELECT h.dataset, h.check_name, h.detail, h.run_id FROM {HISTORY} h JOIN latest USING (dataset, run_id)
            WHERE NOT h.passed AND h.severity = '{ERROR}' ORDER BY h.dataset, h.check_name""",
        [dataset_like],
    ).fetchall()


def latest_gating_run(con: duckdb.DuckDBPyConnection, dataset: str) -> str | None:
    if not _has_history(con):
        return None
    row = con.execute(f"SELECT run_id FROM ({_LATEST_GATING_RUN})", [dataset]).fetchone()
    return row[0] if row else None
