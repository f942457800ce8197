"""Two runs on the same input publish byte-identical marts (issue #14, point 7).

Consumers reconcile the published marts by checksum, so a run that changes nothing in the
input must change nothing in serving.duckdb's marts: not even the last bit of a DOUBLE. A
floating-point aggregate (sum, avg, stddev) whose inputs arrive in an order that depends on
DuckDB's parallel execution does not give that (sum(x) differs by ~1e-15 relative from one
run to the next); the models aggregate floats in a fixed order (macros/ordered_agg.sql).

One run is the session's `sample_warehouse` (conftest.py), the other a fresh run on the same
default sample: the default size, since a smaller market has too few rows per group for
DuckDB to spread them over threads, and the flakiness would not show. The second run has the
compat shims off (pipelines/compat.py): the libraries as shipped must publish the same marts,
so a maintainer may drop any shim without changing a published number.
"""

from __future__ import annotations

import math
from pathlib import Path

import duckdb

from tests.conftest import run_pipeline

# Columns that legitimately differ between two runs: the run id and when things happened, and
# of the checks, their observed value and detail, which describe the context (the previous run's
# row count, which batches were new): the session's sample warehouse may have run more than once.
RUN_SPECIFIC = {
    "publish_info": ("run_id", "published_at"),
    "quality_results": ("run_id", "checked_at", "observed", "detail"),
}


def _canonical(value):
    """A value as its exact bytes' stand-in: floats by their hex form (every bit, -0.0 and NaN
    included), so that equality here is equality of the stored values."""
    return value.hex() if isinstance(value, float) else value


def published_marts(serving: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Per marts table: its columns (name, type) and its rows, sorted on every column."""
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        marts = {}
        for table in tables:
            skip = RUN_SPECIFIC.get(table, ())
            columns = [
                c
                for c in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'marts' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if c[0] not in skip
            ]
            select = ", ".join(f'"{name}"' for name, _ in columns)
            rows = con.execute(f'SELECT {select} FROM marts."{table}" ORDER BY ALL').fetchall()
            marts[table] = (columns, [tuple(_canonical(v) for v in row) for row in rows])
        return marts


def _differences(columns, rows_a, rows_b) -> str:
    """Which columns differ, in how many rows, and by how much at most (relative)."""
    if len(rows_a) != len(rows_b):
        return f"{len(rows_a)} rows vs {len(rows_b)}"
    found: dict[str, list] = {}
    for row_a, row_b in zip(rows_a, rows_b, strict=True):
        for (name, _), a, b in zip(columns, row_a, row_b, strict=True):
            if a == b:
                continue
            entry = found.setdefault(name, [0, 0.0])
            entry[0] += 1
            if (
                isinstance(a, str)
                and isinstance(b, str)
                and a.startswith(("0x", "-0x"))
                and b.startswith(("0x", "-0x"))
            ):
                x, y = float.fromhex(a), float.fromhex(b)
                if math.isfinite(x) and math.isfinite(y) and max(abs(x), abs(y)) > 0:
                    entry[1] = max(entry[1], abs(x - y) / max(abs(x), abs(y)))
    return ", ".join(f"{name} ({n} rows, max relative difference {rel:.1e})" for name, (n, rel) in found.items())


def test_two_runs_on_the_same_input_publish_identical_marts(sample_warehouse: Path, tmp_path: Path):
    again = tmp_path / "again"
    again.mkdir()
    run_pipeline(again, WAREHOUSE_COMPAT_SHIMS="off")
    assert "event_log_storage" not in (again / "dagster_home" / "dagster.yaml").read_text(), "Dagster's own event log"

    first = published_marts(sample_warehouse / "serving.duckdb")
    second = published_marts(again / "serving.duckdb")
    assert sorted(first) == sorted(second), "both runs publish the same marts tables"
    assert len(first) >= 17, "every mart is compared"

    differing = {
        table: _differences(first[table][0], first[table][1], second[table][1])
        for table in first
        if first[table] != second[table]
    }
    assert not differing, "marts differ between two runs on the same input:\n" + "\n".join(
        f"  {table}: {detail}" for table, detail in sorted(differing.items())
    )
