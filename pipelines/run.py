"""`python -m pipelines.run`: materialize the whole graph in this process and summarise.

This is what `make demo` runs; settings come from WAREHOUSE_* environment variables.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import time

from pipelines.config import load_settings
from pipelines.instance import ensure_dagster_home
from pipelines.summary import print_summary


# Step-level DEBUG events stay in the run's event log (the UI); the terminal gets INFO and up.
QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _root_cause(error) -> str:
    # Dagster wraps the user's exception; the innermost message is the one that says what broke.
    while getattr(error, "cause", None) is not None:
        error = error.cause
    return error.message.strip()


def main() -> int:
    settings = load_settings()
    ensure_dagster_home(settings.warehouse_dir)
    import dagster as dg

    from pipelines.definitions import defs

    started = time.perf_counter()
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("warehouse_job").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
    elapsed = time.perf_counter() - started
    print_summary(settings, succeeded=result.success, elapsed=elapsed)
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"FAILED step {event.step_key}: {_root_cause(event.step_failure_data.error)}", file=sys.stderr)
        return 1
    return 0


def _exit(code: int) -> None:
    # Everything is closed by now (connections, the Dagster instance, the published file is
    # synced). DuckDB 2.0's bindings print a page of "nanobind: leaked ..." lines during
    # interpreter teardown for objects still referenced by library caches, which reads like a
    # failure at the end of `make demo`. The exit handlers still run (they release what
    # multiprocessing created); only the module teardown that prints those lines is skipped.
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit(main())
