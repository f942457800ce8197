"""`python -m pipelines.run`: materialize the whole graph in this process and summarise.

This is what `make demo` runs; settings come from WAREHOUSE_* environment variables.
"""

from __future__ import annotations

import sys
import time

from pipelines import compat, disk_space, run_lock
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


def _failure_causes(result) -> list[str]:
    """One line per distinct cause: failed steps first, then what failed outside any step
    (a resource that could not start, e.g. the run lock or the disk pre-flight)."""
    causes: dict[str, None] = {}
    for event in result.all_events:
        if event.is_step_failure:
            causes[f"FAILED step {event.step_key}: {_root_cause(event.step_failure_data.error)}"] = None
    if not causes:
        for event in result.all_events:
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                causes[f"FAILED: {_root_cause(error)}"] = None
    return list(causes)


def _publish_skipped(result) -> str | None:
    """Why a run whose steps all succeeded still did not publish, or None. Dagster skips a step
    whose inputs were never emitted (an asset of the dbt step without its event) and calls the
    run a success: serving.duckdb was then not replaced, which a user must hear."""
    for event in result.all_events:
        if event.is_step_skipped and event.step_key == "serving__serving_duckdb":
            return (
                "serving.duckdb was not published: its step was skipped because a model of the dbt step "
                "reported no result (see the dbt step's log in the Dagster UI)"
            )
    return None


def _refusal(settings) -> str | None:
    """Why this run cannot start, said before Dagster starts (the warehouse resource checks the
    same again inside the run, for runs launched from the UI and for races)."""
    if settings.engine == "spark":
        from pipelines.spark_engine import missing_requirements

        missing = missing_requirements()
        if missing:
            return missing
    who = run_lock.holder(settings.warehouse_dir)
    if who and settings.lock_wait_seconds <= 0:
        return (
            f"another run ({run_lock.describe(who)}) holds the warehouse {settings.warehouse_dir} "
            "(set WAREHOUSE_LOCK_WAIT_SECONDS to wait for it)"
        )
    try:
        disk_space.preflight(settings)
    except disk_space.DiskTooFull as error:
        return str(error)
    return None


def main() -> int:
    settings = load_settings()
    refusal = _refusal(settings)
    if refusal:
        print(f"Run FAILED before it started: {refusal}", file=sys.stderr)
        return 1
    ensure_dagster_home(settings.warehouse_dir)
    import dagster as dg

    from pipelines.definitions import defs

    started = time.perf_counter()
    try:
        with dg.DagsterInstance.get() as instance:
            result = defs.resolve_job_def("warehouse_job").execute_in_process(
                instance=instance, raise_on_error=False, run_config=QUIET
            )
    except Exception as error:  # Dagster's own storage failing: say why in one line
        if not disk_space.says_disk_full(error, settings):
            raise
        print(f"\nRun FAILED in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        print(f"FAILED: {disk_space.disk_full_line(settings)}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    unpublished = _publish_skipped(result)
    print_summary(settings, succeeded=result.success and not unpublished, elapsed=elapsed)
    if unpublished:
        print(f"FAILED: {unpublished}", file=sys.stderr)
        return 1
    if not result.success:
        causes = _failure_causes(result)
        if any(disk_space.says_disk_full(cause, settings) for cause in causes):
            causes = [f"FAILED: {disk_space.disk_full_line(settings)}"]
        for cause in causes or ["FAILED: the run failed without an error event; see its log in the Dagster UI"]:
            print(cause, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # Everything is closed when main returns (connections, the Dagster instance; the published
    # file is synced): the interpreter's module teardown only prints DuckDB's leak lines.
    compat.exit_quietly(main())
