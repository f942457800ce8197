"""The whole graph, run as `make demo` runs it, into temporary folders."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from data_quality.marts_contract import MARTS
from pipelines.config import Settings
from pipelines.datasets import DATASETS
from pipelines.raw_loader import load_dataset
from pipelines.sources.files import FilesSource
from pipelines.sources.sample.generator import SampleParams, generate_market
from pipelines.sources.sample.source import truths_path
from tests.conftest import row_counts, run_pipeline


def test_the_sample_run_fills_every_layer_and_publishes(sample_warehouse: Path):
    counts = row_counts(sample_warehouse / "warehouse.duckdb")
    for name in DATASETS:
        assert counts[f"raw.{name}"] > 0, name
        assert counts[f"staging.stg_{name}"] > 0, name
    # The default sample is clean history: nothing is flagged (test_policy_runs.py plants flaws).
    assert counts["marts.series_flags"] == 0
    for table in set(MARTS) - {"series_flags"}:
        assert counts[f"marts.{table}"] > 0, table
    published = row_counts(sample_warehouse / "serving.duckdb", ("marts",))
    assert set(MARTS) | {"quality_results", "publish_info"} <= {k.split(".")[1] for k in published}
    truths = json.loads(truths_path(Settings(warehouse_dir=sample_warehouse)).read_text())
    assert truths["synthetic"] is True and truths["audit_date"] == "2025-12-09"


# Columns that say when or by which run a row was written: they change on every run by design.
RUN_COLUMNS = {
    "_batch_id",
    "_loaded_at",
    "run_id",
    "checked_at",
    "built_at",
    "loaded_at",
    "validated_at",
    "published_at",
}
# The log of every run's checks: compared for the latest run only.
PER_RUN_LOGS = {"audit.quality_results"}
# A check's observed value and detail describe its context too (the previous run's row count,
# which batches were new), so of the check log the verdicts are compared.
CONTEXT_COLUMNS = {"audit.quality_results": {"observed", "detail"}, "marts.quality_results": {"observed", "detail"}}
# The as-of plan records which dates each run recomputed: a rerun recomputes fewer by design.
NOT_CONTENT = {"audit.dbt_as_of_state", "audit.validated_batches", "raw._loaded_files"}


def contents(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the columns that name the run or the time."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema <> 'main' ORDER BY 1, 2"
        ).fetchall()
        out = {}
        for schema, table in tables:
            name = f"{schema}.{table}"
            if name in NOT_CONTENT:
                continue
            columns = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                    "ORDER BY ordinal_position",
                    [schema, table],
                ).fetchall()
            ]
            keep = ", ".join(f'"{c}"' for c in columns if c not in RUN_COLUMNS | CONTEXT_COLUMNS.get(name, set()))
            where = (
                f" WHERE run_id = (SELECT run_id FROM {name} ORDER BY checked_at DESC LIMIT 1)"
                if name in PER_RUN_LOGS
                else ""
            )
            out[name] = con.execute(f'SELECT {keep} FROM "{schema}"."{table}"{where} ORDER BY ALL').fetchall()
        return out


def test_a_second_run_that_reads_every_file_again_changes_nothing(sample_warehouse: Path):
    warehouse, serving = sample_warehouse / "warehouse.duckdb", sample_warehouse / "serving.duckdb"
    before, published = contents(warehouse), contents(serving)
    # Forget what was loaded: the second run reads, checks and loads every landed file again.
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DELETE FROM raw._loaded_files")
    proc = run_pipeline(sample_warehouse)
    assert "SYNTHETIC" in proc.stdout
    after = contents(warehouse)
    assert sorted(after) == sorted(before)
    assert len(before) > 40 and all(before[t] for t in ("raw.prices", "marts.valuation", "audit.quality_results"))
    changed = [t for t in before if after[t] != before[t]]
    assert not changed, f"tables whose contents changed on a rerun of the same files: {changed}"
    assert contents(serving) == published


def _write_contract_folder(root: Path) -> dict[str, pd.DataFrame]:
    tables = generate_market(SampleParams(n_small=30, n_large=10, years=2.5, seed=7)).tables
    for name, frame in tables.items():
        (root / name).mkdir(parents=True)
        # Half as CSV, half as Parquet: a folder may hold both.
        half = len(frame) // 2
        frame.iloc[:half].to_csv(root / name / "part1.csv", index=False, date_format="%Y-%m-%d")
        frame.iloc[half:].to_parquet(root / name / "part2.parquet", index=False)
    return tables


def test_the_files_source_round_trips_a_contract_folder(tmp_path: Path):
    tables = _write_contract_folder(tmp_path / "in")
    source, landing = FilesSource(tmp_path / "in"), tmp_path / "landing"
    con = duckdb.connect()
    for name, frame in tables.items():
        landed = source.land(name, landing, print)
        report = load_dataset(con, name, landed.files, landing)
        assert report.rows_quarantined == 0 and report.total_rows == len(frame), name
    prices = con.execute("SELECT symbol, date, close, adj_close FROM raw.prices ORDER BY symbol, date").fetchdf()
    expected = (
        tables["prices"][["symbol", "date", "close", "adj_close"]]
        .sort_values(["symbol", "date"])
        .reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(prices, expected, check_dtype=False, rtol=1e-12)
    files = [r[0] for r in con.execute("SELECT DISTINCT _source_file FROM raw.earnings").fetchall()]
    assert all(f.startswith("files/earnings/part") for f in files) and len(files) == 2


def test_a_malformed_folder_stops_the_run_naming_file_line_and_column(tmp_path: Path):
    folder = tmp_path / "in"
    (folder / "prices").mkdir(parents=True)
    (folder / "prices" / "eod.csv").write_text("symbol,date,price\nIWM,2024-01-02,200.1\n")
    proc = run_pipeline(tmp_path / "wh", check=False, WAREHOUSE_SOURCE="files", WAREHOUSE_FILES_DIR=str(folder))
    assert proc.returncode != 0
    assert "eod." in proc.stderr and "line 1, column 'close': required column 'close' is missing" in proc.stderr
    assert not (tmp_path / "wh" / "serving.duckdb").exists()
