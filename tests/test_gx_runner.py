"""GX on DuckDB: a validation leaves the warehouse file free for the next writer (dbt)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from data_quality.gx_runner import _open_in_this_process, validate_tables
from data_quality.thresholds import Thresholds
from pipelines import compat
from pipelines.datasets import DATASETS
from pipelines.raw_gates import contract_suite
from pipelines.raw_loader import ensure_tables


def _warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_tables(con, DATASETS["funds"])
        con.execute(
            "INSERT INTO raw.funds (fund_id, name, _source_file, _source_line, _batch_id, _loaded_at) "
            "VALUES ('F1', 'Fund one', 'funds/a.csv', 2, 'b1', now()::TIMESTAMP)"
        )
    return db


def test_open_in_this_process_sees_duckdb_holding_the_file(tmp_path):
    db = _warehouse(tmp_path)
    assert _open_in_this_process(db) is False
    con = duckdb.connect(str(db))
    try:
        assert _open_in_this_process(db) is True
    finally:
        con.close()
    assert _open_in_this_process(db) is False


def test_after_a_validation_another_process_can_write_the_file(tmp_path):
    db = _warehouse(tmp_path)
    [outcome] = validate_tables(
        db,
        [("raw", "funds", "contract_suite", contract_suite("funds", Thresholds()), None)],
        in_duckdb=compat.gx_validates_in_duckdb(),
    )
    assert outcome.passed, outcome.detail
    assert _open_in_this_process(db) is False
    # DuckDB lets one process write a file; dbt takes it right after the gates.
    writer = subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; duckdb.connect(sys.argv[1]).execute('CREATE TABLE t AS SELECT 1 AS x')",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert writer.returncode == 0, writer.stderr
