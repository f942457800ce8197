"""The Dagster code location: loads fast without dbt, and its asset graph is the expected one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from data_quality.marts_contract import MARTS
from data_quality.thresholds import Thresholds
from pipelines import compat
from pipelines.datasets import DATASETS
from pipelines.raw_gates import contract_suite
from tests.conftest import REPO

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


@pytest.fixture(scope="module")
def defs():
    from pipelines.definitions import defs

    return defs


def graph_lines(defs: dg.Definitions) -> list[str]:
    """One line per asset: key, group, kinds, and its checks (blocking marked with !)."""
    graph = defs.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for ck in graph.asset_check_keys:
        spec = graph.get_check_spec(ck)
        checks.setdefault(ck.asset_key.to_user_string(), []).append(ck.name + ("!" if spec.blocking else ""))
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if not node.is_materializable:
            continue
        name = key.to_user_string()
        kinds = ",".join(sorted(node.kinds))
        lines.append(f"{name} [{node.group_name}] ({kinds}) checks: {' '.join(sorted(checks.get(name, [])))}")
    return lines


def test_definitions_load_without_running_dbt():
    # Any subprocess during import (a `dbt parse`) fails the import.
    code = (
        "import subprocess\n"
        "def boom(*a, **k): raise RuntimeError('subprocess at import: ' + repr(a[:1]))\n"
        "subprocess.Popen = boom\n"
        "import pipelines.definitions\n"
    )
    env = {**os.environ, "WAREHOUSE_DIR": "/tmp/defs-load-test"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_asset_graph_matches_snapshot(defs):
    lines = graph_lines(defs)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text("\n".join(lines) + "\n")
    assert lines == SNAPSHOT.read_text().splitlines(), "asset graph changed: review, then rerun with UPDATE_SNAPSHOTS=1"


def test_every_dataset_and_mart_is_an_asset_in_its_group(defs):
    graph = defs.resolve_asset_graph()
    for name in DATASETS:
        node = graph.get(dg.AssetKey(["raw", name]))
        assert node.group_name == "raw" and {"duckdb", "python"} <= set(node.kinds)
        assert node.owners == ["team:data-engineering"] and node.description
    for table in MARTS:
        node = graph.get(dg.AssetKey(["marts", table]))
        assert node.group_name == "marts" and "dbt" in node.kinds and node.description, table
    serving = graph.get(dg.AssetKey(["serving", "serving_duckdb"]))
    assert {dg.AssetKey(["marts", t]) for t in MARTS} <= set(serving.parent_keys)


def test_raw_assets_are_guarded_by_blocking_checks(defs):
    graph = defs.resolve_asset_graph()
    for name in DATASETS:
        specs = [
            graph.get_check_spec(ck) for ck in graph.asset_check_keys if ck.asset_key == dg.AssetKey(["raw", name])
        ]
        blocking = {s.name for s in specs if s.blocking}
        assert {"contract_suite", "key_conflicts", "quarantine_share", "row_count_vs_previous"} <= blocking, name
        # Not-null of required columns lives in the blocking contract suite, not in dbt source tests.
        not_null = {
            e.column for e in contract_suite(name, Thresholds()) if type(e).__name__ == "ExpectColumnValuesToNotBeNull"
        }
        assert not_null == {c.name for c in DATASETS[name].columns if c.required and not c.nullable} != set(), name
    prices = {ck.name for ck in graph.asset_check_keys if ck.asset_key == dg.AssetKey(["raw", "prices"])}
    assert {"unit_error_100x", "unexplained_jump", "stale_series", "missing_bars", "ohlc_consistency"} <= prices


def test_one_job_and_a_weekday_schedule_off_by_default(defs):
    job = defs.resolve_job_def("warehouse_job")
    assert job is not None
    schedule = defs.resolve_schedule_def("weekday_after_close")
    assert schedule.cron_schedule == "30 18 * * 1-5"
    assert schedule.execution_timezone == "America/New_York"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


@pytest.mark.skipif(not compat.enabled("dbt_startup"), reason=f"tests a shim, off with {compat.SWITCH}=off")
def test_dbt_resource_knows_its_version_without_starting_dbt(monkeypatch):
    """dagster-dbt would run `dbt --version` in a second process on every run; the warehouse's
    resource takes the installed dbt-core's version instead, and opens no adapter in-process."""
    from dagster_dbt.compat import DBT_PYTHON_VERSION
    from dagster_dbt.core import resource as dagster_dbt_resource

    from pipelines.assets.dbt import dbt_resource

    def no_process(*args, **kwargs):
        raise AssertionError(f"a dbt process was started: {args}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_process)
    dbt = dbt_resource()
    assert dbt._cli_version == DBT_PYTHON_VERSION
    assert dbt._initialize_dbt_core_adapter(["build"]) is None
