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


def test_a_second_run_leaves_the_same_row_counts(sample_warehouse: Path):
    before = row_counts(sample_warehouse / "warehouse.duckdb")
    proc = run_pipeline(sample_warehouse)
    assert "SYNTHETIC" in proc.stdout
    assert row_counts(sample_warehouse / "warehouse.duckdb") == before


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
    expected = tables["prices"][["symbol", "date", "close", "adj_close"]].sort_values(["symbol", "date"]).reset_index(drop=True)
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
