"""WAREHOUSE_ENGINE (issue #16): read, validated, carried into the build's fingerprint, and refused
before a run starts when the machine cannot run Spark. No Spark is started here."""

from __future__ import annotations

import datetime
import json

import duckdb
import pytest

from pipelines import spark_engine
from pipelines.config import SettingsError, load_settings
from pipelines.resources import WarehouseResource


def test_the_engine_defaults_to_duckdb_and_accepts_spark_in_any_case(tmp_path):
    assert load_settings({"WAREHOUSE_DIR": str(tmp_path)}).engine == "duckdb"
    assert load_settings({"WAREHOUSE_DIR": str(tmp_path), "WAREHOUSE_ENGINE": " Spark "}).engine == "spark"
    with pytest.raises(SettingsError, match="WAREHOUSE_ENGINE='presto': expected one of duckdb, spark"):
        load_settings({"WAREHOUSE_DIR": str(tmp_path), "WAREHOUSE_ENGINE": "presto"})


def test_the_engine_survives_the_dagster_resource_and_changes_the_build_fingerprint(tmp_path):
    spark = load_settings({"WAREHOUSE_DIR": str(tmp_path), "WAREHOUSE_ENGINE": "spark"})
    assert WarehouseResource.from_settings(spark).settings.engine == "spark"
    duck = load_settings({"WAREHOUSE_DIR": str(tmp_path)})
    # The default engine's vars are what they were before the setting existed (no rebuild on upgrade).
    assert "engine" not in duck.dbt_vars()
    assert spark.dbt_vars() == {**duck.dbt_vars(), "engine": "spark"}


def test_a_machine_without_the_spark_packages_is_told_to_run_make_setup_spark(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyspark" else real(name, *a))
    assert spark_engine.missing_requirements() == ("WAREHOUSE_ENGINE=spark needs pyspark: run `make setup-spark` first")


def test_inputs_are_exported_whole_and_an_absent_table_leaves_no_folder(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw; CREATE TABLE raw.prices AS SELECT 'IWM' AS symbol, DATE '2026-01-02' AS date")
    stale = spark_engine.inputs_dir(tmp_path) / "audit" / "dbt_as_of_plan"
    stale.mkdir(parents=True)
    written = spark_engine.export_inputs(con, tmp_path, [("raw", "prices"), ("audit", "dbt_as_of_plan")])
    assert written == ["raw.prices"]
    assert not stale.exists()
    back = con.execute(f"SELECT * FROM read_parquet('{spark_engine.inputs_dir(tmp_path)}/raw/prices/*.parquet')")
    assert back.fetchall() == [("IWM", datetime.date(2026, 1, 2))]
    assert not list(spark_engine.inputs_dir(tmp_path).glob("**/.*partial"))


def test_a_raw_table_is_exported_again_only_when_its_batches_or_rows_changed(tmp_path):
    con = duckdb.connect()
    con.execute(
        "CREATE SCHEMA raw; CREATE TABLE raw.prices AS "
        "SELECT 'IWM' AS symbol, range AS day, 'b1' AS _batch_id FROM range(3)"
    )
    part = spark_engine.inputs_dir(tmp_path) / "raw" / "prices" / "part-0.parquet"

    def export() -> int:
        spark_engine.export_inputs(con, tmp_path, [("raw", "prices")])
        return part.stat().st_ino

    first = export()
    assert export() == first  # nothing changed: the folder the last run wrote is the one read
    con.execute("INSERT INTO raw.prices VALUES ('IWM', 3, 'b2')")
    after_batch = export()
    assert after_batch != first
    con.execute("DELETE FROM raw.prices WHERE day = 1")  # a gate moved a row to quarantine
    after_quarantine = export()
    assert after_quarantine != after_batch
    count = con.execute(f"SELECT count(*) FROM read_parquet('{part}')").fetchone()[0]
    assert count == 3
    con.execute("ALTER TABLE raw.prices ADD COLUMN venue VARCHAR")  # an upgrade's new column
    assert export() != after_quarantine
    assert "venue" in con.execute(f"SELECT * FROM read_parquet('{part}')").df().columns


def test_a_table_without_batches_is_exported_on_every_run(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE SCHEMA audit; CREATE TABLE audit.series_flags AS SELECT 'IWM' AS series")
    part = spark_engine.inputs_dir(tmp_path) / "audit" / "series_flags" / "part-0.parquet"
    spark_engine.export_inputs(con, tmp_path, [("audit", "series_flags")])
    first = part.stat().st_ino
    spark_engine.export_inputs(con, tmp_path, [("audit", "series_flags")])
    assert part.stat().st_ino != first


def test_spark_marts_are_read_back_with_their_contract_types_or_not_at_all(tmp_path):
    spark_dir = tmp_path / "spark"
    folder = spark_engine.tables_dir(spark_dir) / "marts.db" / "fund_scorecard"
    folder.mkdir(parents=True)
    con = duckdb.connect()
    # Spark writes a day count as INT where the contract says BIGINT.
    con.execute(f"COPY (SELECT 7::INTEGER AS funds, 'x' AS worst) TO '{folder}/part-0.parquet' (FORMAT parquet)")
    counts = spark_engine.import_marts(con, spark_dir, {"fund_scorecard": [("funds", "bigint"), ("worst", "varchar")]})
    assert counts == {"fund_scorecard": 1}
    types = con.execute("SELECT column_name, data_type FROM information_schema.columns ORDER BY ordinal_position")
    assert types.fetchall() == [("funds", "BIGINT"), ("worst", "VARCHAR")]
    with pytest.raises(spark_engine.SparkMartsMissing, match="no Parquet files for marts triggers"):
        spark_engine.import_marts(con, spark_dir, {"fund_scorecard": [], "triggers": []})
    # A mart that fails its cast halfway through the import leaves every mart as it was.
    con.execute(f"COPY (SELECT 8::INTEGER AS funds, 'y' AS worst) TO '{folder}/part-0.parquet' (FORMAT parquet)")
    bad = folder.parent / "triggers"
    bad.mkdir()
    con.execute(f"COPY (SELECT 'not a number' AS value) TO '{bad}/part-0.parquet' (FORMAT parquet)")
    with pytest.raises(duckdb.ConversionException):
        spark_engine.import_marts(
            con,
            spark_dir,
            {"fund_scorecard": [("funds", "bigint"), ("worst", "varchar")], "triggers": [("value", "double")]},
        )
    assert con.execute("SELECT * FROM marts.fund_scorecard").fetchall() == [(7, "x")]


def test_mart_contract_types_come_from_the_prepared_manifest():
    from pipelines.assets.dbt import _manifest_path

    columns = spark_engine.mart_columns(_manifest_path())
    manifest = json.loads(_manifest_path().read_text())
    marts = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["schema"] == "marts"}
    assert set(columns) == marts and len(marts) >= 20
    assert all(columns[m] and all(t for _, t in columns[m]) for m in marts)
