"""Comparing what the two engines built (issue #16): every table row by row.

`differences(duck, spark)` is the parity test's rule: the same columns and row count; rows
matched after sorting on every column; keys, counts, statuses and verdicts equal; numbers equal
within 1e-9 relative; JSON texts (the claims' details) equal as JSON under the same rule.

Also a developer's tool while porting a model to Spark, on a warehouse the DuckDB engine built:

    python -m tests.helpers.spark_parity seed WAREHOUSE_DIR     # every DuckDB model as a Spark table
    WAREHOUSE_ENGINE=spark dbt run --select MODEL ...            # the model rebuilt on Spark
    python -m tests.helpers.spark_parity compare WAREHOUSE_DIR MODEL...
    python -m tests.helpers.spark_parity compare-duckdb WAREHOUSE_DIR BASELINE.duckdb MODEL...

`seed` lets one model be built on Spark from DuckDB's upstream tables, before its parents are
ported; `compare` reads the Spark tables through a Spark session (views too).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import duckdb
import pandas as pd

REL_TOL = 1e-9
MODEL_SCHEMAS = ("staging", "intermediate", "marts")


def _close(a, b) -> bool:
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b))
        )
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, str) and isinstance(b, str) and a[:1] in "{[" and b[:1] in "{[":
        try:
            return _close(json.loads(a), json.loads(b))
        except ValueError:
            return a == b
    return a == b


def _normal(value):
    """One Python value per cell, whatever the engine's driver returned."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        value = value.tolist()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date() if value.tzinfo is None else value
    if hasattr(value, "asDict"):  # a Spark Row (struct)
        return {k: _normal(v) for k, v in value.asDict().items()}
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    if hasattr(value, "as_tuple"):  # Decimal
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _sort_key(row: tuple) -> tuple:
    # Floats rounded so that last-bit differences between engines do not reorder rows.
    def one(v):
        if v is None:
            return (0, "")
        if isinstance(v, float):
            return (1, f"{v:.9g}")
        return (1, str(v))

    return tuple(one(v) for v in row)


def rows(frame: pd.DataFrame) -> list[tuple]:
    columns = sorted(frame.columns)
    out = [tuple(_normal(v) for v in record) for record in frame[columns].itertuples(index=False, name=None)]
    return sorted(out, key=_sort_key)


def differences(duck: pd.DataFrame, spark: pd.DataFrame, limit: int = 5) -> list[str]:
    """What differs between two builds of one table; empty when they are equal."""
    if sorted(duck.columns) != sorted(spark.columns):
        only_duck, only_spark = sorted(set(duck) - set(spark)), sorted(set(spark) - set(duck))
        return [f"columns differ: duckdb only {only_duck}, spark only {only_spark}"]
    if len(duck) != len(spark):
        return [f"row counts differ: duckdb {len(duck)}, spark {len(spark)}"]
    columns = sorted(duck.columns)
    out = []
    for a, b in zip(rows(duck), rows(spark), strict=True):
        bad = [f"{c}: duckdb {x!r} spark {y!r}" for c, x, y in zip(columns, a, b, strict=True) if not _close(x, y)]
        if bad:
            out.append("row differs in " + ", ".join(bad))
            if len(out) >= limit:
                break
    return out


def spark_session(warehouse_dir: Path):
    """A Spark session on the warehouse's catalog, configured as dbt's spark target is."""
    from pipelines.spark_session import open_session

    return open_session(Path(warehouse_dir) / "spark", catalog=True)


def duckdb_models(warehouse_dir: Path) -> dict[str, str]:
    """name -> schema of every model the DuckDB engine built."""
    with duckdb.connect(str(Path(warehouse_dir) / "warehouse.duckdb"), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT table_name, table_schema FROM information_schema.tables WHERE table_schema IN ?",
                [list(MODEL_SCHEMAS)],
            ).fetchall()
        )


def seed(warehouse_dir: Path) -> None:
    from pipelines.spark_engine import dbt_sources, export_inputs

    warehouse_dir = Path(warehouse_dir).resolve()
    spark_dir = warehouse_dir / "spark"
    models = duckdb_models(warehouse_dir)
    manifest = Path(__file__).resolve().parents[2] / "dbt_project" / "target" / "manifest.json"
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        inputs = export_inputs(con, spark_dir, dbt_sources(manifest))
        for name, schema in models.items():
            folder = spark_dir / "seeded" / schema / name
            folder.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY (SELECT * FROM {schema}.{name}) TO '{folder}/part-0.parquet' (FORMAT parquet)")
    session = spark_session(warehouse_dir)
    for table in inputs:
        schema, name = table.split(".")
        session.sql(f"create schema if not exists {schema}")
        session.sql(f"drop table if exists {table}")
        session.sql(f"create table {table} using parquet location '{spark_dir / 'inputs' / schema / name}'")
    for name, schema in models.items():
        session.sql(f"create schema if not exists {schema}")
        kind = "view" if _is_view(session, schema, name) else "table"
        session.sql(f"drop {kind} if exists {schema}.{name}")
        session.sql(f"create table {schema}.{name} using parquet location '{spark_dir / 'seeded' / schema / name}'")
    print(f"seeded {len(inputs)} inputs and {len(models)} models into {spark_dir}")


def _is_view(session, schema: str, name: str) -> bool:
    if not session.catalog.databaseExists(schema):
        return False
    return bool(session.sql(f"show views in {schema} like '{name}'").collect())


def compare(warehouse_dir: Path, names: list[str]) -> int:
    warehouse_dir = Path(warehouse_dir).resolve()
    models = duckdb_models(warehouse_dir)
    session = spark_session(warehouse_dir)
    failed = 0
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        for name in names:
            schema = models[name]
            duck = con.execute(f"SELECT * FROM {schema}.{name}").df()
            spark = session.table(f"{schema}.{name}").toPandas()
            found = differences(duck, spark)
            failed += bool(found)
            print(f"{'DIFFERS' if found else 'equal  '} {schema}.{name} ({len(duck)} rows)")
            for line in found:
                print("    " + line[:600])
    return failed


def compare_duckdb(warehouse_dir: Path, baseline: Path, names: list[str]) -> int:
    """The same models in two DuckDB files (a model's DuckDB result before and after a port): exactly equal."""
    models = duckdb_models(warehouse_dir)
    failed = 0
    with (
        duckdb.connect(str(Path(warehouse_dir) / "warehouse.duckdb"), read_only=True) as new,
        duckdb.connect(str(baseline), read_only=True) as old,
    ):
        for name in names:
            schema = models[name]
            query = f"SELECT * FROM {schema}.{name}"
            a, b = old.execute(query).df(), new.execute(query).df()
            same = list(a.columns) == list(b.columns) and rows(a) == rows(b)
            failed += not same
            print(f"{'equal  ' if same else 'DIFFERS'} {schema}.{name} ({len(b)} rows)")
    return failed


if __name__ == "__main__":
    command, where, *names = sys.argv[1:]
    if command == "seed":
        seed(Path(where))
    elif command == "compare-duckdb":
        sys.exit(1 if compare_duckdb(Path(where), Path(names[0]), names[1:]) else 0)
    else:
        sys.exit(1 if compare(Path(where), names) else 0)
