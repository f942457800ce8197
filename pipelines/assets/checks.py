"""Quality gates as Dagster asset checks on the assets they guard.

Error-severity checks are blocking: when one fails, nothing downstream of the guarded asset
runs in that run, so the publish step never sees the bad data. Every outcome is also kept in
audit.quality_results in the working warehouse, failed runs included.
"""

import dagster as dg

from data_quality import gate_scope
from data_quality.raw_gates import check_names, plan_scope, run_raw_gates, run_raw_suite
from data_quality.results import ERROR, CheckOutcome, record
from data_quality.thresholds import load_thresholds
from pipelines.datasets import DATASETS
from pipelines.resources import WarehouseResource

DESCRIPTIONS = {
    "contract_suite": "Great Expectations suite: schema and types, required values, plausible ranges.",
    "key_conflicts": "The same key delivered with different values.",
    "quarantine_share": "Share of rows quarantined stays under the limit (a collapse is a table-level failure).",
    "row_count_vs_previous": "Row count has not dropped by more than the limit since the last passing run.",
    "unit_error_100x": "No close-to-close ratio of 50x or more (cents read as dollars) without a split.",
    "unexplained_jump": "No day-over-day move of a split's size (0.5, 2/3, 2, ...) without a recorded split.",
    "large_move": "Day-over-day moves beyond the limit that are not split-like (a warning to review).",
    "stale_series": "No series unchanged for too many consecutive days.",
    "future_dated": "No observation dated after tomorrow.",
    "missing_bars": "Each symbol has a bar on (nearly) every trading day of its life.",
    "ohlc_consistency": "low <= open, close <= high.",
    "symbols_in_universe": "Every symbol is an index member at some snapshot (benchmark symbols excepted).",
    "targets_in_universe": "Every M&A target is an index member at some snapshot.",
    "funds_known": "Every NAV belongs to a fund in the fund list.",
    "freshness": "The newest day is the latest trading day the source should have reached.",
}


def to_check_result(asset_key: dg.AssetKey, o: CheckOutcome) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=o.check_name,
        passed=o.passed,
        severity=dg.AssetCheckSeverity.ERROR if o.severity == ERROR else dg.AssetCheckSeverity.WARN,
        metadata={"observed": str(o.observed), "detail": o.detail[:2000]},
        description=o.detail[:500],
    )


def _raw_checks(dataset: str) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["raw", dataset])
    specs = [
        dg.AssetCheckSpec(name, asset=key, blocking=severity == ERROR, description=DESCRIPTIONS[name])
        for name, severity in check_names(dataset)
    ]

    @dg.multi_asset_check(specs=specs, name=f"raw_{dataset}_gates")
    def _gates(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        settings, thresholds = warehouse.settings, load_thresholds()
        with warehouse.connect() as con:
            scope = plan_scope(con, dataset, settings, thresholds)
            outcomes = run_raw_gates(con, dataset, settings, thresholds, scope)
        outcomes.append(run_raw_suite(settings.warehouse_path, dataset, thresholds, scope))
        with warehouse.connect() as con:
            record(con, context.run.run_id, outcomes)
            if not any(o.blocks for o in outcomes):
                # Only rows that passed every blocking gate are spared the row-level checks next time.
                gate_scope.mark_validated(con, scope, context.run.run_id)
        context.log.info(f"raw.{dataset} gates read {scope.describe()}")
        by_name = {o.check_name: o for o in outcomes}
        for name, _ in check_names(dataset):
            yield to_check_result(key, by_name[name])

    return _gates


raw_checks = [_raw_checks(d) for d in DATASETS]
