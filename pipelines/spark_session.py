"""The Spark sessions this process opens itself (WAREHOUSE_ENGINE=spark), configured as dbt's.

dbt opens its own session from the profile's `spark` output (dbt_project/profiles.yml): that
YAML cannot import Python, so the settings are spelt twice, and tests/test_spark_session.py
holds the two spellings equal. Two kinds of session are opened here:

- `catalog=True`: on the warehouse's Hive catalog (Derby under spark/metastore_db), to read the
  tables dbt built. Derby admits one JVM at a time: never while a dbt step runs.
- `catalog=False`: Parquet folders read by path, no catalog. The raw gates validate the Spark
  copies of the raw tables this way (Great Expectations' Spark data source) while no catalog
  is needed, so a gate never contends with dbt for Derby.
"""

from __future__ import annotations

import os
from pathlib import Path

# Environment variable -> (Spark setting, default): the knobs the profile reads too.
TUNABLE = {
    "WAREHOUSE_SPARK_MASTER": ("spark.master", "local[2]"),
    "WAREHOUSE_SPARK_DRIVER_MEMORY": ("spark.driver.memory", "2g"),
    "WAREHOUSE_SPARK_SHUFFLE_PARTITIONS": ("spark.sql.shuffle.partitions", "4"),
}
FIXED = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    # Progress bars and log lines would share stdout with dbt's JSON lines (see the profile).
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
}
# dbt-spark's session method sets this on every session it opens; ours read what dbt wrote.
SESSION_METHOD = {"spark.sql.ansi.enabled": "false"}


def spark_conf(spark_dir: Path, catalog: bool, env: dict[str, str] | None = None) -> dict[str, str]:
    """Every setting of a session on this warehouse's Spark folder."""
    env = os.environ if env is None else env
    spark_dir = Path(spark_dir).resolve()
    conf = {key: env.get(var, default) for var, (key, default) in TUNABLE.items()}
    conf |= FIXED | SESSION_METHOD
    conf["spark.driver.extraJavaOptions"] = f"-Dderby.stream.error.file={spark_dir / 'derby.log'}"
    # Else a `spark-warehouse` folder may appear in the working directory.
    conf["spark.sql.warehouse.dir"] = str(spark_dir / "tables")
    if catalog:
        conf |= {
            "spark.sql.catalogImplementation": "hive",
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true"
            ),
        }
    else:
        conf["spark.sql.catalogImplementation"] = "in-memory"
    return conf


def open_session(spark_dir: Path, catalog: bool):
    """A session with `spark_conf`'s settings: the process's active one when it has the same kind
    of catalog. A process holding the other kind cannot have this one (the catalog is a static
    setting of the JVM's context), and says so rather than handing back the wrong catalog."""
    from pyspark.sql import SparkSession

    conf = spark_conf(spark_dir, catalog)
    active = SparkSession.getActiveSession()
    if active is not None:
        held = active.conf.get("spark.sql.catalogImplementation")
        if held != conf["spark.sql.catalogImplementation"]:
            raise RuntimeError(
                f"this process already holds a Spark session on the {held} catalog; a session on the "
                f"{conf['spark.sql.catalogImplementation']} catalog needs a process of its own"
            )
    builder = SparkSession.builder.appName("smallcap-warehouse")
    for key, value in conf.items():
        builder = builder.config(key, value)
    if catalog:
        builder = builder.enableHiveSupport()
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
