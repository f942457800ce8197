"""The Spark engine's hand-offs with the DuckDB working warehouse (WAREHOUSE_ENGINE=spark).

Landing, raw tables and their gates stay in warehouse.duckdb, where quarantine and flags are
decided row by row. dbt then builds every model on Spark: before the build, the tables dbt
reads (its sources and the as-of plan) are written as Parquet under spark/inputs, which the
project's on-run-start hook registers as Parquet tables of the Spark catalog; after it, the
Spark marts' Parquet files are read back into the working warehouse's marts schema, so the
mart gates, the dashboard and the publish of serving.duckdb are the same on both engines.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb

# Written by the pipeline before each build and read by the as-of models (pipelines/as_of_plan.py).
AS_OF_PLAN = ("audit", "dbt_as_of_plan")


class SparkMartsMissing(RuntimeError):
    pass


def missing_requirements() -> str | None:
    """Why the Spark engine cannot run on this machine, or None. Checked before a run starts."""
    import importlib.util

    missing = [] if importlib.util.find_spec("pyspark") else ["pyspark"]
    try:
        adapter = importlib.util.find_spec("dbt.adapters.spark")
    except ModuleNotFoundError:
        adapter = None
    missing += [] if adapter else ["dbt-spark"]
    if missing:
        return f"WAREHOUSE_ENGINE=spark needs {' and '.join(missing)}: run `make setup-spark` first"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "WAREHOUSE_ENGINE=spark needs Java 17 (no `java` on PATH and no JAVA_HOME)"
    return None


def inputs_dir(spark_dir: Path) -> Path:
    return spark_dir / "inputs"


def tables_dir(spark_dir: Path) -> Path:
    """spark.sql.warehouse.dir of the profile: managed tables live in <schema>.db/<table>."""
    return spark_dir / "tables"


def dbt_sources(manifest_path: Path) -> list[tuple[str, str]]:
    manifest = json.loads(manifest_path.read_text())
    return sorted({(s["schema"], s["name"]) for s in manifest["sources"].values()})


def export_inputs(con: duckdb.DuckDBPyConnection, spark_dir: Path, tables: list[tuple[str, str]]) -> list[str]:
    """Writes each table present in the warehouse as one Parquet folder; returns their names.

    A raw table whose rows are those of its folder (the same batches, row count and columns, recorded in
    the folder) is not written again: an incremental day rewrites the tables that took a batch
    and no other. Each folder is written beside its place and renamed into it, so a build never
    registers a half-written table; a table absent from the warehouse (no as-of plan) has no folder."""
    present = {
        (s, t) for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    }
    written = []
    for schema, name in tables:
        final = inputs_dir(spark_dir) / schema / name
        partial = final.with_name(f".{name}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        if (schema, name) not in present:
            shutil.rmtree(final, ignore_errors=True)
            continue
        written.append(f"{schema}.{name}")
        stamp = _batches_stamp(con, schema, name)
        if stamp is not None and _read_stamp(final) == stamp:
            continue
        partial.mkdir(parents=True)
        con.execute(f'COPY (SELECT * FROM "{schema}"."{name}") TO \'{partial}/part-0.parquet\' (FORMAT parquet)')
        if stamp is not None:
            # A leading underscore: Spark and the Parquet readers skip the file as data.
            (partial / STAMP).write_text(json.dumps(stamp))
        shutil.rmtree(final, ignore_errors=True)
        os.replace(partial, final)
    return written


STAMP = "_batches.json"


def _batches_stamp(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> dict | None:
    """What a raw table holds, by batch: rows only change with a batch loaded or withdrawn, or
    a gate moving rows to quarantine (the count); its columns, for a table an upgrade altered.
    None for a table without batches."""
    columns = [
        f"{c} {t}"
        for c, t in con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
    ]
    if not any(c.startswith("_batch_id ") for c in columns):
        return None
    rows, batches = con.execute(
        f'SELECT count(*), list(DISTINCT _batch_id ORDER BY _batch_id) FROM "{schema}"."{name}"'
    ).fetchone()
    return {"rows": rows, "batches": [b for b in batches or [] if b is not None], "columns": columns}


def _read_stamp(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return None


def mart_columns(manifest_path: Path) -> dict[str, list[tuple[str, str]]]:
    """Each mart's columns and DuckDB types as its contract declares them (the marts' YAML)."""
    manifest = json.loads(manifest_path.read_text())
    return {
        node["name"]: [(c["name"], c["data_type"]) for c in node["columns"].values()]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


def import_marts(
    con: duckdb.DuckDBPyConnection, spark_dir: Path, marts: dict[str, list[tuple[str, str]]]
) -> dict[str, int]:
    """Replaces the working warehouse's marts with the Spark build's, in one transaction.

    Each column is cast to the type its contract declares: contracts are enforced by DuckDB's
    build, not Spark's, and Spark spells some types wider or narrower (an INT day count where
    DuckDB's is BIGINT). BI tools see the same schema from either engine."""
    counts = {}
    missing = [m for m in marts if not list((tables_dir(spark_dir) / "marts.db" / m).glob("*.parquet"))]
    if missing:
        raise SparkMartsMissing(
            f"the Spark build left no Parquet files for marts {', '.join(missing)} under {tables_dir(spark_dir)}"
        )
    con.execute("BEGIN")
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        for mart, columns in marts.items():
            files = tables_dir(spark_dir) / "marts.db" / mart / "*.parquet"
            select = ", ".join(f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns) if columns else "*"
            con.execute(f"CREATE OR REPLACE TABLE marts.{mart} AS SELECT {select} FROM read_parquet('{files}')")
            counts[mart] = con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return counts
