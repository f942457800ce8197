"""The published serving.duckdb: what BI tools read, replaced only by a run that passed its gates."""

import dagster as dg

from data_quality.marts_contract import MARTS
from pipelines.assets.dbt import dbt_models
from pipelines.assets.owners import DATA_ENGINEERING
from pipelines.publish import PublishRefused, publish, remove_leftover_candidates
from pipelines.resources import WarehouseResource

SERVING_KEY = dg.AssetKey(["serving", "serving_duckdb"])
# After every dbt model (not only marts), so the publish step always runs last.
UPSTREAM = sorted(dbt_models.keys, key=lambda k: k.to_user_string())


@dg.asset(
    key=SERVING_KEY,
    deps=UPSTREAM,
    group_name="serving",
    kinds={"duckdb", "great_expectations"},
    owners=[DATA_ENGINEERING],
    description=(
        "$WAREHOUSE_DIR/serving.duckdb, schema marts: the BI-facing tables plus quality_results and "
        "publish_info. Written as a new file, audited with the BI contract suites, then atomically "
        "swapped in; a run with any failed blocking gate leaves the previous file untouched."
    ),
    check_specs=[
        dg.AssetCheckSpec(
            "bi_contract_suite",
            asset=SERVING_KEY,
            blocking=True,
            description="Great Expectations suites of every BI-facing mart, run on the candidate file before the swap.",
        )
    ],
)
def serving_duckdb(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings
    for leftover in remove_leftover_candidates(settings.serving_path):
        context.log.warning(f"removed {leftover.name}, left by a publish that was killed")
    try:
        published, outcomes = publish(warehouse.connect, settings, context.run.run_id)
    except PublishRefused as refused:
        raise dg.Failure(description=f"serving.duckdb left untouched: {refused}") from None
    failed = [o for o in outcomes if not o.passed]
    yield dg.AssetCheckResult(
        check_name="bi_contract_suite",
        passed=not failed,
        metadata={
            "marts_checked": len(outcomes),
            "failed": "; ".join(f"{o.dataset}: {o.detail}" for o in failed)[:2000] or "none",
        },
    )
    if published is None:
        raise dg.Failure(
            description="serving.duckdb left untouched: " + "; ".join(f"{o.dataset}: {o.detail}" for o in failed[:5])
        )
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published.path)),
            "tables": dg.MetadataValue.json(published.tables),
            "dagster/row_count": sum(published.tables.values()),
            "marts_expected": len(MARTS),
        }
    )
