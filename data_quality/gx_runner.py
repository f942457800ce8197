"""Run Great Expectations 1.x suites on DuckDB tables, inside DuckDB, or on Parquet through Spark.

GX's SQL path keeps memory bounded (no table is pulled into pandas). As shipped it fails on
DuckDB (GX issues 10738 and 11579); pipelines/compat.py holds the shim that makes it work, and
callers say whether it is applied (`in_duckdb`). Without it, each table is read into pandas and
validated there: the same suites, more memory.

On the Spark engine the raw suites read the Spark copy of each table (a Parquet folder) through
GX's Spark data source instead (`validate_parquet_in_spark`): the suites are the same objects.
"""

from __future__ import annotations

import gc
import logging
import os
from functools import lru_cache
from pathlib import Path

import duckdb

from data_quality.results import ERROR, CheckOutcome


@lru_cache(maxsize=1)
def _gx():
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    return gx


@lru_cache(maxsize=1)
def _context():
    gx = _gx()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    return context


def validate_tables(
    db_path: Path, suites: list[tuple], in_duckdb: bool = False, duckdb_config: dict[str, str] | None = None
) -> list[CheckOutcome]:
    """Validate several tables of one file through one GX data source: the source's engine and
    connection are set up once, not once per table. Each item is (schema, table, suite name,
    expectations, row condition or None); the outcome of each lists every failed expectation.
    `duckdb_config`: the settings the file is opened with (the run's memory limit)."""
    if not in_duckdb:
        return _validate_in_pandas(db_path, suites)
    context = _context()
    name = f"wh_{abs(hash(str(db_path))) % 10**8}"
    source = context.data_sources.add_or_update_sql(
        name,
        connection_string=f"duckdb:///{db_path}",
        kwargs={"connect_args": {"config": duckdb_config}} if duckdb_config else {},
    )

    def batch_of(asset_name: str, schema: str, table: str, rows: str | None):
        if rows:
            asset = source.add_query_asset(asset_name, query=f"SELECT * FROM {schema}.{table} WHERE {rows}")
        else:
            asset = source.add_table_asset(asset_name, table_name=table, schema_name=schema)
        return asset.add_batch_definition_whole_table("whole").get_batch()

    try:
        return _run_suites(suites, batch_of)
    finally:
        # Release the file: dbt (another process) must be able to take the write lock next.
        source.get_execution_engine().close()
        source.get_engine().dispose()
        context.data_sources.delete(name)
        # A DuckDB connection left in a reference cycle would keep the file open; a full
        # collection costs ~0.3 s in a run's large heap, so it runs only when one does.
        if _open_in_this_process(db_path) is not False:
            gc.collect()


def _validate_in_pandas(db_path: Path, suites: list[tuple]) -> list[CheckOutcome]:
    source = _context().data_sources.add_or_update_pandas(f"wh_pandas_{abs(hash(str(db_path))) % 10**8}")
    with duckdb.connect(str(db_path)) as con:
        con.execute("SET enable_progress_bar = false")

        def frame_of(schema: str, table: str, rows: str | None):
            return con.sql(f"SELECT * FROM {schema}.{table}" + (f" WHERE {rows}" if rows else "")).df()

        return _validate_dataframes(source, suites, frame_of)


def validate_parquet_in_spark(session, folders: dict[tuple[str, str], Path], suites: list[tuple]) -> list[CheckOutcome]:
    """The suites on Parquet folders read by a Spark session: `folders` maps (schema, table) to
    the folder holding that table's copy; `suites` are as in `validate_tables`, and a row
    condition is Spark SQL."""
    source = _context().data_sources.add_or_update_spark(f"spark_{abs(hash(tuple(sorted(folders)))) % 10**8}")

    def frame_of(schema: str, table: str, rows: str | None):
        frame = session.read.parquet(str(folders[(schema, table)]))
        return frame.where(rows) if rows else frame

    return _validate_dataframes(source, suites, frame_of)


def _validate_dataframes(source, suites: list[tuple], frame_of) -> list[CheckOutcome]:
    """The suites on the dataframes `frame_of(schema, table, rows)` gives, through a dataframe
    data source (pandas or Spark) that is removed afterwards."""

    def batch_of(asset_name: str, schema: str, table: str, rows: str | None):
        definition = source.add_dataframe_asset(asset_name).add_batch_definition_whole_dataframe("whole")
        return definition.get_batch(batch_parameters={"dataframe": frame_of(schema, table, rows)})

    try:
        return _run_suites(suites, batch_of)
    finally:
        _context().data_sources.delete(source.name)


def _run_suites(suites: list[tuple], batch_of) -> list[CheckOutcome]:
    """Each suite on the batch `batch_of(asset name, schema, table, rows)` gives: one outcome each."""
    gx = _gx()
    outcomes = []
    for i, (schema, table, suite_name, expectations, rows) in enumerate(suites):
        batch = batch_of(f"{schema}_{table}_{i}", schema, table, rows)
        result = batch.validate(gx.ExpectationSuite(name=suite_name, expectations=expectations))
        outcomes.append(_outcome(f"{schema}.{table}", suite_name, result))
    return outcomes


def _open_in_this_process(path: Path) -> bool | None:
    """Whether this process holds the database file (or its WAL) open; None if it cannot tell."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return None
    targets = {str(Path(path).resolve()), str(Path(path).resolve()) + ".wal"}
    for fd in fd_dir.iterdir():
        try:
            if os.readlink(fd) in targets:
                return True
        except OSError:
            continue
    return False


def _outcome(dataset: str, suite_name: str, result) -> CheckOutcome:
    failed = [r for r in result.results if not r.success]
    detail = "; ".join(_describe(r) for r in failed[:10])
    return CheckOutcome(
        dataset=dataset,
        check_name=suite_name,
        passed=result.success,
        severity=ERROR,
        observed={"expectations": len(result.results), "failed": len(failed)},
        detail=detail or f"all {len(result.results)} expectations met",
    )


def _describe(r) -> str:
    cfg = r.expectation_config
    args = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id", "result_format")}
    res = r.result or {}
    seen = res.get("observed_value", res.get("unexpected_count"))
    if r.exception_info and r.exception_info.get("raised_exception"):
        seen = r.exception_info.get("exception_message")
    return f"{cfg.type}({args}) observed {seen}"
