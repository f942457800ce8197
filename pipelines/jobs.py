"""The one job that materializes everything, and its weekday schedule."""

from __future__ import annotations

import dagster as dg

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every dataset, build the dbt layers, gate and publish.",
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
