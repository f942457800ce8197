"""The Dagster UI as a user meets it: a real dagster-webserver on workspace.yaml, asked over its
GraphQL API; plus the freshness and refresh rules it shows, checked on their own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest
import requests

from data_quality.marts_contract import MARTS
from data_quality.trading_calendar import latest_close_with_data
from pipelines.automation import RawState, latest_day_outcome, refresh_decision
from pipelines.datasets import DATASETS
from pipelines.instance import dagster_yaml
from tests.conftest import REPO, pipeline_env

WEBSERVER = Path(sys.executable).parent / "dagster-webserver"
LOCATION = "smallcap_warehouse"
REPOSITORY = "__repository__"  # the repository every Definitions object is served as
# Runs launched from the UI start in a subprocess at once: no daemon is needed to dequeue them.
# The warehouse's own instance settings, with runs launched at once instead of queued.
RUN_COORDINATOR = """run_coordinator:
  module: dagster.core.run_coordinator
  class: DefaultRunCoordinator
"""
STARTUP_SECONDS = 180
RUN_SECONDS = 600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Webserver:
    def __init__(self, url: str, warehouse_dir: Path):
        self.url, self.warehouse_dir = url, warehouse_dir

    def query(self, text: str, **variables) -> dict:
        resp = requests.post(f"{self.url}/graphql", json={"query": text, "variables": variables}, timeout=120)
        assert resp.ok, f"GraphQL HTTP {resp.status_code}: {resp.text[:2000]}"
        body = resp.json()
        assert "errors" not in body, body["errors"]
        return body["data"]


LOCATION_STATUS = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
  locationOrLoadError { __typename ... on PythonError { message } } } } } }"""


def _wait_until_loaded(server: Webserver, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"dagster-webserver exited {proc.returncode}:\n{log.read_text()[-3000:]}"
        try:
            if requests.get(f"{server.url}/server_info", timeout=5).ok:
                entries = server.query(LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
                entry = next(e for e in entries if e["name"] == LOCATION)
                if entry["loadStatus"] == "LOADED":
                    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
                    return
        except requests.ConnectionError:
            pass
        time.sleep(1)
    raise AssertionError(f"the code location did not load in {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    root = tmp_path_factory.mktemp("dagster_ui")
    home, warehouse_dir = root / "dagster_home", root / "wh"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(home) + RUN_COORDINATOR)
    port, log = _free_port(), root / "webserver.log"
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(WEBSERVER), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=REPO,
            env=pipeline_env(warehouse_dir, DAGSTER_HOME=str(home)),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Webserver(f"http://127.0.0.1:{port}", warehouse_dir)
    try:
        _wait_until_loaded(server, proc, log)
        print(f"webserver up in {time.monotonic() - started:.1f}s")
        yield server
    finally:
        # The webserver and its code server share the session started for it.
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


ASSET_NODES = """{ assetNodes {
  assetKey { path } groupName description kinds isMaterializable
  owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
  metadataEntries { label }
  hasAssetChecks
  assetChecksOrError { ... on AssetChecks { checks { name blocking } } }
} }"""


def test_asset_graph_keys_groups_owners_schemas_and_checks(webserver):
    nodes = {
        "/".join(n["assetKey"]["path"]): n for n in webserver.query(ASSET_NODES)["assetNodes"] if n["isMaterializable"]
    }
    expected_groups = {
        **{f"raw/{d}": "raw" for d in DATASETS},
        **{f"marts/{t}": "marts" for t in MARTS},
        "serving/serving_duckdb": "serving",
        "serving/dashboard": "serving",
    }
    assert {k: nodes[k]["groupName"] for k in expected_groups if k in nodes} == expected_groups
    for key, node in nodes.items():
        assert node["description"] and node["kinds"] and node["owners"], f"{key} lacks a description, kinds or owner"
    for key in [f"raw/{d}" for d in DATASETS] + [f"marts/{t}" for t in MARTS]:
        labels = {m["label"] for m in nodes[key]["metadataEntries"]}
        assert "dagster/column_schema" in labels, f"{key} shows no column schema"
    assert set(nodes["serving/dashboard"]["kinds"]) == {"python", "html"}
    assert nodes["serving/dashboard"]["owners"] == [{"team": "analytics"}]

    checks = {
        k: {c["name"]: c["blocking"] for c in n["assetChecksOrError"]["checks"]}
        for k, n in nodes.items()
        if n["hasAssetChecks"]
    }
    for name in DATASETS:
        assert {"contract_suite", "key_conflicts", "quarantine_share", "row_count_vs_previous"} <= {
            c for c, blocking in checks[f"raw/{name}"].items() if blocking
        }, name
    for name in ("prices", "fund_navs", "rates"):
        assert checks[f"raw/{name}"]["latest_trading_day"] is False, "freshness warns, it does not block"
    assert checks["serving/serving_duckdb"]["bi_contract_suite"] is True


AUTOMATION = """{ repositoriesOrError { ... on RepositoryConnection { nodes { name
  jobs { name }
  schedules { name cronSchedule executionTimezone scheduleState { status } }
  sensors { name sensorState { status } targets { pipelineName } }
} } } }"""


def test_weekday_schedule_and_refresh_sensor_are_visible(webserver):
    repo = webserver.query(AUTOMATION)["repositoriesOrError"]["nodes"][0]
    assert {"warehouse_job", "marts_refresh_job"} <= {j["name"] for j in repo["jobs"]}
    schedule = next(s for s in repo["schedules"] if s["name"] == "weekday_after_close")
    assert (schedule["cronSchedule"], schedule["executionTimezone"], schedule["scheduleState"]["status"]) == (
        "30 18 * * 1-5",
        "America/New_York",
        "STOPPED",
    )
    sensor = next(s for s in repo["sensors"] if s["name"] == "marts_on_raw_change")
    assert sensor["sensorState"]["status"] == "RUNNING"
    assert [t["pipelineName"] for t in sensor["targets"]] == ["marts_refresh_job"]


LAUNCH = """mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on InvalidSubsetError { message } ... on RunConfigValidationInvalid { errors { message } } } }"""
RUN_STATUS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status
  eventConnection { events { __typename ... on ExecutionStepFailureEvent { stepKey error { message } } } } } } }"""
LATEST = """query($key: AssetKeyInput!) { assetNodes(assetKeys: [$key]) {
  assetMaterializations(limit: 1) { runId metadataEntries { label
    ... on IntMetadataEntry { intValue } ... on MarkdownMetadataEntry { mdStr } } }
  assetChecksOrError { ... on AssetChecks { checks { name blocking executionForLatestMaterialization { status } } } }
} }"""
DRY_RUN = """mutation($selector: SensorSelector!) { sensorDryRun(selectorData: $selector, cursor: null) {
  __typename ... on DryRunInstigationTick { evaluationResult { skipReason error { message }
    runRequests { runKey tags { key value } } } } ... on PythonError { message } } }"""


def _dry_run_refresh_sensor(webserver) -> dict:
    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY, "sensorName": "marts_on_raw_change"}
    tick = webserver.query(DRY_RUN, selector=selector)["sensorDryRun"]
    assert tick["__typename"] == "DryRunInstigationTick", tick
    assert tick["evaluationResult"]["error"] is None, tick
    return tick["evaluationResult"]


def _wait_for_run(webserver, run_id: str) -> dict:
    deadline = time.monotonic() + RUN_SECONDS
    while time.monotonic() < deadline:
        run = webserver.query(RUN_STATUS, id=run_id)["runOrError"]
        if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
            return run
        time.sleep(2)
    raise AssertionError(f"run {run_id} did not finish in {RUN_SECONDS}s")


def test_materialize_from_the_ui_then_the_sensor_asks_for_a_marts_refresh(webserver):
    assert "no raw data changed" in _dry_run_refresh_sensor(webserver)["skipReason"]

    funds = {"path": ["raw", "funds"]}
    checks = webserver.query(LATEST, key=funds)["assetNodes"][0]["assetChecksOrError"]["checks"]
    params = {
        "selector": {
            "repositoryLocationName": LOCATION,
            "repositoryName": REPOSITORY,
            "jobName": "__ASSET_JOB",
            "assetSelection": [funds],
            "assetCheckSelection": [{"assetKey": funds, "name": c["name"]} for c in checks],
        },
        "executionMetadata": {"tags": [{"key": "launched_by", "value": "test_dagster_ui"}]},
    }
    started = time.monotonic()
    launched = webserver.query(LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    run = _wait_for_run(webserver, run_id)
    failures = [e for e in run["eventConnection"]["events"] if e["__typename"] == "ExecutionStepFailureEvent"]
    assert run["status"] == "SUCCESS", failures
    print(f"raw/funds materialized from the UI in {time.monotonic() - started:.1f}s")

    node = webserver.query(LATEST, key=funds)["assetNodes"][0]
    materialization = node["assetMaterializations"][0]
    assert materialization["runId"] == run_id
    metadata = {m["label"]: m for m in materialization["metadataEntries"]}
    assert metadata["dagster/row_count"]["intValue"] > 0
    assert metadata["preview"]["mdStr"].startswith("| fund_id")
    gates = {
        c["name"]: c["executionForLatestMaterialization"]["status"]
        for c in node["assetChecksOrError"]["checks"]
        if c["blocking"]
    }
    assert gates and set(gates.values()) == {"SUCCEEDED"}, gates

    request = _dry_run_refresh_sensor(webserver)["runRequests"]
    assert len(request) == 1, request
    assert {"key": "changed", "value": "raw/funds"} in request[0]["tags"]


# --- The rules behind the freshness checks and the refresh sensor -------------------------

NEW_YORK_EVENING = datetime(2026, 11, 24, 23, 45, tzinfo=UTC)  # Tue 18:45 in New York


@pytest.mark.parametrize(
    "now, expected",
    [
        (NEW_YORK_EVENING, date(2026, 11, 24)),  # after the data is out: today's close
        (datetime(2026, 11, 24, 21, 30, tzinfo=UTC), date(2026, 11, 23)),  # 16:30: the close, but no data yet
        (datetime(2026, 11, 26, 23, 45, tzinfo=UTC), date(2026, 11, 25)),  # Thanksgiving: no close that day
        (datetime(2026, 11, 29, 15, 0, tzinfo=UTC), date(2026, 11, 27)),  # Sunday: Friday's close
        (datetime(2026, 4, 6, 12, 0, tzinfo=UTC), date(2026, 4, 2)),  # Monday morning after Good Friday
    ],
)
def test_latest_close_with_data_follows_the_nyse_calendar(now, expected):
    assert latest_close_with_data(now) == expected


def test_freshness_names_the_series_that_are_behind():
    due = date(2026, 3, 31)
    fresh = latest_day_outcome("prices", {"IWM": due, "SPY": due}, due)
    stale = latest_day_outcome("prices", {"IWM": due, "SPY": date(2026, 3, 27)}, due)
    missing = latest_day_outcome("rates", {}, due)
    assert fresh.passed and not stale.passed and not missing.passed
    assert stale.observed["behind"] == {"SPY": "2026-03-27"} and stale.severity == "warn"


def _raw(asset: str, storage_id: int, changed: bool = True, ungated: tuple[str, ...] = ()) -> RawState:
    return RawState(asset, storage_id, changed, ungated)


def test_refresh_waits_for_runs_and_gates_and_ignores_unchanged_reloads():
    assert isinstance(refresh_decision([_raw("raw/prices", 10)], 5, run_in_progress=True), dg.SkipReason)
    blocked = refresh_decision([_raw("raw/prices", 10), _raw("raw/funds", 3, ungated=("contract_suite",))], 5, False)
    assert isinstance(blocked, dg.SkipReason) and "raw/funds: contract_suite" in blocked.skip_message
    assert isinstance(refresh_decision([_raw("raw/prices", 10, changed=False)], 5, False), dg.SkipReason)
    assert isinstance(refresh_decision([_raw("raw/prices", 4)], 5, False), dg.SkipReason), "already published"
    request = refresh_decision([_raw("raw/prices", 10), _raw("raw/funds", 12), _raw("raw/rates", 2)], 5, False)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "raw-through-12" and request.tags["changed"] == "raw/funds,raw/prices"
