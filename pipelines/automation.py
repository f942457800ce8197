"""Keeping the warehouse current without a person: freshness of the raw data after the US
close, and a sensor that rebuilds the marts (and republishes) when raw data changes.

The weekday schedule itself lives in pipelines/jobs.py; this is what watches in between.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import dagster as dg
import duckdb

from data_quality import trading_calendar
from data_quality.results import WARN, CheckOutcome, latest_gating_run, record, standing_failures
from pipelines.assets.checks import raw_checks, to_check_result
from pipelines.assets.serving import SERVING_KEY
from pipelines.config import Settings
from pipelines.jobs import marts_refresh_job
from pipelines.raw_gates import expected_latest_day
from pipelines.resources import WarehouseResource

# Dataset -> trading days its newest date may trail the latest close. FRED publishes a
# day's Treasury yields on the next business day.
DAILY_DATASETS = {"prices": 0, "fund_navs": 0, "rates": 1}


def due_date(dataset: str, settings: Settings, now: datetime) -> date:
    """The newest date `dataset` must hold: the raw price gate's expected day, less the dataset's lag."""
    day = expected_latest_day(settings, now)
    for _ in range(DAILY_DATASETS[dataset]):
        day = trading_calendar.previous_session(day)
    return day


def newest_dates(con: duckdb.DuckDBPyConnection, dataset: str, settings: Settings) -> dict[str, date | None]:
    """The newest date of each series that must be current.

    Prices: the two benchmark symbols the marts are built on (a company may stop trading).
    Rates: every FRED series held. Fund NAVs: the newest NAV of any fund (funds close too).
    """
    if dataset == "prices":
        return {
            symbol: con.execute("SELECT max(date) FROM raw.prices WHERE symbol = ?", [symbol]).fetchone()[0]
            for symbol in (settings.small_symbol, settings.large_symbol)
        }
    if dataset == "rates":
        return dict(con.execute("SELECT series_id, max(date) FROM raw.rates GROUP BY series_id ORDER BY 1").fetchall())
    return {"any fund": con.execute(f"SELECT max(date) FROM raw.{dataset}").fetchone()[0]}


def latest_day_outcome(dataset: str, newest: dict[str, date | None], due: date) -> CheckOutcome:
    behind = {series: str(day) for series, day in newest.items() if day is None or day < due}
    passed = bool(newest) and not behind
    lag_note = ", less one business day for FRED" if DAILY_DATASETS[dataset] else ""
    return CheckOutcome(
        f"raw.{dataset}",
        "latest_trading_day",
        passed,
        WARN,
        observed={"due": str(due), "behind": behind},
        detail=(
            f"every series holds {due}"
            if passed
            else f"due {due}, behind: " + (", ".join(f"{s} (newest {d})" for s, d in behind.items()) or "no data")
        )
        + f" (the latest NYSE close whose data is out by 18:30 New York time{lag_note})",
    )


def _freshness_check(dataset: str) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["raw", dataset])

    @dg.asset_check(
        asset=key,
        name="latest_trading_day",
        blocking=False,
        description="After the US close (data out by 18:30 New York time, NYSE holidays skipped) the latest "
        "trading day is present" + (" less FRED's one-day publication lag." if DAILY_DATASETS[dataset] else "."),
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings
        due = due_date(dataset, settings, datetime.now(UTC))
        with warehouse.connect() as con:
            outcome = latest_day_outcome(dataset, newest_dates(con, dataset, settings), due)
            record(con, context.run.run_id, [outcome])
        return to_check_result(key, outcome)

    return _check


freshness_checks = [_freshness_check(d) for d in DAILY_DATASETS]


# --- The marts follow raw data -------------------------------------------------------------


# The raw assets whose latest data must have passed its blocking gates before anything is built on it.
RAW_GATED = sorted(
    {spec.asset_key for checks in raw_checks for spec in checks.check_specs if spec.blocking},
    key=lambda k: k.to_user_string(),
)

IN_PROGRESS = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class RawState:
    """A raw asset's latest materialization, as far as the refresh decision needs it."""

    asset: str
    storage_id: int
    changed: bool  # rows loaded or files removed, not a re-run over the same files
    ungated: tuple[str, ...]  # blocking gates that did not pass on this data


def refresh_decision(
    raw: list[RawState], published_storage_id: int, run_in_progress: bool
) -> dg.RunRequest | dg.SkipReason:
    if run_in_progress:
        return dg.SkipReason("a run is in progress; deciding after it ends")
    # Bad data already sits in raw tables once loaded: any failed gate stops every rebuild.
    blocked = [f"{r.asset}: {', '.join(r.ungated)}" for r in raw if r.ungated]
    if blocked:
        return dg.SkipReason("raw data has not passed its gates, so nothing is built on it: " + "; ".join(blocked))
    changed = [r for r in raw if r.changed and r.storage_id > published_storage_id]
    if not changed:
        return dg.SkipReason("no raw data changed since serving.duckdb was last published")
    newest = max(r.storage_id for r in changed)
    return dg.RunRequest(
        run_key=f"raw-through-{newest}",
        tags={"trigger": "raw_data_changed", "changed": ",".join(sorted(r.asset for r in changed))[:200]},
    )


def _metadata_int(metadata: dict, name: str) -> int:
    value = metadata.get(name)
    return int(getattr(value, "value", value) or 0)


def _raw_state(key: dg.AssetKey, latest, con: duckdb.DuckDBPyConnection) -> RawState:
    metadata = latest.asset_materialization.metadata if latest.asset_materialization else {}
    changed = _metadata_int(metadata, "rows_loaded_this_run") > 0 or _metadata_int(metadata, "files_removed") > 0
    # The gates' memory across runs is audit.quality_results: the run that loaded this data must
    # be the latest to have checked it, and none of its blocking checks may have failed.
    dataset = ".".join(key.path)
    if latest_gating_run(con, dataset) != latest.run_id:
        ungated = ("gates not run on this data",)
    else:
        ungated = tuple(check for _, check, _, _ in standing_failures(con, dataset))
    return RawState(key.to_user_string(), latest.storage_id, changed, ungated)


@dg.sensor(
    name="marts_on_raw_change",
    job=marts_refresh_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="When a raw dataset has new data that passed its blocking gates and serving.duckdb predates it, "
    "rebuild the dbt layers, publish and re-render the dashboard. Waits while any run is in progress.",
)
def marts_on_raw_change(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    instance = context.instance
    if instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS), limit=1):
        return refresh_decision([], 0, run_in_progress=True)
    published = instance.fetch_materializations(SERVING_KEY, limit=1).records
    published_id = published[0].storage_id if published else 0
    latest = {
        key: records[0] for key in RAW_GATED if (records := instance.fetch_materializations(key, limit=1).records)
    }
    if not latest:
        return refresh_decision([], published_id, run_in_progress=False)
    try:
        with warehouse.connect(read_only=True, wait_seconds=0) as con:
            raw = [_raw_state(key, record, con) for key, record in latest.items()]
    except (duckdb.IOException, duckdb.ConnectionException) as busy:  # the file is held, or gone
        return dg.SkipReason(f"cannot read the warehouse now ({str(busy).splitlines()[0]}); deciding later")
    return refresh_decision(raw, published_id, run_in_progress=False)
