"""The Spark engine (issue #16): the same graph on Spark gives the same marts as on DuckDB.

One small sample market (60 + 20 companies, three years) is landed as files and run through
the whole graph twice, once per engine (WAREHOUSE_ENGINE). Every mart the Spark build
published must equal the DuckDB build's row by row: keys, counts, statuses and verdicts equal,
numbers within 1e-9 relative, JSON details equal as JSON (tests/helpers/spark_parity.py).

Then a day of late filings lands (tests/test_point_in_time.py's restatements, all filed after
the audit date) and both warehouses run again: Spark's as-of models recompute only the dates
from the first new filing on (partition replacement), DuckDB's likewise (delete + insert, shown
equal to a build from scratch in test_point_in_time). The incremental Spark build must still
equal the DuckDB build, mart by mart.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import SMALL, run_pipeline
from tests.helpers.spark_parity import differences
from tests.test_point_in_time import D, restatements_after

pytest.importorskip("pyspark", reason="the Spark engine's packages are installed by `make setup-spark`")

SPARK = {"WAREHOUSE_ENGINE": "spark"}


def _run(files: Path, wh: Path, **overrides: str) -> None:
    run_pipeline(wh, WAREHOUSE_SOURCE="files", WAREHOUSE_FILES_DIR=str(files), **overrides)


def _marts(wh: Path) -> dict:
    """Every published mart, read from serving.duckdb (what BI tools get)."""
    with duckdb.connect(str(wh / "serving.duckdb"), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' "
                "AND table_name NOT IN ('publish_info', 'quality_results') ORDER BY 1"
            ).fetchall()
        ]
        return {name: con.execute(f"SELECT * FROM marts.{name}").df() for name in names}


def _types(wh: Path) -> dict:
    with duckdb.connect(str(wh / "serving.duckdb"), read_only=True) as con:
        return {
            (t, c): d
            for t, c, d in con.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts'"
            ).fetchall()
        }


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    from pipelines.config import load_settings
    from pipelines.sources.sample.source import SampleSource

    base = tmp_path_factory.mktemp("engines")
    small = {**SMALL, "WAREHOUSE_SAMPLE_YEARS": "3"}
    market = SampleSource(load_settings({"WAREHOUSE_DIR": str(base / "gen"), **small})).market(base / "gen" / "landing")
    files = base / "files"
    for dataset_dir in market.iterdir():
        if dataset_dir.is_dir():
            shutil.copytree(dataset_dir, files / dataset_dir.name)
    duck, spark = base / "duckdb", base / "spark"
    _run(files, duck)
    _run(files, spark, **SPARK)
    first = {"duckdb": _marts(duck), "spark": _marts(spark), "types": (_types(duck), _types(spark))}
    extra = restatements_after(duck)
    for column in ("fiscal_period_end", "report_date"):
        extra[column] = extra[column].dt.strftime("%Y-%m-%d")
    extra.to_csv(files / "earnings" / "restatements_after_d.csv", index=False)
    _run(files, duck)
    _run(files, spark, **SPARK)
    second = {"duckdb": _marts(duck), "spark": _marts(spark)}
    return first, second, spark


def test_spark_publishes_every_mart_the_duckdb_build_publishes(engines):
    first, *_ = engines
    assert first["spark"].keys() == first["duckdb"].keys()
    assert len(first["duckdb"]) >= 20


def test_every_published_column_has_the_same_type_on_both_engines(engines):
    first, *_ = engines
    duck_types, spark_types = first["types"]
    assert spark_types == duck_types


@pytest.mark.parametrize("build", ["first", "incremental"])
def test_every_mart_of_the_spark_build_equals_the_duckdb_build(engines, build):
    first, second, _ = engines
    marts = first if build == "first" else second
    differing = {}
    for name, frame in marts["duckdb"].items():
        found = differences(frame, marts["spark"][name])
        if found:
            differing[name] = found
    assert not differing, f"marts differing between the engines ({build} build): {differing}"
    assert sum(len(f) for f in marts["spark"].values()) > 1000


def test_the_late_filings_changed_the_spark_marts_after_the_audit_date(engines):
    first, second, _ = engines
    before, after = first["spark"]["profitability"], second["spark"]["profitability"]
    cut = pd.Timestamp(D)
    assert (before["as_of_date"] > cut).any()
    # Facts filed after D: the rows up to D stay, the later ones change (as on DuckDB: test_point_in_time).

    def part(frame, later):
        return frame[(frame["as_of_date"] > cut) == later]

    assert differences(part(before, False), part(after, False)) == []
    assert differences(part(before, True), part(after, True)) != []


def test_the_spark_catalog_holds_its_tables_as_parquet_between_runs(engines):
    *_, spark = engines
    tables = spark / "spark" / "tables"
    assert list((tables / "marts.db" / "profitability").glob("*.parquet"))
    assert list((tables / "intermediate.db" / "int_company_asof").glob("**/*.parquet"))
    assert (spark / "spark" / "metastore_db").is_dir()
    assert list((spark / "spark" / "inputs" / "raw" / "prices").glob("*.parquet"))
