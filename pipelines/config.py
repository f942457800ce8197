"""Run settings, read from environment variables (documented in the README).

One place for every knob a user turns without editing code. Analytics thresholds live
in dbt vars (dbt_project/dbt_project.yml); quality thresholds in data_quality/thresholds.py.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

SOURCES = ("sample", "files", "live")
# Where dbt builds the models (docs/scale-out.md); raw landing, gates and serving stay DuckDB files.
ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Settings:
    source: str = "sample"
    engine: str = "duckdb"
    warehouse_dir: Path = Path("warehouse")
    files_dir: Path | None = None
    small_symbol: str = "IWM"
    large_symbol: str = "SPY"
    small_index: str = "R2000"
    large_index: str = "SP500"
    sample_small: int = 300
    sample_large: int = 100
    sample_years: float = 6.5
    sample_end: str = "2026-03-31"
    sample_seed: int = 20251209
    # One planted defect (pipelines/sources/sample/faults.py), to prove a gate catches it.
    sample_fault: str | None = None
    # Files larger than this are refused before they are read (a runaway export).
    max_file_mb: float = 2048.0
    # How long a run waits for another run holding the same warehouse before it gives up.
    lock_wait_seconds: float = 0.0
    # Free space a run leaves on the warehouse's disk beyond its own estimated need.
    disk_reserve_mb: float = 100.0
    # Memory each DuckDB connection of a run may hold (the Dagster process's and dbt's); beyond
    # it DuckDB spills to temp files. "" = the default below (DuckDB's own would be 80% of RAM).
    duckdb_memory_limit: str = ""
    # Where those temp files go ("" = DuckDB's default, warehouse.duckdb.tmp beside the file).
    duckdb_temp_dir: Path | None = None

    @property
    def memory_limit(self) -> str:
        return self.duckdb_memory_limit or default_memory_limit()

    def duckdb_config(self) -> dict[str, str]:
        """The settings every read-write connection to the working warehouse opens with."""
        config = {"memory_limit": self.memory_limit}
        if self.duckdb_temp_dir:
            config["temp_directory"] = str(self.duckdb_temp_dir)
        return config

    @property
    def duckdb_temp_path(self) -> Path:
        return self.duckdb_temp_dir or self.warehouse_dir / "warehouse.duckdb.tmp"

    @property
    def spark_dir(self) -> Path:
        """The Spark engine's catalog (Derby metastore), its tables and the inputs dbt reads there."""
        return self.warehouse_dir / "spark"

    @property
    def landing_dir(self) -> Path:
        return self.warehouse_dir / "landing"

    @property
    def warehouse_path(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def serving_path(self) -> Path:
        return self.warehouse_dir / "serving.duckdb"

    def dbt_vars(self, warehouse: bool = False) -> dict[str, str]:
        """The role configuration dbt needs to pick benchmark series and index members; with
        `warehouse`, also the folder whose warehouse.duckdb the profile opens (not part of the
        build's fingerprint: a moved warehouse keeps its incremental rows)."""
        roles = {
            "small_symbol": self.small_symbol,
            "large_symbol": self.large_symbol,
            "small_index": self.small_index,
            "large_index": self.large_index,
        }
        if self.engine != "duckdb":
            # Part of the build's fingerprint: switching engines rebuilds the incremental models.
            roles["engine"] = self.engine
        if not warehouse:
            return roles
        return {
            **roles,
            "warehouse_dir": str(self.warehouse_dir),
            "duckdb_memory_limit": self.memory_limit,
            "duckdb_temp_dir": str(self.duckdb_temp_path),
        }


class SettingsError(ValueError):
    pass


def default_memory_limit(total_bytes: int | None = None) -> str:
    """A quarter of the machine's memory, between 1 and 2 GB: a run holds two DuckDB instances
    at most (its own and dbt's), each under the limit, with Python, Dagster and dbt beside them,
    so a full build at 30 M price rows stays near 3 GB; more memory buys little (DuckDB spills
    sorts and joins to disk), and a machine with less still runs."""
    if total_bytes is None:
        total_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    mb = min(2048, max(1024, total_bytes // 4 // 2**20))
    return f"{mb}MB"


_MEMORY_RE = re.compile(r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None


def load_settings(env: dict | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    source = env.get("WAREHOUSE_SOURCE", "sample").strip().lower() or "sample"
    if source not in SOURCES:
        raise SettingsError(f"WAREHOUSE_SOURCE={source!r}: expected one of {', '.join(SOURCES)}")
    files_dir = env.get("WAREHOUSE_FILES_DIR") or None
    if source == "files" and not files_dir:
        raise SettingsError("WAREHOUSE_SOURCE=files needs WAREHOUSE_FILES_DIR (a folder per ../shared/spec/landing.md)")
    engine = env.get("WAREHOUSE_ENGINE", "duckdb").strip().lower() or "duckdb"
    if engine not in ENGINES:
        raise SettingsError(f"WAREHOUSE_ENGINE={engine!r}: expected one of {', '.join(ENGINES)}")
    d = Settings()
    temp_dir = env.get("WAREHOUSE_DUCKDB_TEMP_DIR") or None
    return Settings(
        source=source,
        engine=engine,
        warehouse_dir=Path(env.get("WAREHOUSE_DIR") or d.warehouse_dir).resolve(),
        files_dir=Path(files_dir).resolve() if files_dir else None,
        small_symbol=env.get("WAREHOUSE_SMALL_SYMBOL") or d.small_symbol,
        large_symbol=env.get("WAREHOUSE_LARGE_SYMBOL") or d.large_symbol,
        small_index=env.get("WAREHOUSE_SMALL_INDEX") or d.small_index,
        large_index=env.get("WAREHOUSE_LARGE_INDEX") or d.large_index,
        sample_small=_int(env, "WAREHOUSE_SAMPLE_SMALL", d.sample_small),
        sample_large=_int(env, "WAREHOUSE_SAMPLE_LARGE", d.sample_large),
        sample_years=_float(env, "WAREHOUSE_SAMPLE_YEARS", d.sample_years),
        sample_end=env.get("WAREHOUSE_SAMPLE_END") or d.sample_end,
        sample_seed=_int(env, "WAREHOUSE_SAMPLE_SEED", d.sample_seed),
        sample_fault=env.get("WAREHOUSE_SAMPLE_FAULT") or None,
        max_file_mb=_float(env, "WAREHOUSE_MAX_FILE_MB", d.max_file_mb),
        lock_wait_seconds=_float(env, "WAREHOUSE_LOCK_WAIT_SECONDS", d.lock_wait_seconds),
        disk_reserve_mb=_float(env, "WAREHOUSE_DISK_RESERVE_MB", d.disk_reserve_mb),
        duckdb_memory_limit=_memory(env, "WAREHOUSE_DUCKDB_MEMORY_LIMIT"),
        duckdb_temp_dir=Path(temp_dir).resolve() if temp_dir else None,
    )


def _memory(env: dict, name: str) -> str:
    raw = (env.get(name) or "").strip()
    if raw and not _MEMORY_RE.match(raw):
        raise SettingsError(f"{name}={raw!r} is not a memory size such as 2GB or 1500MB")
    return raw.replace(" ", "")


if __name__ == "__main__":
    # The --vars the pipeline gives dbt, for a `dbt build` by hand (README, "Running dbt by hand").
    import json

    print(json.dumps(load_settings().dbt_vars(warehouse=True)))
