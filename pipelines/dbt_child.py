"""Starts dbt as a child that dies with the run that started it.

dagster-dbt runs dbt in a subprocess. When the run's process is killed (kill -9, an OOM kill,
a closed terminal), that dbt would go on writing warehouse.duckdb for seconds or minutes, and
the next run would fail on a lock held by a process the user never started. Linux can send a
child a signal when its parent dies (prctl PR_SET_PDEATHSIG); the setting survives exec, so it
is set here and then this process becomes dbt. DuckDB's write-ahead log makes the interrupted
write safe: the next run opens the file as of the last commit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PARENT_ENV = "WAREHOUSE_DBT_PARENT"


def main() -> None:
    # Not Linux: no such binding, and dbt runs as an ordinary child.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    expected = int(os.environ.get(PARENT_ENV) or 0)
    if expected and os.getppid() != expected:
        # The parent died before the binding took effect: its dbt must not start at all.
        sys.exit("dbt not started: the run that asked for it is gone")
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
