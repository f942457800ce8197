"""One run at a time per warehouse: an advisory lock held for the whole run.

DuckDB allows one writer per file, so two runs on one warehouse used to fail both, on lock
errors naming PIDs nobody started. A run now takes `<warehouse>/.run.lock` (flock) before it
touches anything and keeps it until it ends. The kernel releases the lock when the holder's
process dies, however it dies, so a killed run never leaves a stale lock behind. The file's
content names the holder (pid, start time, run id) for the message the next run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".run.lock"
POLL_SECONDS = 0.5


class WarehouseBusy(RuntimeError):
    """Another run holds the warehouse and did not let go within the configured wait."""


def lock_path(warehouse_dir: Path) -> Path:
    return Path(warehouse_dir) / LOCK_NAME


def holder(warehouse_dir: Path) -> dict | None:
    """Who holds the warehouse now, or None when nobody does (read without taking the lock)."""
    path = lock_path(warehouse_dir)
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd) or {"pid": "?", "started_at": "?", "run_id": "?"}
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def describe(who: dict) -> str:
    return f"pid {who.get('pid')}, started {who.get('started_at')}, run id {who.get('run_id')}"


def _read(fd: int) -> dict | None:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "null")
    except (ValueError, OSError):
        return None


@contextmanager
def hold(warehouse_dir: Path, run_id: str, wait_seconds: float) -> Iterator[None]:
    """Hold the warehouse for one run; wait up to `wait_seconds` for a run already holding it."""
    path = lock_path(warehouse_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    who = _read(fd) or {"pid": "?", "started_at": "?", "run_id": "?"}
                    waited = f"waited {wait_seconds:g} s" if wait_seconds > 0 else "did not wait"
                    raise WarehouseBusy(
                        f"another run ({describe(who)}) holds the warehouse {Path(warehouse_dir)}; this run {waited} "
                        "(WAREHOUSE_LOCK_WAIT_SECONDS) and changed nothing"
                    ) from None
                time.sleep(POLL_SECONDS)
        me = {"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(timespec="seconds"), "run_id": run_id}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
