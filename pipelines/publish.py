"""Write-audit-publish of serving.duckdb, the only file BI tools read.

Write: the marts of the working warehouse are copied into a new file beside the serving
file. Audit: the BI contract suites run on that new file. Publish: the new file atomically
replaces the old one (a rename on the same filesystem); readers holding the old file keep a
complete snapshot, new readers get the new one, and a failed run leaves the old file exactly
as it was.

Within a run, a failed blocking gate stops this step from running at all (Dagster's blocking
checks). A run that publishes without building (serving materialized alone from the UI) is
refused by the gates' memory across runs: the latest outcome of every check on the data in the
warehouse (data_quality.results.standing_failures).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from data_quality.gx_runner import validate_tables
from data_quality.marts_contract import MARTS
from data_quality.results import HISTORY, CheckOutcome, record, standing_failures
from data_quality.suites import mart_suite
from pipelines import compat
from pipelines.config import Settings


class PublishRefused(RuntimeError):
    pass


@dataclass
class Published:
    path: Path
    tables: dict[str, int]


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'marts' AND table_type = 'BASE TABLE' "
            "ORDER BY table_name"
        ).fetchall()
    ]


def write_candidate(con: duckdb.DuckDBPyConnection, candidate: Path, run_id: str, settings: Settings) -> dict[str, int]:
    candidate.unlink(missing_ok=True)
    # The oldest storage format DuckDB 2 writes, so BI drivers built on DuckDB 1.x can open it.
    con.execute(f"ATTACH '{candidate}' AS candidate (STORAGE_VERSION 'v1.0.0')")
    try:
        con.execute("CREATE SCHEMA candidate.marts")
        counts = {}
        for table in _mart_tables(con):
            con.execute(f"CREATE TABLE candidate.marts.{table} AS SELECT * FROM marts.{table}")
            counts[table] = con.execute(f"SELECT count(*) FROM candidate.marts.{table}").fetchone()[0]
        con.execute(
            "CREATE TABLE candidate.marts.publish_info AS SELECT ? AS run_id, now()::TIMESTAMP AS published_at, "
            "? AS source, ? AS synthetic",
            [run_id, settings.source, settings.source == "sample"],
        )
    finally:
        con.execute("DETACH candidate")
    return counts


def audit_candidate(candidate: Path, tables: list[str]) -> list[CheckOutcome]:
    missing = [
        CheckOutcome(
            f"marts.{table}", "bi_contract_suite", False, "error", detail=f"marts.{table} is missing from the build"
        )
        for table in MARTS
        if table not in tables
    ]
    present = [("marts", table, "bi_contract_suite", mart_suite(table), None) for table in MARTS if table in tables]
    return missing + validate_tables(candidate, present, in_duckdb=compat.gx_validates_in_duckdb())


def swap_in(candidate: Path, serving: Path) -> None:
    with open(candidate, "rb") as f:
        os.fsync(f.fileno())
    os.replace(candidate, serving)
    dir_fd = os.open(serving.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


CANDIDATE_GLOB = ".serving-*.duckdb"


def remove_leftover_candidates(serving: Path) -> list[Path]:
    """Deletes candidate files (and their WAL) that a killed publish left beside serving.duckdb.

    A candidate still open in a live process is kept: DuckDB refuses a second writer, so a file
    that opens is one nobody holds any more."""
    removed = []
    for leftover in sorted(serving.parent.glob(CANDIDATE_GLOB)):
        try:
            duckdb.connect(str(leftover)).close()
        except duckdb.Error:
            continue  # held by a running process, or not a DuckDB file we can judge: left alone
        for path in (leftover, leftover.with_name(leftover.name + ".wal")):
            path.unlink(missing_ok=True)
        removed.append(leftover)
    for wal in serving.parent.glob(CANDIDATE_GLOB + ".wal"):
        if not wal.with_name(wal.name[: -len(".wal")]).exists():
            wal.unlink(missing_ok=True)
            removed.append(wal)
    return removed


def publish(connect, settings: Settings, run_id: str) -> tuple[Published | None, list[CheckOutcome]]:
    """Returns the published file, or None with the outcomes that refused it."""
    serving = settings.serving_path
    candidate = serving.with_name(f".serving-{run_id[:8]}.duckdb")
    with connect() as con:
        standing = standing_failures(con)
        if standing:
            raise PublishRefused(
                "the data in the warehouse failed blocking checks: "
                + "; ".join(f"{d} {c} (run {r[:8]}): {detail}" for d, c, detail, r in standing[:5])
            )
        counts = write_candidate(con, candidate, run_id, settings)
    outcomes = audit_candidate(candidate, list(counts))
    with connect() as con:
        record(con, run_id, outcomes)
        if any(o.blocks for o in outcomes):
            candidate.unlink(missing_ok=True)
            return None, outcomes
        # Copied after the audit: the published file carries the audit of itself too.
        con.execute(f"ATTACH '{candidate}' AS candidate")
        con.execute(
            "CREATE TABLE candidate.marts.quality_results AS SELECT run_id, checked_at, dataset, check_name, "
            f"passed, severity, observed, detail FROM {HISTORY} WHERE run_id = ?",
            [run_id],
        )
        con.execute("DETACH candidate")
    swap_in(candidate, serving)
    return Published(serving, counts), outcomes
