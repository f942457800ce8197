"""The signal dashboard and the dbt docs it links to: static pages beside serving.duckdb."""

import dagster as dg

from pipelines.assets.dbt import dbt_project
from pipelines.assets.owners import ANALYTICS
from pipelines.assets.serving import SERVING_KEY
from pipelines.dashboard import dashboard_path, render_dashboard
from pipelines.dashboard.dbt_docs import DocsLinks, build_dbt_docs, dbt_docs_path
from pipelines.resources import WarehouseResource

DASHBOARD_KEY = dg.AssetKey(["serving", "dashboard"])
DBT_DOCS_KEY = dg.AssetKey(["serving", "dbt_docs"])


def _page_metadata(page) -> dict:
    return {
        "path": dg.MetadataValue.path(str(page)),
        "open": dg.MetadataValue.url(page.resolve().as_uri()),
        "size_kb": round(page.stat().st_size / 1024, 1),
    }


@dg.asset(
    key=DBT_DOCS_KEY,
    group_name="serving",
    kinds={"dbt", "html"},
    owners=[ANALYTICS],
    description=(
        "$WAREHOUSE_DIR/dbt_docs/index.html: the dbt project's static docs page (what `dbt docs generate "
        "--static --empty-catalog` writes, made from the prepared manifest), one page with every model's "
        "and column's meaning, opened without a server. Rebuilt only when the dbt manifest changes; the "
        "dashboard links each source table to it."
    ),
)
def dbt_docs(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    page = dbt_docs_path(warehouse.settings.warehouse_dir)
    rebuilt = build_dbt_docs(dbt_project.manifest_path, page)
    context.log.info(f"dbt docs {'written' if rebuilt else 'unchanged'}: {page}")
    return dg.MaterializeResult(metadata={**_page_metadata(page), "rebuilt": rebuilt})


@dg.asset(
    key=DASHBOARD_KEY,
    deps=[SERVING_KEY, DBT_DOCS_KEY],
    group_name="serving",
    kinds={"python", "html"},
    owners=[ANALYTICS],
    description=(
        "$WAREHOUSE_DIR/dashboard/index.html: one self-contained page (Vega-Lite charts with their "
        "JavaScript inlined, opens without a network) read from serving.duckdb: the trigger board and "
        "position signal, the claims audit, relative strength with rally weeks and surges, unprofitable "
        "share, the valuation discount against its history, yield betas, the fund scorecard, M&A, the "
        "volatility ratio, liquidity per index, universe additions and removals, sector returns and the "
        "small benchmark's drawdown episodes (not_checkable claims greyed with their reason). "
        "Every chart names its source table, as-of date and whether the data is the synthetic sample. "
        "Its queries are the ready-made BI queries in bi/sql."
    ),
)
def dashboard(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    if not settings.serving_path.exists():
        raise dg.Failure(
            description=f"{settings.serving_path} is not published yet: materialize serving/serving_duckdb first"
        )
    docs_page = dbt_docs_path(settings.warehouse_dir)
    docs = DocsLinks(docs_page, dbt_project.name) if docs_page.exists() else None
    # The published file, never the working warehouse: the page shows exactly what BI tools see.
    page = render_dashboard(settings.serving_path, dashboard_path(settings.warehouse_dir), docs)
    context.log.info(f"dashboard written to {page}")
    return dg.MaterializeResult(metadata=_page_metadata(page))
