"""The Dagster code location: every asset, check, job, schedule and resource."""

from __future__ import annotations

import os

import dagster as dg

# Usage statistics stay on this machine (dbt subprocesses inherit this).
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")

from pipelines.assets.checks import raw_checks, series_flags_table
from pipelines.assets.dashboard import dashboard, dbt_docs
from pipelines.assets.dbt import dbt_models, dbt_resource
from pipelines.assets.raw import raw_assets
from pipelines.assets.serving import serving_duckdb
from pipelines.automation import freshness_checks, marts_on_raw_change
from pipelines.jobs import marts_refresh_job, warehouse_job, weekday_schedule
from pipelines.resources import warehouse_from_env
from pipelines.sources.live.config import live_services_resource

defs = dg.Definitions(
    assets=[*raw_assets, series_flags_table, dbt_models, serving_duckdb, dbt_docs, dashboard],
    asset_checks=[*raw_checks, *freshness_checks],
    jobs=[warehouse_job, marts_refresh_job],
    schedules=[weekday_schedule],
    sensors=[marts_on_raw_change],
    resources={"warehouse": warehouse_from_env(), "dbt": dbt_resource(), "live": live_services_resource()},
    # One DuckDB file has one writer: steps run one after another in the run's process.
    executor=dg.in_process_executor,
)
