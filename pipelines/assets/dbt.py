"""dbt models as Dagster assets, through one translator.

The manifest is prepared at build time (`make prepare` runs `dbt parse`), never on import:
loading the code location stays fast and needs no database.
"""

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from data_quality import series_flags
from data_quality.results import ERROR, WARN, CheckOutcome, record
from pipelines import as_of_plan, compat, spark_engine
from pipelines.assets.owners import DATA_ENGINEERING
from pipelines.resources import PROJECT_ROOT, WarehouseResource

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# dbt folders are the layers; each becomes a group in the UI.
LAYER_GROUPS = ("staging", "intermediate", "marts")


class ManifestMissing(RuntimeError):
    pass


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema and name (marts/triggers); sources keyed as their meta says (raw/prices,
    audit/series_flags), else as the raw asset of their name."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            declared = dbt_resource_props.get("meta", {}).get("dagster", {}).get("asset_key")
            return dg.AssetKey(declared or ["raw", dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return next((part for part in fqn if part in LAYER_GROUPS), "dbt")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [DATA_ENGINEERING]


translator = WarehouseDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
)


def _manifest_path():
    path = dbt_project.manifest_path
    if not path.exists():
        raise ManifestMissing(
            f"{path} is missing: prepare it with `make prepare` (runs `dbt parse`) before loading the definitions"
        )
    return path


@dbt_assets(manifest=_manifest_path(), dagster_dbt_translator=translator, project=dbt_project, name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    settings = warehouse.settings
    # A failed raw gate has already kept this step from running (the gates are blocking checks).
    with warehouse.connect() as con:
        # The marts read the flags the gates wrote; a warehouse whose gates flagged nothing yet has an empty table.
        series_flags.ensure(con)
        dbt_vars = json.dumps(settings.dbt_vars())
        as_of = as_of_plan.plan(con, build_fingerprint(dbt_vars))
        # What dbt needs from the pipeline is explicit: the settings as --vars (the profile
        # reads the warehouse's place from them too) and the as-of plan as a table it reads.
        as_of_plan.publish_plan(con, as_of, context.run.run_id)
        build_vars = settings.dbt_vars(warehouse=True)
        if settings.engine == "spark":
            # dbt on Spark reads Parquet copies of its inputs, taken after the gates passed.
            build_vars["spark_inputs"] = spark_engine.export_inputs(
                con, settings.spark_dir, spark_engine.dbt_sources(_manifest_path()) + [spark_engine.AS_OF_PLAN]
            )
    context.log.info(as_of.describe())
    args = build_args(json.dumps(build_vars), target=settings.engine) + (
        ["--full-refresh"] if as_of.full_refresh else []
    )
    for stale in ("run_results.json", "manifest.json"):
        # Builds write no JSON artifacts (see build_args): none from an older build may linger.
        (target_path(settings) / stale).unlink(missing_ok=True)
    outcomes: list[CheckOutcome] = []
    try:
        for event in dbt.cli(args, context=context, target_path=target_path(settings)).stream():
            if isinstance(event, (dg.AssetCheckResult, dg.AssetCheckEvaluation)):
                outcomes.append(_as_outcome(event))
            yield event
        if settings.engine == "spark":
            # The gates on the marts, the dashboard and the publish read the working warehouse.
            built = {
                name: columns
                for name, columns in spark_engine.mart_columns(_manifest_path()).items()
                if dg.AssetKey(["marts", name]) in context.selected_asset_keys
            }
            with warehouse.connect() as con:
                imported = spark_engine.import_marts(con, settings.spark_dir, built)
            context.log.info(f"read {len(imported)} marts back from the Spark build ({sum(imported.values())} rows)")
        # Reached only when every model and test succeeded: the as-of rows now reflect these
        # batches. Not after a subset run: the as-of models may have read upstream tables it
        # left as they were (the next whole build then plans from the last recorded state).
        if not context.is_subset:
            with warehouse.connect() as con:
                as_of_plan.record(con, as_of, context.run.run_id)
    finally:
        with warehouse.connect() as con:
            as_of_plan.withdraw_plan(con)
            # dbt tests join the run's quality history, failed ones included.
            record(con, context.run.run_id, outcomes)


def build_args(dbt_vars: str, target: str = "duckdb") -> list[str]:
    # Unit tests check the SQL, not the data: they run in `make test` (tests/test_dbt_unit.py),
    # as dbt recommends, and would only add their start-up to every production build.
    # The file log (target/dbt.log) keeps warnings and errors only: formatting and writing every
    # node's info lines cost ~0.4 s a build (the debug stream, ~10 MB, a tenth of the build).
    # Dagster's event log gets the full stream either way, with each node's status, timing and
    # test result: dbt's JSON artifacts (manifest.json and run_results.json rewritten after every
    # build, ~1 s) are not written; the code location reads the manifest prepared at build time.
    return [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--log-level-file",
        "warn",
        "--no-write-json",
        "--target",
        target,
        "--vars",
        dbt_vars,
    ]


def build_fingerprint(dbt_vars: str, manifest_path: Path | None = None) -> str:
    """The dbt project and settings a build ran with: incremental rows are only reused under the same.

    The manifest without what changes on every parse (its metadata, each node's created_at),
    so re-parsing an unchanged project keeps the incremental rows; plus the project file,
    whose vars the manifest does not hold, and the vars of this run."""

    def stable(value):
        if isinstance(value, dict):
            return {k: stable(v) for k, v in value.items() if k != "created_at"}
        if isinstance(value, list):
            return [stable(v) for v in value]
        return value

    manifest = json.loads((manifest_path or _manifest_path()).read_text())
    manifest.pop("metadata", None)
    digest = hashlib.sha256(json.dumps(stable(manifest), sort_keys=True).encode())
    digest.update((DBT_PROJECT_DIR / "dbt_project.yml").read_bytes())
    digest.update(dbt_vars.encode())
    digest.update(as_of_plan.PLAN_VERSION.encode())
    return digest.hexdigest()[:16]


def target_path(settings) -> Path:
    """One dbt target folder per warehouse, kept between runs.

    dbt re-parses the whole project unless the previous parse saw the same vars and profile
    (the warehouse path is part of the profile). Per-run folders would lose that state, so
    every run would pay a full parse; one folder beside the warehouse keeps it.
    """
    return settings.warehouse_dir / "dbt" / "target"


def _as_outcome(event) -> CheckOutcome:
    severity = WARN if event.severity == dg.AssetCheckSeverity.WARN else ERROR
    failures = (event.metadata or {}).get("dagster_dbt/failed_row_count")
    observed = getattr(failures, "value", failures)
    return CheckOutcome(
        dataset=".".join(event.asset_key.path),
        check_name=f"dbt:{event.check_name}",
        passed=event.passed,
        severity=severity,
        observed=observed,
        detail="dbt test " + ("passed" if event.passed else f"failed ({observed} rows)"),
    )


VENV_DBT = Path(sys.executable).parent / "dbt"
# The same dbt, started through pipelines/dbt_child.py so that it dies with the run's process.
BOUND_DBT = PROJECT_ROOT / "pipelines" / "bin" / "dbt"


def dbt_resource() -> DbtCliResource:
    # The dbt beside this interpreter, whether or not the virtualenv is on PATH, bound to the
    # process that starts it (the run's): the wrapper finds this interpreter through the
    # environment dagster-dbt passes on.
    if VENV_DBT.exists():
        os.environ["WAREHOUSE_DBT_PYTHON"] = sys.executable
    # compat's class skips two dagster-dbt start-up costs when the executable is one of ours.
    resource_class = compat.dbt_cli_resource_class(own_executables=(VENV_DBT, BOUND_DBT))
    return resource_class(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(BOUND_DBT) if VENV_DBT.exists() else "dbt",
    )
