"""Ingestion assets: one per dataset of the landing contract, from the configured source."""

import dagster as dg

from pipelines.assets.owners import DATA_ENGINEERING
from pipelines.datasets import DATASETS, Dataset
from pipelines.metadata import table_metadata
from pipelines.raw_loader import ensure_tables, load_dataset
from pipelines.resources import WarehouseResource
from pipelines.sources import source_for
from pipelines.sources.live.config import LiveServicesResource


def _raw_asset(dataset: Dataset) -> dg.AssetsDefinition:
    @dg.asset(
        key=["raw", dataset.name],
        group_name="raw",
        description=(
            f"{dataset.description} Landed as received under $WAREHOUSE_DIR/landing, checked against the "
            f"contract (key {', '.join(dataset.key)}); rows that break a rule go to quarantine.{dataset.name}."
        ),
        kinds={"duckdb", "python", "great_expectations"},
        owners=[DATA_ENGINEERING],
        metadata={
            "dagster/column_schema": dg.TableSchema(
                columns=[dg.TableColumn(c.name, c.sql_type.lower(), description=c.description) for c in dataset.columns]
            )
        },
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, live: LiveServicesResource
    ) -> dg.MaterializeResult:
        settings = warehouse.settings
        # Live secrets arrive through the resource (Dagster EnvVar), never through metadata or logs.
        source = source_for(settings, live_config=live.live_config() if settings.source == "live" else None)
        landed = source.land(dataset.name, settings.landing_dir, context.log.info)
        with warehouse.connect() as con:
            if not landed.files:
                ensure_tables(con, dataset)
                context.log.warning(f"{dataset.name}: no data from source '{source.name}' ({landed.note})")
            report = load_dataset(
                con,
                dataset.name,
                landed.files,
                settings.landing_dir,
                settings.max_file_mb,
                skipped=getattr(landed, "skipped", []),
            )
            meta = table_metadata(con, f"raw.{dataset.name}", report.total_rows)
        # Files that gave no row or were not read: the run goes on, and says so.
        for file, reason in report.notes:
            context.log.warning(f"{dataset.name}: {file}: {reason}")
        if report.rows_quarantined:
            context.log.warning(
                f"{dataset.name}: {report.rows_quarantined} row(s) quarantined, e.g. "
                + "; ".join(
                    f"{q['file']} line {q['line']} column {q['column']}: {q['detail']}"
                    for q in report.quarantine_samples[:3]
                )
            )
        return dg.MaterializeResult(
            metadata={
                **meta,
                "source": source.name,
                "absent": not landed.files,
                "note": landed.note,
                "files_loaded": len(report.files_loaded),
                "files_unchanged": len(report.files_unchanged),
                "files_removed": len(report.files_removed),
                "rows_loaded_this_run": report.rows_loaded,
                "rows_quarantined_this_run": report.rows_quarantined,
                "batch_id": report.batch_id,
            }
        )

    return _ingest


raw_assets = [_raw_asset(d) for d in DATASETS.values()]
