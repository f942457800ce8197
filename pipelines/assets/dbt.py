"""dbt models as Dagster assets, through one translator.

The manifest is prepared at build time (`make prepare` runs `dbt parse`), never on import:
loading the code location stays fast and needs no database.
"""


import json
import os
import sys
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from pipelines.assets.raw import OWNER
from pipelines.resources import PROJECT_ROOT, WarehouseResource

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# dbt folders are the layers; each becomes a group in the UI.
LAYER_GROUPS = ("staging", "intermediate", "marts")


class ManifestMissing(RuntimeError):
    pass


class WarehouseDbtTranslator(DagsterDbtTranslator):
    """Models keyed by schema and name (marts/triggers); sources keyed as the raw assets."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(["raw", dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return next((part for part in fqn if part in LAYER_GROUPS), "dbt")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return [OWNER]


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
    # profiles.yml reads the warehouse location from the environment of the dbt process.
    os.environ["WAREHOUSE_DIR"] = str(settings.warehouse_dir)
    dbt_vars = json.dumps(settings.dbt_vars())
    yield from dbt.cli(["build", "--vars", dbt_vars], context=context).stream()


def dbt_resource() -> DbtCliResource:
    # The dbt beside this interpreter, whether or not the virtualenv is on PATH.
    executable = Path(sys.executable).parent / "dbt"
    return DbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(executable) if executable.exists() else "dbt",
    )
