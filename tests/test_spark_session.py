"""The Spark sessions the pipeline opens itself (pipelines/spark_session.py) against dbt's profile,
and the raw gates read through Spark (issue #16): Great Expectations' Spark data source on the
Parquet copy of a raw table, the copy dbt's Spark build reads."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest
import yaml

from pipelines import spark_session

PROFILE = Path(__file__).resolve().parents[1] / "dbt_project" / "profiles.yml"


def _profile_spark_settings(env: dict[str, str], warehouse_dir: Path) -> dict[str, str]:
    """The profile's `spark` output rendered as dbt renders it: env_var() and var() of its Jinja."""

    def env_var(name, default=None):
        return env.get(name, default)

    def var(name, default=None):
        return str(warehouse_dir) if name == "warehouse_dir" else default

    text = jinja2.Environment().from_string(PROFILE.read_text()).render(env_var=env_var, var=var)
    params = yaml.safe_load(text)["smallcap_warehouse"]["outputs"]["spark"]["server_side_parameters"]
    return {k: str(v) for k, v in params.items()}


@pytest.mark.parametrize(
    "env",
    [
        {},
        {
            "WAREHOUSE_SPARK_MASTER": "spark://head:7077",
            "WAREHOUSE_SPARK_DRIVER_MEMORY": "6g",
            "WAREHOUSE_SPARK_SHUFFLE_PARTITIONS": "64",
        },
    ],
)
def test_the_pipelines_catalog_session_is_configured_as_dbts_spark_target(tmp_path, env):
    ours = spark_session.spark_conf(tmp_path / "spark", catalog=True, env=env)
    profile = _profile_spark_settings(env, tmp_path)
    # dbt-spark's session method adds the ANSI setting to the profile's at connection time.
    assert ours == {**profile, **spark_session.SESSION_METHOD}
    assert ours["spark.master"] == env.get("WAREHOUSE_SPARK_MASTER", "local[2]")


def test_a_gate_session_has_no_catalog_so_it_never_takes_derbys_lock(tmp_path):
    conf = spark_session.spark_conf(tmp_path / "spark", catalog=False, env={})
    assert conf["spark.sql.catalogImplementation"] == "in-memory"
    assert not any("derby" in k.lower() or "jdo" in k.lower() for k in conf)


def test_the_raw_suite_through_spark_reads_the_parquet_copy_and_only_the_batches_in_scope(tmp_path):
    pytest.importorskip("pyspark", reason="the Spark engine's packages are installed by `make setup-spark`")
    from data_quality.gate_scope import Scope
    from data_quality.thresholds import load_thresholds
    from pipelines.datasets import DATASETS
    from pipelines.raw_gates import export_for_spark, run_raw_suite
    from pipelines.raw_loader import ensure_tables

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_tables(con, DATASETS["prices"])
    con.execute(
        "INSERT INTO raw.prices (symbol, date, close, open, high, low, adj_close, volume, _source_file, "
        "_source_line, _batch_id, _loaded_at) VALUES "
        "('IWM', DATE '2026-01-02', 1.0, 1.0, 1.0, 1.0, 1.0, 100, 'f1.csv', 2, 'b1', TIMESTAMP '2026-01-02'), "
        "('IWM', DATE '2026-01-05', -1.0, 1.0, 1.0, 1.0, 1.0, 100, 'f2.csv', 2, 'b2', TIMESTAMP '2026-01-05')"
    )
    spark_dir = tmp_path / "spark"
    export_for_spark(con, "prices", spark_dir)
    con.close()
    t = load_thresholds()
    whole = run_raw_suite(tmp_path / "warehouse.duckdb", "prices", t, spark_dir=spark_dir)
    assert not whole.passed
    assert "expect_column_values_to_be_between({'column': 'close'" in whole.detail
    assert f"read through Spark: {spark_dir / 'inputs' / 'raw' / 'prices'}" in whole.detail
    # An incremental run checks the new batches only: b1's row is good.
    first_batch = Scope("prices", "batches", "", state={"b1": 1, "b2": 1}, new_batches=["b1"])
    assert run_raw_suite(tmp_path / "warehouse.duckdb", "prices", t, first_batch, spark_dir=spark_dir).passed


def test_a_process_holding_a_gate_session_refuses_a_catalog_session_instead_of_reusing_it(tmp_path):
    pytest.importorskip("pyspark", reason="the Spark engine's packages are installed by `make setup-spark`")
    gate = spark_session.open_session(tmp_path / "spark", catalog=False)
    assert spark_session.open_session(tmp_path / "spark", catalog=False) is gate
    with pytest.raises(RuntimeError, match="holds a Spark session on the in-memory catalog; a session on the hive"):
        spark_session.open_session(tmp_path / "spark", catalog=True)
