"""Every place the warehouse relies on another library's private internals, and the switch that
turns them all off.

Each shim below was written against one version of its library and says what it saves (measured
in docs/upgrading.md). A shim is applied only after `require` has checked that the installed
library is the version it was written for: on any other version the run fails at once, in one
line that names the library, both versions and this file, instead of misbehaving later.

`WAREHOUSE_COMPAT_SHIMS=off` runs on the libraries exactly as shipped: slower, and the GX suites
validate through pandas (memory grows with the table) instead of inside DuckDB. A comma-separated
list of shim names (SHIMS) turns off only those. Upgrading a library means: run the suite with the
switch off, then re-check or drop each shim of that library.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

SWITCH = "WAREHOUSE_COMPAT_SHIMS"

# The library versions the shims were written for (a prefix of the installed version).
WRITTEN_FOR = {
    "dagster": "1.13.",
    "dagster-dbt": "0.29.",
    "great-expectations": "1.24.",
}


class CompatError(RuntimeError):
    pass


SHIMS = ("event_log", "dbt_startup", "gx_duckdb", "quiet_exit")


def enabled(shim: str | None = None) -> bool:
    """Whether the shims (or the one named) are on."""
    value = os.environ.get(SWITCH, "on").strip().lower()
    if value in ("on", "off"):
        return value == "on"
    off = {name.strip() for name in value.split(",")}
    if not off <= set(SHIMS):
        raise CompatError(
            f"{SWITCH}={value!r}: use on (the default), off, or shims to turn off among {', '.join(SHIMS)}"
        )
    return shim is not None and shim not in off


def require(package: str, installed: str | None = None) -> None:
    """Fail in one line unless `package` is the version the shims were written for."""
    installed = installed or version(package)
    wanted = WRITTEN_FOR[package]
    if not installed.startswith(wanted):
        raise CompatError(
            f"pipelines/compat.py patches {package} {wanted}x internals but {package} {installed} is installed: "
            f"re-check its shims against that version (or run with {SWITCH}=off)"
        )


# --- Dagster: the SQLite event log keeps its connections open ---------------------------------
#
# The stock storage creates an engine, opens the file and disposes of both for every event it
# stores, most events twice (the run's database and the cross-run index). A run stores ~650
# events; each new engine also starts with an empty statement cache. This storage keeps one
# engine per shard for a few recently used shards. Files, schema, locking and the watch the UI
# relies on are Dagster's own; only the connection lifetime differs. It replaces `_connect` and
# uses `_initdb`, `_initialized_dbs` and `_db_lock` of SqliteEventLogStorage.

EVENT_LOG_CLASS = "PooledSqliteEventLogStorage"
# The index plus the runs being written or read; a long-lived UI process reads many runs,
# so older shards are closed instead of holding a file handle each.
OPEN_SHARDS = 8


def _pooled_event_log_class():
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
    from dagster._core.storage.sql import create_engine
    from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS

    class Pooled(SqliteEventLogStorage):
        def __init__(self, base_dir: str, inst_data=None):
            require("dagster")
            self._engines = OrderedDict()
            super().__init__(base_dir, inst_data)

        @classmethod
        def from_config_value(cls, inst_data, config_value):
            return cls(inst_data=inst_data, **config_value)

        def _engine(self, shard: str):
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            engine = self.open_engine(self.conn_string_for_shard(shard))
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            self._engines[shard] = engine
            while len(self._engines) > OPEN_SHARDS:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

        @contextmanager
        def _connect(self, shard: str) -> Iterator:
            with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
                yield conn

        def open_engine(self, url: str):
            return create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})

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

    Pooled.__name__ = Pooled.__qualname__ = EVENT_LOG_CLASS
    return Pooled


def __getattr__(name: str):
    # Dagster loads the storage class named in dagster.yaml by attribute; building it on demand
    # keeps `import pipelines.compat` free of Dagster's private modules.
    if name == EVENT_LOG_CLASS:
        cls = _pooled_event_log_class()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def event_log_storage_yaml(base_dir: Path) -> str:
    """The dagster.yaml section for the event log; none when off (Dagster's default storage, the
    same files in the same place)."""
    if not enabled("event_log"):
        return ""
    return (
        f"event_log_storage:\n  module: pipelines.compat\n  class: {EVENT_LOG_CLASS}\n"
        f"  config:\n    base_dir: {base_dir}\n"
    )


# --- dagster-dbt: no second dbt process for its version, no adapter in the run's process ------
#
# For every build dagster-dbt runs `dbt --version` (a second dbt start-up, ~1.5 s) and opens a
# dbt adapter in this process for column metadata and row counts (~1.5 s), which no asset here
# fetches. Both are `DbtCliResource._cli_version` and `_initialize_dbt_core_adapter`. An asset
# that starts using `fetch_column_metadata` or `fetch_row_counts` needs the adapter back.


def dbt_cli_resource_class(own_executables: Sequence[Path]):
    from dagster_dbt import DbtCliResource

    if not enabled("dbt_startup"):
        return DbtCliResource
    require("dagster-dbt")
    from dagster_dbt.compat import DBT_PYTHON_VERSION

    class LeanDbtCliResource(DbtCliResource):
        @cached_property
        def _cli_version(self):
            # Only when the executable is the one installed with this dbt-core package.
            if DBT_PYTHON_VERSION is not None and Path(self.dbt_executable) in own_executables:
                return DBT_PYTHON_VERSION
            return super()._cli_version

        def _initialize_dbt_core_adapter(self, args: Sequence[str]):
            return None

    return LeanDbtCliResource


# --- Great Expectations: one persistent DuckDB connection -------------------------------------
#
# As shipped, GX's SQL engine hands its pooled DuckDB connection back before reading results, and
# every expectation fails with `MetricResolutionError: list index out of range` (GX issues 10738,
# 11579). GX already keeps one persistent connection for sqlite and SQL Server
# (`_PERSISTED_CONNECTION_DIALECTS`); this adds DuckDB. Off, the suites validate through pandas.


class _Dialect(str):
    """A dialect name shaped like GX's GXSqlDialect members (a str with .value)."""

    @property
    def value(self) -> str:
        return str(self)


def gx_validates_in_duckdb() -> bool:
    """Whether GX's SQL path works on DuckDB here (the shim applied); False: validate in pandas."""
    if not enabled("gx_duckdb"):
        return False
    require("great-expectations")
    import great_expectations.execution_engine.sqlalchemy_execution_engine as engine

    if "duckdb" not in engine._PERSISTED_CONNECTION_DIALECTS:
        engine._PERSISTED_CONNECTION_DIALECTS = (*engine._PERSISTED_CONNECTION_DIALECTS, _Dialect("duckdb"))
    return True


# --- The interpreter's teardown ---------------------------------------------------------------
#
# DuckDB 2.0's bindings print a page of "nanobind: leaked ..." lines while the interpreter tears
# its modules down, for objects that library caches still hold, which reads like a failure at the
# end of `make demo`. Exit handlers still run (they release what multiprocessing created); only
# the module teardown is skipped, with os._exit (documented, but underscored) once they are done.

_exit_code: list[int] = []


def _skip_teardown() -> None:
    if _exit_code:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_code[0])


# atexit runs handlers last-registered first. Registered when this module is imported, which
# `python -m pipelines.run` does before any library that registers its own, this one runs after
# all of them; it does nothing unless exit_quietly was called.
atexit.register(_skip_teardown)


def exit_quietly(code: int) -> None:
    """sys.exit(code), then (shims on) no module teardown once the exit handlers have run."""
    if enabled("quiet_exit"):
        _exit_code.append(code)
    sys.exit(code)
