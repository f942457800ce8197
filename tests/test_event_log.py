"""The Dagster instance beside the warehouse, and its event log with connections kept open
(the shim in pipelines/compat.py).

The event log must stay Dagster's: the same files, readable by the stock SQLite storage
(which the UI of an older warehouse, a plain `dagster dev` or a run with the shims off would
use), whatever process wrote them.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from pipelines import compat
from pipelines.compat import OPEN_SHARDS, PooledSqliteEventLogStorage
from pipelines.instance import MARKER, ensure_dagster_home

shim_only = pytest.mark.skipif(
    not compat.enabled("event_log"), reason=f"tests the event-log shim, off with {compat.SWITCH}=off"
)


@dg.asset
def numbers() -> list[int]:
    return [1, 2, 3]


@dg.asset_check(asset=numbers, blocking=True)
def numbers_are_positive() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True, metadata={"rows": 3})


@dg.asset(deps=[numbers])
def total() -> None:
    return None


JOB = dg.Definitions(
    assets=[numbers, total],
    asset_checks=[numbers_are_positive],
    jobs=[dg.define_asset_job("tiny", selection="*")],
).resolve_job_def("tiny")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return ensure_dagster_home(tmp_path / "wh")


def _events(storage, run_id: str) -> list[tuple[str, str]]:
    return [
        (str(r.event_log_entry.dagster_event_type), r.event_log_entry.step_key or "")
        for r in storage.get_records_for_run(run_id).records
    ]


def test_instance_writes_events_the_stock_storage_reads(home):
    with dg.DagsterInstance.get() as instance:
        expected = PooledSqliteEventLogStorage if compat.enabled("event_log") else SqliteEventLogStorage
        assert type(instance.event_log_storage) is expected
        result = JOB.execute_in_process(instance=instance)
        assert result.success
        ours = _events(instance.event_log_storage, result.run_id)

    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    try:
        assert _events(stock, result.run_id) == ours
        kinds = {kind for kind, _ in ours}
        assert {"DagsterEventType.ASSET_MATERIALIZATION", "DagsterEventType.ASSET_CHECK_EVALUATION"} <= kinds
        # The cross-run index (what the asset pages and checks read) has the run's mirrors too.
        latest = stock.get_latest_materialization_events([dg.AssetKey("numbers"), dg.AssetKey("total")])
        assert {key.to_user_string(): e.run_id for key, e in latest.items()} == {
            "numbers": result.run_id,
            "total": result.run_id,
        }
        check = stock.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("numbers"), "numbers_are_positive")]
        )
        assert [c.run_id for c in check.values()] == [result.run_id]
    finally:
        stock.dispose()


@shim_only
def test_a_run_opens_each_database_once(home, monkeypatch):
    opened = []
    real = PooledSqliteEventLogStorage.open_engine
    monkeypatch.setattr(
        PooledSqliteEventLogStorage, "open_engine", lambda self, url: opened.append(url) or real(self, url)
    )
    with dg.DagsterInstance.get() as instance:
        result = JOB.execute_in_process(instance=instance)
        stored = len(instance.event_log_storage.get_records_for_run(result.run_id).records)
    # Dozens of events, each stored in the run's database and most mirrored in the index:
    # one engine for each of the two databases.
    assert stored > 20
    assert sorted(Path(u.rpartition("/")[2]).stem for u in opened) == sorted(["index", result.run_id])


@shim_only
def test_open_connections_are_bounded_and_runs_stay_readable(home):
    with dg.DagsterInstance.get() as instance:
        runs = [JOB.execute_in_process(instance=instance).run_id for _ in range(OPEN_SHARDS + 2)]
        storage = instance.event_log_storage
        assert len(storage._engines) <= OPEN_SHARDS
        # The earliest runs' engines were closed; reading them opens the file again.
        for run_id in runs:
            assert ("DagsterEventType.RUN_SUCCESS", "") in _events(storage, run_id)
        assert len(storage._engines) <= OPEN_SHARDS


@shim_only
def test_wipe_closes_connections_before_the_files_go(home):
    with dg.DagsterInstance.get() as instance:
        old = JOB.execute_in_process(instance=instance).run_id
        instance.event_log_storage.wipe()
        assert not (home / "history" / "runs" / f"{old}.db").exists()
        assert instance.event_log_storage.get_records_for_run(old).records == []
        new = JOB.execute_in_process(instance=instance).run_id
        assert ("DagsterEventType.RUN_SUCCESS", "") in _events(instance.event_log_storage, new)


@shim_only
def test_dagster_yaml_is_kept_current_but_a_users_own_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    first = ensure_dagster_home(tmp_path / "a")
    written = (first / "dagster.yaml").read_text()
    assert written.startswith(MARKER) and str(first / "history" / "runs") in written

    # The warehouse moved: the event log's base_dir follows it.
    moved = tmp_path / "b" / "dagster_home"
    moved.parent.mkdir()
    (first).rename(moved)
    monkeypatch.setenv("DAGSTER_HOME", str(moved))
    ensure_dagster_home(tmp_path / "b")
    assert str(moved / "history" / "runs") in (moved / "dagster.yaml").read_text()

    own = "telemetry:\n  enabled: true\n"
    (moved / "dagster.yaml").write_text(own)
    ensure_dagster_home(tmp_path / "b")
    assert (moved / "dagster.yaml").read_text() == own


def test_a_version_the_shims_were_not_written_for_fails_in_one_line():
    with pytest.raises(compat.CompatError) as refused:
        compat.require("dagster", installed="1.14.0")
    message = str(refused.value)
    assert "\n" not in message
    assert "dagster 1.13.x" in message and "dagster 1.14.0" in message and compat.SWITCH in message
    compat.require("dagster")  # the installed one is the one they were written for


def test_the_switch_takes_on_or_off_only(monkeypatch):
    monkeypatch.setenv(compat.SWITCH, "off")
    assert not compat.enabled()
    assert compat.event_log_storage_yaml(Path("/x")) == ""
    monkeypatch.setenv(compat.SWITCH, "no")
    with pytest.raises(compat.CompatError, match="use on"):
        compat.enabled()
