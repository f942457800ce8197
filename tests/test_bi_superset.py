"""A BI tool's view of serving.duckdb: connected the way Superset connects (SQLAlchemy with
duckdb-engine, read-only), listing the marts and running every ready-made query in bi/sql, while
the pipeline publishes a new version underneath it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from data_quality.marts_contract import MARTS
from pipelines.dashboard.queries import bi_queries
from tests.conftest import REPO, SMALL, copy_warehouse, pipeline_env

# Queries the sample always answers with rows (the others may be empty on a small sample).
ALWAYS_ROWS = {
    "01_trigger_board",
    "03_position_signal",
    "04_claims_audit",
    "05_relative_strength",
    "08_yield_beta",
    "12_mna_activity",
    "13_data_quality",
}


@pytest.fixture(scope="module")
def warehouse(small_warehouse, tmp_path_factory) -> Path:
    """A small sample warehouse with one publication."""
    return copy_warehouse(small_warehouse, tmp_path_factory.mktemp("bi") / "wh")


def publish_again(wh: Path) -> None:
    """The pipeline's publish step on its own: write, audit and swap in a new serving.duckdb."""
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run(
        [str(dagster), "asset", "materialize", "-m", "pipelines.definitions", "--select", "serving/serving_duckdb"],
        cwd=REPO,
        env=pipeline_env(wh, **SMALL),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]


def superset_engine(serving: Path) -> sa.Engine:
    # The URI a Superset user types (bi/README.md). SQL Lab opens a connection per query
    # (NullPool), so each query reads the publication current when it starts.
    return sa.create_engine(f"duckdb:///{serving}?access_mode=read_only", poolclass=NullPool)


def read_everything(engine: sa.Engine) -> tuple[str, set[str], dict[str, int]]:
    """One round of a dashboard refresh: the publication's run id, the tables, every query's row count."""
    tables = set(sa.inspect(engine).get_table_names(schema="marts"))
    counts = {}
    for name, sql in bi_queries().items():
        with engine.connect() as con:
            counts[name] = len(con.execute(sa.text(sql)).fetchall())
    with engine.connect() as con:
        run_id = con.execute(sa.text("SELECT run_id FROM marts.publish_info")).scalar_one()
    return run_id, tables, counts


class SupersetLikeReader(threading.Thread):
    """Refreshes every query in a loop until stopped; keeps what it saw and every error."""

    def __init__(self, engine: sa.Engine):
        super().__init__(daemon=True)
        self.engine, self.stop = engine, threading.Event()
        self.seen: dict[str, int] = {}
        self.errors: list[str] = []

    def run(self):
        while not self.stop.is_set():
            try:
                run_id, tables, _ = read_everything(self.engine)
                if not set(MARTS) <= tables:
                    self.errors.append(f"run {run_id}: marts missing {sorted(set(MARTS) - tables)}")
                self.seen[run_id] = self.seen.get(run_id, 0) + 1
            except Exception as e:  # every failure to read is what this reader is here to report
                self.errors.append(f"{type(e).__name__}: {e}")
            time.sleep(0.05)


def test_superset_connection_reads_every_query_while_a_new_version_is_published(warehouse):
    engine = superset_engine(warehouse / "serving.duckdb")

    first, tables, counts = read_everything(engine)
    assert set(MARTS) | {"quality_results", "publish_info"} <= tables
    assert set(counts) == {p.stem for p in (Path(__file__).parents[1] / "bi" / "sql").glob("*.sql")}
    assert {name for name in ALWAYS_ROWS if counts[name] == 0} == set(), counts

    reader = SupersetLikeReader(engine)
    reader.start()
    try:
        publish_again(warehouse)
        time.sleep(1.0)  # a few rounds against the new publication
    finally:
        reader.stop.set()
        reader.join(timeout=120)
    second = read_everything(engine)[0]

    assert second != first, "the publish step swapped in a new version"
    assert reader.errors == [], reader.errors[:5]
    assert set(reader.seen) <= {first, second} and reader.seen.get(second, 0) > 0, reader.seen
    assert sum(reader.seen.values()) > 5


def test_the_superset_connection_cannot_write(warehouse):
    engine = superset_engine(warehouse / "serving.duckdb")
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match="read-only|Cannot execute"):
        con.execute(sa.text("CREATE TABLE marts.scratch AS SELECT 1 AS x"))
