"""Which as-of dates a dbt build must compute again: the plan behind the incremental as-of models.

`int_company_asof` and `int_eps_growth_asof` hold, for every as-of date D, facts public at D:
prices dated <= D, filings reported <= D, the index snapshot in force at D, splits <= D (the
point-in-time tests check exactly this). A new batch whose earliest date is X therefore changes
rows as of X and later only, and the latest as-of date of the previous build (which may stop
being a month end when the next day arrives) is recomputed too. A daily update thus
rebuilds two as-of dates instead of ten years of them. New splits are the exception: they
re-base prices and share counts dated before them, so they bring a full rebuild.

The plan compares the raw batches of the inputs with those the last successful build saw
(the same comparison as the incremental gates: data_quality.gate_scope.batch_changes): any doubt
gives a full rebuild: first
build, another dbt project or settings (the fingerprint), or a batch seen before that lost
or gained rows (a landed file replaced or removed, whose old dates are unknown).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from data_quality.gate_scope import batch_changes
from pipelines.raw_loader import raw_tables

STATE = "audit.dbt_as_of_state"
# The plan of the build under way, the one thing the models' macros read from the pipeline
# (dbt_project/macros/as_of_incremental.sql): written before the build, removed after it. A
# table, not a dbt var: a var that changes every day would make dbt parse the whole project.
PLAN = "audit.dbt_as_of_plan"
# Bump when the plan's rules change: the next build is then a full one.
PLAN_VERSION = "2026-12-04.1"
# The incremental models this plan is for (materialized='incremental' in dbt): the as-of ones
# recompute dates from the boundary; the filing ones are kept whole when no filing arrived.
AS_OF_MODELS = ("int_company_asof", "int_eps_growth_asof")
KEPT_WHEN_UNCHANGED = ("int_earnings_versions", "int_company_ttm")
# Raw inputs of the as-of models and the date that makes each row public.
AS_OF_INPUTS = {
    "prices": "date",
    "earnings": "report_date",
    "estimates": "as_of_date",
    "universe": "as_of_date",
    "splits": "date",
}
# Nothing new: the models still recompute their latest as-of date (the macro takes the
# earlier of this and that date), which costs little and keeps one path for every run.
NOTHING_NEW = dt.date(9999, 12, 31)


@dataclass
class AsOfPlan:
    full_refresh: bool
    rebuild_from: dt.date | None
    fingerprint: str
    reason: str
    # (dataset, batch id) -> (rows, earliest date) as the build will see them
    state: dict[tuple[str, str], tuple[int, dt.date | None]] = field(default_factory=dict)
    # Inputs with exactly the batches of the last build (none on a full rebuild)
    unchanged: frozenset[str] = frozenset()

    def describe(self) -> str:
        if self.full_refresh:
            return f"as-of models rebuilt in full ({self.reason})"
        if self.rebuild_from == NOTHING_NEW:
            return "as-of models: no new input rows; their latest as-of date is recomputed"
        kept = f"; unchanged inputs: {', '.join(sorted(self.unchanged))}" if self.unchanged else ""
        return f"as-of models recomputed from {self.rebuild_from} ({self.reason}){kept}"


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {STATE} (dataset VARCHAR, batch_id VARCHAR, rows BIGINT, "
        "first_date DATE, fingerprint VARCHAR, rebuild_from DATE, run_id VARCHAR, built_at TIMESTAMP)"
    )


def _current(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[int, dt.date | None]]:
    tables = raw_tables(con)
    state = {}
    for dataset, column in AS_OF_INPUTS.items():
        if dataset not in tables:
            continue
        for batch, rows, first in con.execute(
            f"SELECT _batch_id, count(*), min({column}) FROM raw.{dataset} GROUP BY 1"
        ).fetchall():
            state[(dataset, batch)] = (rows, first)
    return state


def plan(con: duckdb.DuckDBPyConnection, fingerprint: str) -> AsOfPlan:
    _ensure(con)
    current = _current(con)
    built = {
        (d, b): rows
        for d, b, rows in con.execute(
            f"SELECT dataset, batch_id, rows FROM {STATE} WHERE fingerprint = ?", [fingerprint]
        ).fetchall()
    }
    if not built:
        any_state = con.execute(f"SELECT count(*) FROM {STATE}").fetchone()[0]
        reason = "another dbt project or settings than the last build" if any_state else "no build recorded yet"
        return AsOfPlan(True, None, fingerprint, reason, current)
    changed, new = batch_changes(built, {k: rows for k, (rows, _) in current.items()})
    if changed:
        dataset, batch = changed[0]
        return AsOfPlan(
            True,
            None,
            fingerprint,
            f"{dataset} batch {batch} changed since the last build (a landed file replaced or removed)",
            current,
        )
    if any(d == "splits" for d, _ in new):
        # A split re-bases what is dated before it: a split-adjusted price file, share counts
        # and per-share figures filed after it (int_split_multiples).
        return AsOfPlan(True, None, fingerprint, "new splits re-base the prices and counts dated before them", current)
    unchanged = frozenset(AS_OF_INPUTS) - {d for d, _ in new}
    firsts = [current[k][1] for k in new if current[k][1] is not None]
    if not firsts:
        return AsOfPlan(False, NOTHING_NEW, fingerprint, "no new rows", current, unchanged)
    datasets = sorted({d for d, _ in new})
    return AsOfPlan(
        False, min(firsts), fingerprint, f"earliest date of new {', '.join(datasets)} rows", current, unchanged
    )


def publish_plan(con: duckdb.DuckDBPyConnection, planned: AsOfPlan, run_id: str) -> None:
    """Hand the plan to the dbt build that follows (one row; no row = no plan)."""
    _ensure(con)
    con.execute(
        f"CREATE OR REPLACE TABLE {PLAN} (run_id VARCHAR, full_refresh BOOLEAN, rebuild_from DATE, "
        "unchanged_inputs VARCHAR[], planned_at TIMESTAMP)"
    )
    con.execute(
        f"INSERT INTO {PLAN} VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
        [
            run_id,
            planned.full_refresh,
            None if planned.full_refresh else planned.rebuild_from,
            sorted(planned.unchanged),
        ],
    )


def withdraw_plan(con: duckdb.DuckDBPyConnection) -> None:
    """After the build, whatever its outcome: a later `dbt build` by hand must not use it."""
    con.execute(f"DROP TABLE IF EXISTS {PLAN}")


def record(con: duckdb.DuckDBPyConnection, done: AsOfPlan, run_id: str) -> None:
    """After a build that succeeded: the batches its as-of rows now reflect."""
    _ensure(con)
    con.execute("BEGIN TRANSACTION")
    con.execute(f"DELETE FROM {STATE}")
    con.executemany(
        f"INSERT INTO {STATE} VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [
            [d, b, rows, first, done.fingerprint, done.rebuild_from, run_id]
            for (d, b), (rows, first) in sorted(done.state.items())
        ],
    )
    if not done.state:
        # No input rows at all: one row still records that this fingerprint was built.
        con.execute(
            f"INSERT INTO {STATE} VALUES (NULL, NULL, NULL, NULL, ?, ?, ?, now()::TIMESTAMP)",
            [done.fingerprint, done.rebuild_from, run_id],
        )
    con.execute("COMMIT")
