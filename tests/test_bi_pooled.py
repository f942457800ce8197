"""A long-lived BI process on serving.duckdb, around real publications of the pipeline.

Kept connections read the old publication after a publish, and so does every new plain connection
of the same process (DuckDB's Python client hands it the already open database); the pooled engine
of bi/README.md ("Pooled connections"), run here exactly as written there, reads the new one."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from data_quality.marts_contract import MARTS
from pipelines.dashboard.queries import bi_queries
from tests.conftest import REPO, copy_warehouse
from tests.test_bi_superset import publish_again

RUN_ID = "SELECT run_id FROM marts.publish_info"
README = REPO / "bi" / "README.md"
SERVING_LINE = 'SERVING = "/abs/path/to/warehouse/serving.duckdb"'


@pytest.fixture(scope="module")
def warehouse(small_warehouse, tmp_path_factory) -> Path:
    """A small sample warehouse with one publication."""
    return copy_warehouse(small_warehouse, tmp_path_factory.mktemp("bi_pooled") / "wh")


def published_run_id(serving: Path) -> str:
    """The run id of the file on disk now, read by a process that holds nothing open."""
    code = "import duckdb, sys; print(duckdb.connect(sys.argv[1], read_only=True).execute(sys.argv[2]).fetchone()[0])"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(serving), RUN_ID], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip()


def run_id(con: sa.Connection) -> str:
    return con.execute(sa.text(RUN_ID)).scalar_one()


def readme_engine(serving: Path) -> sa.Engine:
    """The snippet of bi/README.md's "Pooled connections" section, with the path filled in."""
    section = README.read_text().split("## Pooled connections (long-lived BI servers)", 1)[1].split("\n## ", 1)[0]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert SERVING_LINE in snippet
    namespace: dict = {}
    exec(compile(snippet.replace(SERVING_LINE, f"SERVING = {str(serving)!r}"), str(README), "exec"), namespace)
    return namespace["engine"]


def test_kept_connections_read_the_old_publication(warehouse):
    serving = warehouse / "serving.duckdb"
    first = published_run_id(serving)
    pooled = sa.create_engine(f"duckdb:///{serving}?access_mode=read_only")  # a QueuePool: connections kept
    with pooled.connect() as con:
        assert run_id(con) == first
    held = pooled.connect()  # checked out, as by a request in progress
    try:
        identity = os.stat(serving).st_ino, os.stat(serving).st_mtime_ns
        publish_again(warehouse)
        second = published_run_id(serving)
        assert second != first, "the publish step swapped in a new version"
        assert (os.stat(serving).st_ino, os.stat(serving).st_mtime_ns) != identity, "the file's identity is the signal"

        with pooled.connect() as con:
            assert run_id(con) == first, "the pooled idle connection reads the old file"
        pooled.dispose()  # closes the idle connections, not the one checked out
        with pooled.connect() as con:
            assert run_id(con) == first, "a new connection of the process gets the database still open"
        fresh = sa.create_engine(f"duckdb:///{serving}?access_mode=read_only", poolclass=NullPool)
        with fresh.connect() as con:
            assert run_id(con) == first, "even one of a new engine, without any pool"
    finally:
        held.invalidate()  # closes it for good (closed normally it would stay open in the disposed pool)
        held.close()
        pooled.dispose()
        gc.collect()
    with fresh.connect() as con:
        assert run_id(con) == second, "with every connection to the old file closed, the new file is read"


def test_the_documented_pooled_engine_reads_each_new_publication(warehouse):
    serving = warehouse / "serving.duckdb"
    first = published_run_id(serving)
    engine = readme_engine(serving)
    connects = []
    sa.event.listen(engine, "connect", lambda dbapi_con, record: connects.append(dbapi_con))

    assert set(MARTS) | {"quality_results", "publish_info"} <= set(sa.inspect(engine).get_table_names(schema="marts"))
    for sql in bi_queries().values():
        with engine.connect() as con:
            con.execute(sa.text(sql)).fetchall()
    with engine.connect() as con:
        assert run_id(con) == first
    assert len(connects) == 1, "a pool: one connection served every query"

    # What makes plain connections stale: a connection to the old file kept elsewhere in the process.
    plain = sa.create_engine(f"duckdb:///{serving}?access_mode=read_only", poolclass=NullPool)
    kept = plain.connect()
    in_flight = engine.connect()  # a query of the pooled engine running across the publication
    try:
        assert run_id(kept) == first and run_id(in_flight) == first
        publish_again(warehouse)
        second = published_run_id(serving)
        assert second != first, "the publish step swapped in a new version"

        with plain.connect() as con:
            assert run_id(con) == first, "a plain new connection reads the old file (the problem is real)"
        with engine.connect() as con:
            assert run_id(con) == second, "the documented engine reads the new publication"
        assert run_id(in_flight) == first, "a connection in use keeps its complete snapshot"
        in_flight.close()
        in_flight = None
        for _ in range(3):  # every pooled connection, the one that was in use too
            with engine.connect() as a, engine.connect() as b:
                assert run_id(a) == second and run_id(b) == second
        for sql in bi_queries().values():
            with engine.connect() as con:
                con.execute(sa.text(sql)).fetchall()
    finally:
        if in_flight is not None:
            in_flight.close()
        kept.close()
        engine.dispose()
