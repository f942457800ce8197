"""Wall time, CPU time and peak memory of a child process tree, from /proc (no extra packages)."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    output: str


def _children(pid: int) -> list[int]:
    kids = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:  # the process ended since its parent listed it
        return kids
    for task in tasks:
        with contextlib.suppress(OSError):  # the thread ended since the listing
            kids += [int(x) for x in (task / "children").read_text().split()]
    return kids


def tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants, summed."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


def run_measured(cmd: list[str], env: dict, cwd: Path, interval: float = 0.1) -> Measured:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss_bytes(proc.pid))
            time.sleep(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measured(wall, cpu, peak[0] / 2**20, proc.returncode, output)


class InProcess:
    """The same figures for work done in this process (the engine floor, the BI queries)."""

    def __enter__(self):
        self._t, self._r = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        self._peak, self._done = [tree_rss_bytes(os.getpid())], threading.Event()

        def sample():
            while not self._done.is_set():
                self._peak[0] = max(self._peak[0], tree_rss_bytes(os.getpid()))
                time.sleep(0.1)

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        r = resource.getrusage(resource.RUSAGE_SELF)
        self.wall_s = time.perf_counter() - self._t
        self.cpu_s = (r.ru_utime - self._r.ru_utime) + (r.ru_stime - self._r.ru_stime)
        self.peak_rss_mb = self._peak[0] / 2**20
        return False
