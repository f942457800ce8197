"""The jobs: the whole graph (run by `make demo` and the weekday schedule) and the rebuild from
raw data already loaded (launched by the marts_on_raw_change sensor in pipelines/automation.py)."""

from __future__ import annotations

import dagster as dg

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every dataset, build the dbt layers, gate and publish.",
    executor_def=dg.in_process_executor,
)

marts_refresh_job = dg.define_asset_job(
    "marts_refresh_job",
    selection=dg.AssetSelection.groups("raw").downstream(include_self=False),
    description="Rebuild every dbt layer from the raw data already loaded, gate and republish (no ingestion).",
    executor_def=dg.in_process_executor,
)

# After the US close, once end-of-day prices are out; off until a user turns it on.
weekday_schedule = dg.ScheduleDefinition(
    name="weekday_after_close",
    job=warehouse_job,
    cron_schedule="30 18 * * 1-5",
    execution_timezone="America/New_York",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
