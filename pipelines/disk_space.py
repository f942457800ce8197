"""Disk space: a pre-flight estimate before a run writes anything, and one line when a disk fills.

A full disk used to surface as a page of sqlite, SQLAlchemy and DuckDB tracebacks from whichever
writer hit it first. A run now checks before it starts that the warehouse's filesystem has room
for what it is about to write, and a disk that fills anyway is reported in one line naming the
filesystem and the space needed. Neither touches serving.duckdb: it is only ever replaced by a
rename at the end of a run that passed its gates.

The estimate is driven by the size of the input, because that is known before anything is
read. Its factors were measured on the sample market and on the real-data landing folder
(docs/operations.md has the figures); they err on the generous side.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Settings

MB = 1024 * 1024
# Bytes of landing CSV per sample price row (the sample writes about 43).
SAMPLE_BYTES_PER_ROW = 45
# warehouse.duckdb holds raw, quarantine, staging views, intermediate and marts tables: about
# 1.0x the landing size on the sample and 3.9x on the (small) real-data landing, where fixed
# costs dominate; 1.5x plus a fixed part covers both.
WAREHOUSE_PER_INPUT_BYTE = 1.5
WAREHOUSE_FIXED = 20 * MB
# The publish writes a new serving file beside the old one before the rename.
SERVING_PER_INPUT_BYTE = 0.3
SERVING_FIXED = 10 * MB
# Dagster's run history, dbt's target folder, the docs page and the dashboard of a first run.
FIRST_RUN_FIXED = 20 * MB

# How each writer says the disk is full: the OS, sqlite (Dagster's run storage), DuckDB, dbt.
FULL_MARKERS = ("no space left on device", "database or disk is full", "disk is full", "errno 28", "quota exceeded")
# sqlite says only this when its journal cannot grow: a full disk if the disk is in fact full.
AMBIGUOUS_MARKERS = ("disk i/o error",)


class DiskTooFull(RuntimeError):
    """The warehouse's filesystem lacks the space a run needs."""


@dataclass(frozen=True)
class Estimate:
    input_bytes: int
    need_bytes: int
    basis: str


def _tree_bytes(root: Path | None) -> int:
    """Bytes of the regular files under `root` (links not followed: the files source refuses them)."""
    if root is None or not root.is_dir():
        return 0
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            total += st.st_size if stat.S_ISREG(st.st_mode) else 0
    return total


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def input_bytes(settings: Settings) -> tuple[int, str]:
    if settings.source == "files":
        return _tree_bytes(settings.files_dir), f"{settings.files_dir}"
    if settings.source == "sample":
        rows = int((settings.sample_small + settings.sample_large + 4) * settings.sample_years * 252)
        return rows * SAMPLE_BYTES_PER_ROW, f"about {rows:,} sample price rows"
    # Live services: what they sent last time is the best guess for this time.
    return _tree_bytes(settings.landing_dir), "the previous live landing"


def estimate(settings: Settings) -> Estimate:
    """Bytes this run will add to the warehouse's filesystem, at most."""
    data, basis = input_bytes(settings)
    warehouse = _size(settings.warehouse_path) + _size(settings.warehouse_path.with_name("warehouse.duckdb.wal"))
    serving = _size(settings.serving_path)
    need = (
        max(0, data - _tree_bytes(settings.landing_dir))  # landing keeps every file as received
        + max(0, int(WAREHOUSE_PER_INPUT_BYTE * data) + WAREHOUSE_FIXED - warehouse)
        + (serving or int(SERVING_PER_INPUT_BYTE * data) + SERVING_FIXED)
        + (0 if warehouse else FIRST_RUN_FIXED)
    )
    return Estimate(data, need, basis)


def mount_of(path: Path) -> tuple[str, str]:
    """(mount point, device) of the filesystem holding `path` (the nearest existing parent)."""
    path = Path(path).resolve()
    while not path.exists():
        path = path.parent
    dev = path.stat().st_dev
    mount = path
    while mount != mount.parent and mount.parent.stat().st_dev == dev:
        mount = mount.parent
    device = "?"
    try:
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 1 and fields[1] == str(mount):
                device = fields[0]
    except OSError:
        pass
    return str(mount), device


def _fmt(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= 10 * MB else f"{n / MB:,.1f} MB"


def free_bytes(path: Path) -> int:
    path = Path(path).resolve()
    while not path.exists():
        path = path.parent
    return shutil.disk_usage(path).free


def preflight(settings: Settings) -> Estimate:
    """Refuse a run, before it writes anything, when the disk cannot hold what it will write."""
    est = estimate(settings)
    reserve = int(settings.disk_reserve_mb * MB)
    free = free_bytes(settings.warehouse_dir)
    if free < est.need_bytes + reserve:
        mount, device = mount_of(settings.warehouse_dir)
        raise DiskTooFull(
            f"not enough disk space for {settings.warehouse_dir}: {mount} ({device}) has {_fmt(free)} free, this run "
            f"needs about {_fmt(est.need_bytes)} for {est.basis} plus the {_fmt(reserve)} kept free "
            "(WAREHOUSE_DISK_RESERVE_MB); nothing was written"
        )
    return est


def says_disk_full(error: BaseException | str, settings: Settings) -> bool:
    """True when an exception (or an error message) shows a write failed because the disk is full."""
    seen, texts = 0, []
    while isinstance(error, BaseException) and seen < 20:
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        texts.append(str(error).lower())
        error = error.__cause__ or error.__context__
        seen += 1
    if isinstance(error, str):
        texts.append(error.lower())
    if any(m in t for t in texts for m in FULL_MARKERS):
        return True
    return (
        any(m in t for t in texts for m in AMBIGUOUS_MARKERS)
        and free_bytes(settings.warehouse_dir) < estimate(settings).need_bytes
    )


def disk_full_line(settings: Settings) -> str:
    mount, device = mount_of(settings.warehouse_dir)
    est = estimate(settings)
    return (
        f"disk full: {mount} ({device}), which holds {settings.warehouse_dir}, has "
        f"{_fmt(free_bytes(settings.warehouse_dir))} free; a run like this one needs about "
        f"{_fmt(est.need_bytes)} more; free space and run again (serving.duckdb is unchanged)"
    )
