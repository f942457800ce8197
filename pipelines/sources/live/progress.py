"""Progress of a long download as log lines: done / total, elapsed, ETA.

Lines go through the `log` callable given to land(), which in a Dagster run is the run's
logger, so the same lines show in the terminal and in the run's log in the UI. A line is
written for the first item, then at most every `every_seconds`, and for the last item.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pipelines.sources.base import Log


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


class Progress:
    def __init__(
        self,
        log: Log,
        label: str,
        total: int,
        unit: str,
        every_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.log, self.label, self.total, self.unit = log, label, total, unit
        self.every_seconds = every_seconds
        self._clock = clock
        self._started = clock()
        self._last_logged: float | None = None
        self.done = 0

    def step(self, item: str = "") -> None:
        self.done += 1
        now = self._clock()
        due = self._last_logged is None or now - self._last_logged >= self.every_seconds
        if due or self.done == self.total:
            self._last_logged = now
            self.log(self.line(now, item))

    def line(self, now: float, item: str = "") -> str:
        elapsed = now - self._started
        pct = 100.0 * self.done / self.total if self.total else 100.0
        text = f"{self.label}: {self.done}/{self.total} {self.unit} ({pct:.0f}%), {_duration(elapsed)} elapsed"
        if 0 < self.done < self.total:
            text += f", ETA {_duration(elapsed / self.done * (self.total - self.done))}"
        return text + (f" [{item}]" if item else "")
