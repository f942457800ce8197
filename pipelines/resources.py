"""The warehouse resource: settings from the environment, the run's hold on the folder, and
DuckDB connections. (The dbt resource is built beside the dbt assets, in assets/dbt.py; the live
services' in sources/live/config.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines import disk_space, run_lock
from pipelines.config import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class WarehouseResource(dg.ConfigurableResource):
    """Where the warehouse lives and which source feeds it (from WAREHOUSE_* variables)."""

    source: str
    engine: str = "duckdb"
    warehouse_dir: str
    files_dir: str | None = None
    small_symbol: str
    large_symbol: str
    small_index: str
    large_index: str
    sample_small: int
    sample_large: int
    sample_years: float
    sample_end: str
    sample_seed: int
    sample_fault: str | None = None
    max_file_mb: float
    lock_wait_seconds: float = 0.0
    disk_reserve_mb: float = 100.0
    duckdb_memory_limit: str = ""
    duckdb_temp_dir: str | None = None

    @classmethod
    def from_settings(cls, s: Settings) -> WarehouseResource:
        return cls(
            source=s.source,
            engine=s.engine,
            warehouse_dir=str(s.warehouse_dir),
            files_dir=str(s.files_dir) if s.files_dir else None,
            small_symbol=s.small_symbol,
            large_symbol=s.large_symbol,
            small_index=s.small_index,
            large_index=s.large_index,
            sample_small=s.sample_small,
            sample_large=s.sample_large,
            sample_years=s.sample_years,
            sample_end=s.sample_end,
            sample_seed=s.sample_seed,
            sample_fault=s.sample_fault,
            max_file_mb=s.max_file_mb,
            lock_wait_seconds=s.lock_wait_seconds,
            disk_reserve_mb=s.disk_reserve_mb,
            duckdb_memory_limit=s.duckdb_memory_limit,
            duckdb_temp_dir=str(s.duckdb_temp_dir) if s.duckdb_temp_dir else None,
        )

    @property
    def settings(self) -> Settings:
        return Settings(
            source=self.source,
            engine=self.engine,
            warehouse_dir=Path(self.warehouse_dir),
            files_dir=Path(self.files_dir) if self.files_dir else None,
            small_symbol=self.small_symbol,
            large_symbol=self.large_symbol,
            small_index=self.small_index,
            large_index=self.large_index,
            sample_small=self.sample_small,
            sample_large=self.sample_large,
            sample_years=self.sample_years,
            sample_end=self.sample_end,
            sample_seed=self.sample_seed,
            sample_fault=self.sample_fault,
            max_file_mb=self.max_file_mb,
            lock_wait_seconds=self.lock_wait_seconds,
            disk_reserve_mb=self.disk_reserve_mb,
            duckdb_memory_limit=self.duckdb_memory_limit,
            duckdb_temp_dir=Path(self.duckdb_temp_dir) if self.duckdb_temp_dir else None,
        )

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        # A run holds the warehouse from its first step to its last (steps run in one process:
        # the in-process executor), and checks the disk before it writes anything. Sensors and
        # schedules also build this resource, without a run: they only read, and take nothing.
        if context.run is None:
            yield self
            return
        settings = self.settings
        with run_lock.hold(settings.warehouse_dir, context.run.run_id, settings.lock_wait_seconds):
            remove_spill_files(settings)
            estimate = disk_space.preflight(settings)
            context.log.info(
                f"holding {settings.warehouse_dir} for this run; disk pre-flight: about "
                f"{estimate.need_bytes / disk_space.MB:,.0f} MB needed, enough free"
            )
            yield self

    @contextmanager
    def connect(self, read_only: bool = False, wait_seconds: float = 30.0) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the working warehouse; waits briefly if another writer holds the file lock."""
        path = self.settings.warehouse_path
        path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                con = duckdb.connect(str(path), read_only=read_only, config=self.settings.duckdb_config())
                break
            except duckdb.IOException as e:
                if "lock" not in str(e).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        try:
            yield con
        finally:
            con.close()


def remove_spill_files(settings: Settings) -> list[Path]:
    """DuckDB deletes its spill files when a connection closes; a killed run leaves them. Only
    DuckDB's own files go: the folder may be one the user shares (WAREHOUSE_DUCKDB_TEMP_DIR)."""
    removed = sorted(settings.duckdb_temp_path.glob("duckdb_temp_*"))
    for leftover in removed:
        leftover.unlink(missing_ok=True)
    return removed


def warehouse_from_env() -> WarehouseResource:
    return WarehouseResource.from_settings(load_settings())
