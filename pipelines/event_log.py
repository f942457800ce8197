"""Dagster's SQLite event log, with its connections kept open while a process writes.

The stock `SqliteEventLogStorage` creates a SQLAlchemy engine, opens the database file and
disposes of both for every event it stores, and most events are stored twice (the run's own
database and the cross-run index). A warehouse run stores ~650 events (asset checks for every
dbt test and gate, planned and done), and that per-event set-up was ~5 s of a 30 s daily run:
each new engine also starts with an empty statement cache, so every insert was compiled anew.

This subclass keeps one engine per database (shard) for a few recently used shards, so a
connection and its compiled statements are reused. The files, schema, locking and the watch
the UI relies on are Dagster's own; only the connection lifetime differs. SQLAlchemy's
default pool for a SQLite file lets a pooled connection serve any thread, which is safe here
because Dagster's storage holds its lock for as long as a connection is in use. It overrides
`_connect` of the pinned Dagster (1.13.x): a Dagster upgrade must re-check that method.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.engine import Connection, Engine

# The index plus the runs being written or read; a long-lived UI process reads many runs,
# so older shards are closed instead of holding a file handle each.
OPEN_SHARDS = 8


class WarehouseEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > OPEN_SHARDS:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as conn:
                with conn.begin():
                    yield conn

    def _close_engines(self) -> None:
        with self._db_lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()

    def wipe(self) -> None:
        # Dagster deletes the run databases' files: no connection may keep writing to them.
        self._close_engines()
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()
