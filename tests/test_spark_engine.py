"""The Spark engine (issue #16): the same graph on Spark gives the same marts as on DuckDB.

One small sample market (60 + 20 companies, three years) is landed as files and run through
the whole graph twice, once per engine (WAREHOUSE_ENGINE). Every mart the Spark build
published must equal the DuckDB build's row by row: keys, counts, statuses and verdicts equal,
numbers within 1e-9 relative, JSON details equal as JSON (tests/helpers/spark_parity.py).

Then a day of late filings lands (tests/test_point_in_time.py's restatements, all filed after
the audit date) and the Spark warehouse runs again: its as-of models replace only the
partitions from the first new filing on. That incremental build must equal a Spark build from
scratch on the same files, mart by mart (the point-in-time equality test_point_in_time shows on
DuckDB), while the partitions before the boundary are the files the first run wrote.
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


def _partition_files(wh: Path, model: str) -> dict[str, set[str]]:
    """The Parquet files of each as_of_date partition of an incremental Spark model."""
    table = wh / "spark" / "tables" / "intermediate.db" / model
    return {
        part.name.removeprefix("as_of_date="): {f.name for f in part.glob("*.parquet")}
        for part in table.glob("as_of_date=*")
    }


AS_OF_MODELS = ("int_company_asof", "int_eps_growth_asof")


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
    partitions = {"first": {m: _partition_files(spark, m) for m in AS_OF_MODELS}}
    extra = restatements_after(duck)
    for column in ("fiscal_period_end", "report_date"):
        extra[column] = extra[column].dt.strftime("%Y-%m-%d")
    extra.to_csv(files / "earnings" / "restatements_after_d.csv", index=False)
    _run(files, spark, **SPARK)
    partitions["incremental"] = {m: _partition_files(spark, m) for m in AS_OF_MODELS}
    scratch = base / "spark_scratch"
    _run(files, scratch, **SPARK)
    second = {"incremental": _marts(spark), "scratch": _marts(scratch)}
    return first, second, partitions, spark


def test_spark_publishes_every_mart_the_duckdb_build_publishes(engines):
    first, *_ = engines
    assert first["spark"].keys() == first["duckdb"].keys()
    assert len(first["duckdb"]) >= 20


def test_every_published_column_has_the_same_type_on_both_engines(engines):
    first, *_ = engines
    duck_types, spark_types = first["types"]
    assert spark_types == duck_types


def _differing(expected: dict, actual: dict) -> dict:
    assert actual.keys() == expected.keys()
    return {name: found for name, frame in expected.items() if (found := differences(frame, actual[name]))}


def test_every_mart_of_the_spark_build_equals_the_duckdb_build(engines):
    first, *_ = engines
    differing = _differing(first["duckdb"], first["spark"])
    assert not differing, f"marts differing between the engines: {differing}"
    assert sum(len(f) for f in first["spark"].values()) > 1000


def test_an_incremental_spark_build_equals_a_spark_build_from_scratch(engines):
    _, second, *_ = engines
    differing = _differing(second["scratch"], second["incremental"])
    assert not differing, f"marts differing between the incremental and the full Spark build: {differing}"


@pytest.mark.parametrize("model", AS_OF_MODELS)
def test_the_incremental_spark_run_replaced_only_the_partitions_after_the_audit_date(engines, model):
    *_, partitions, _ = engines
    before, after = partitions["first"][model], partitions["incremental"][model]
    kept = [d for d in before if d <= D.isoformat()]
    later = [d for d in after if d > D.isoformat()]
    assert kept and later
    # The files written by the first run are still the ones read for dates up to D...
    assert {d: after.get(d) for d in kept} == {d: before[d] for d in kept}
    # ...and every later partition was written again by the second run.
    assert all(after[d].isdisjoint(before.get(d, set())) for d in later)


def test_the_late_filings_changed_the_spark_marts_after_the_audit_date(engines):
    first, second, *_ = engines
    before, after = first["spark"]["profitability"], second["incremental"]["profitability"]
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
