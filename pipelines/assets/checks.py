"""Quality gates as Dagster asset checks on the assets they guard.

Error-severity checks are blocking: when one fails, nothing downstream of the guarded asset
runs in that run, so the publish step never sees the bad data. Every outcome is also kept in
audit.quality_results in the working warehouse, failed runs included.
"""

import dagster as dg

from data_quality import gate_scope, policy
from data_quality.results import ERROR, CheckOutcome, record
from data_quality.thresholds import load_thresholds
from pipelines.assets.owners import DATA_ENGINEERING
from pipelines.datasets import DATASETS
from pipelines.raw_gates import check_names, export_for_spark, plan_scope, run_raw_gates, run_raw_suite
from pipelines.resources import WarehouseResource

ACTIONS = {
    policy.BLOCK: "Blocks the run when it fails.",
    policy.QUARANTINE: "Moves the offending rows to quarantine; the run goes on.",
    policy.FLAG: "Flags the stretch in audit.series_flags (the marts step around it); blocks only for a role series "
    "inside the recent window.",
    policy.WARN_ACTION: "A warning: the run goes on.",
}


def describe(check: str) -> str:
    g = policy.gate(check)
    return f"{g.reads[:1].upper()}{g.reads[1:]} ({g.scope}). {ACTIONS[g.action]} Why: {g.why}."


def to_check_result(asset_key: dg.AssetKey, o: CheckOutcome) -> dg.AssetCheckResult:
    metadata = {"observed": str(o.observed), "detail": o.detail[:2000]}
    if o.samples and o.check_name in policy.FLAG_CHECKS:
        # The flagged stretches as a table in the check's page (all of them: audit.series_flags).
        metadata["flagged stretches"] = dg.MetadataValue.md(
            "| series | from | to | reason |\n|---|---|---|---|\n"
            + "\n".join(f"| {s} | {a} | {b} | {why} |" for s, a, b, why in o.samples)
        )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=o.check_name,
        passed=o.passed,
        severity=dg.AssetCheckSeverity.ERROR if o.severity == ERROR else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=o.detail[:500],
    )


def _raw_checks(dataset: str) -> dg.AssetChecksDefinition:
    key = dg.AssetKey(["raw", dataset])
    specs = [
        dg.AssetCheckSpec(name, asset=key, blocking=severity == ERROR, description=describe(name))
        for name, severity in check_names(dataset)
    ]

    @dg.multi_asset_check(specs=specs, name=f"raw_{dataset}_gates")
    def _gates(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        settings, thresholds = warehouse.settings, load_thresholds()
        with warehouse.connect() as con:
            scope = plan_scope(con, dataset, settings, thresholds)
            outcomes = run_raw_gates(con, dataset, settings, thresholds, scope, context.run.run_id)
            spark_dir = settings.spark_dir if settings.engine == "spark" else None
            if spark_dir is not None:
                export_for_spark(con, dataset, spark_dir)
        outcomes.append(
            run_raw_suite(settings.warehouse_path, dataset, thresholds, scope, settings.duckdb_config(), spark_dir)
        )
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

# Written by the flag checks above, read by the marts (a dbt source): shown in the graph between
# the raw gates and the models, not materialized on its own.
series_flags_table = dg.AssetSpec(
    ["audit", "series_flags"],
    group_name="raw",
    owners=[DATA_ENGINEERING],
    kinds={"duckdb"},
    description="Flagged stretches of history (unexplained jumps, unit errors, stale runs, missing bars, rate gaps) "
    "that the raw gates set aside instead of blocking; the marts step around them, serving publishes "
    "them as marts.series_flags. Written by the flag checks of raw/prices, raw/fund_navs and raw/rates.",
)
