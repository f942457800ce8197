"""Which rows of a raw table still need the row-level gates: the batches no passing run has validated.

A daily update adds one batch of a few thousand rows to a table of millions; re-checking
the whole history for it would make every update cost a full run. A batch counts as
validated once every blocking gate of its dataset passed on it, under the same gate
fingerprint (check code version, thresholds, benchmark roles, and the state of the tables
the checks read besides the dataset itself, such as recorded splits).

The scope falls back to the whole table whenever the validated state cannot be trusted:
first run, a changed fingerprint, or a validated batch that lost or gained rows (a landed
file replaced or removed). Checks whose answer depends on more than the new rows (missing
bars over a symbol's life, membership, freshness, row counts) always read the whole table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TypeVar

import duckdb

from data_quality.sql import sql_list
from data_quality.thresholds import Thresholds

VALIDATED = "audit.validated_batches"
K = TypeVar("K")
# Bump when a row-level check changes meaning: every batch is then checked again.
GATES_VERSION = "2026-12-03.1"
# Tables whose contents change the outcome of a dataset's row-level checks.
DEPENDS_ON = {"prices": ("splits",)}


@dataclass
class Scope:
    dataset: str
    mode: str  # "full" | "batches" | "unchanged"
    fingerprint: str
    state: dict[str, int] = field(default_factory=dict)  # batch id -> rows now in the table
    new_batches: list[str] = field(default_factory=list)
    reason: str = ""

    @property
    def new_rows(self) -> int:
        return sum(self.state[b] for b in self.new_batches)

    def where(self, alias: str = "") -> str:
        """SQL condition selecting the rows in scope (all rows when the scope is the table)."""
        if self.mode == "full":
            return "true"
        if not self.new_batches:
            return "false"
        prefix = f"{alias}." if alias else ""
        return f"{prefix}_batch_id IN ({sql_list(self.new_batches)})"

    @property
    def validated(self) -> list[str]:
        return sorted(b for b in self.state if b not in self.new_batches)

    def describe(self) -> str:
        if self.mode == "full":
            return f"whole table ({sum(self.state.values())} rows; {self.reason})"
        if self.mode == "unchanged":
            return f"no rows since the last validated batch ({sum(self.state.values())} rows validated earlier)"
        earlier = sum(self.state.values()) - self.new_rows
        return f"{self.new_rows} new rows in {len(self.new_batches)} batch(es); {earlier} rows validated earlier"


def _batch_state(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    return dict(con.execute(f"SELECT _batch_id, count(*) FROM {table} GROUP BY 1").fetchall())


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {VALIDATED} (dataset VARCHAR, batch_id VARCHAR, rows BIGINT, "
        "fingerprint VARCHAR, run_id VARCHAR, validated_at TIMESTAMP)"
    )


def fingerprint(
    con: duckdb.DuckDBPyConnection, dataset: str, t: Thresholds, roles: list[str], raw_tables: set[str]
) -> str:
    parts = {
        "version": GATES_VERSION,
        "thresholds": asdict(t),
        "roles": roles,
        "depends": {
            d: sorted(_batch_state(con, f"raw.{d}").items()) for d in DEPENDS_ON.get(dataset, ()) if d in raw_tables
        },
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def plan(con: duckdb.DuckDBPyConnection, dataset: str, fp: str) -> Scope:
    _ensure(con)
    state = _batch_state(con, f"raw.{dataset}")
    validated = dict(
        con.execute(
            f"SELECT batch_id, rows FROM {VALIDATED} WHERE dataset = ? AND fingerprint = ?", [dataset, fp]
        ).fetchall()
    )
    if not validated:
        return Scope(dataset, "full", fp, state, sorted(state), reason="no batch validated under these gates yet")
    changed, new = batch_changes(validated, state)
    if changed:
        return Scope(
            dataset,
            "full",
            fp,
            state,
            sorted(state),
            reason=f"validated batch {changed[0]} changed since (a landed file replaced or removed)",
        )
    return Scope(dataset, "batches" if new else "unchanged", fp, state, new)


def refresh(con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    """Re-reads the batches' row counts after a gate moved rows to quarantine (a one-day spike)."""
    scope.state = _batch_state(con, f"raw.{scope.dataset}")
    scope.new_batches = (
        sorted(scope.state) if scope.mode == "full" else [b for b in scope.new_batches if b in scope.state]
    )


def batch_changes(recorded: Mapping[K, int], current: Mapping[K, int]) -> tuple[list[K], list[K]]:
    """Recorded batches that lost or gained rows or are gone (a landed file replaced or removed:
    what was derived from them cannot be trusted), and batches not recorded yet (new rows)."""
    changed = sorted(b for b, rows in recorded.items() if current.get(b) != rows)
    return changed, sorted(b for b in current if b not in recorded)


def mark_validated(con: duckdb.DuckDBPyConnection, scope: Scope, run_id: str) -> None:
    """Called only when every blocking gate of the dataset passed on this scope."""
    _ensure(con)
    con.execute(f"DELETE FROM {VALIDATED} WHERE dataset = ?", [scope.dataset])
    if not scope.state:
        return  # an empty table: nothing to remember, the next run reads it whole again
    con.executemany(
        f"INSERT INTO {VALIDATED} VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [[scope.dataset, b, rows, scope.fingerprint, run_id] for b, rows in sorted(scope.state.items())],
    )
