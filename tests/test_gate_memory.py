"""The gates' memory across runs: audit.quality_results, read by the publish step and the
marts_on_raw_change sensor (within a run, Dagster's blocking checks stop what follows a failure)."""

from __future__ import annotations

import duckdb
import pytest

from data_quality.results import CheckOutcome, latest_gating_run, record, standing_failures


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as c:
        yield c


def _fail(dataset: str, check: str, severity: str = "error") -> CheckOutcome:
    return CheckOutcome(dataset, check, False, severity, 1, f"{check} failed")


def _pass(dataset: str, check: str) -> CheckOutcome:
    return CheckOutcome(dataset, check, True, "error", 0, "none")


def test_a_failure_stands_until_a_later_run_checks_the_dataset_again(con):
    record(con, "run-1", [_fail("raw.prices", "key_conflicts"), _pass("raw.rates", "contract_suite")])
    assert [(d, c, r) for d, c, _, r in standing_failures(con)] == [("raw.prices", "key_conflicts", "run-1")]
    record(con, "run-2", [_pass("raw.rates", "contract_suite")])  # prices not checked: still standing
    assert [c for _, c, _, _ in standing_failures(con)] == ["key_conflicts"]
    assert latest_gating_run(con, "raw.prices") == "run-1"
    # A run that ran only a warning on prices (a freshness check started alone) judged less:
    # the failure still stands, and that run is not the one that gated the data.
    record(con, "run-2b", [_fail("raw.prices", "latest_trading_day", "warn")])
    assert [c for _, c, _, _ in standing_failures(con)] == ["key_conflicts"]
    assert latest_gating_run(con, "raw.prices") == "run-1"
    record(con, "run-3", [_pass("raw.prices", "key_conflicts")])
    assert standing_failures(con) == []
    assert latest_gating_run(con, "raw.prices") == "run-3"


def test_a_renamed_check_stops_counting_and_warnings_never_stand(con):
    record(con, "run-1", [_fail("marts.triggers", "dbt:old_name"), _fail("raw.prices", "large_move", "warn")])
    assert [c for _, c, _, _ in standing_failures(con)] == ["dbt:old_name"]
    record(con, "run-2", [_pass("marts.triggers", "dbt:new_name")])
    assert standing_failures(con) == []


def test_filtered_by_dataset_and_read_only_without_a_history(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    with duckdb.connect(str(path), read_only=True) as ro:
        assert standing_failures(ro) == [] and latest_gating_run(ro, "raw.prices") is None
    with duckdb.connect(str(path)) as c:
        record(c, "run-1", [_fail("raw.prices", "key_conflicts"), _fail("raw.rates", "contract_suite")])
    with duckdb.connect(str(path), read_only=True) as ro:
        assert [d for d, _, _, _ in standing_failures(ro, "raw.rates")] == ["raw.rates"]


def test_the_sensor_builds_only_on_raw_data_whose_loading_run_passed_its_gates(tmp_path):
    """marts_on_raw_change, evaluated against a real instance and warehouse file."""
    import dagster as dg

    from pipelines.automation import RAW_GATED, marts_on_raw_change
    from pipelines.config import load_settings
    from pipelines.resources import WarehouseResource

    warehouse = WarehouseResource.from_settings(load_settings({"WAREHOUSE_DIR": str(tmp_path)}))
    with dg.DagsterInstance.ephemeral() as instance:
        for key in RAW_GATED:
            instance.report_runless_asset_event(dg.AssetMaterialization(key, metadata={"rows_loaded_this_run": 5}))
        loading_run = instance.fetch_materializations(RAW_GATED[0], limit=1).records[0].run_id

        def decide():
            with dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse}) as context:
                return marts_on_raw_change(context)

        assert "cannot read the warehouse now" in decide().skip_message, "no warehouse file yet"
        with warehouse.connect():
            pass
        assert "not passed its gates" in decide().skip_message, "no gate has run on this data yet"
        with warehouse.connect() as con:
            record(con, loading_run, [_pass(".".join(k.path), "contract_suite") for k in RAW_GATED])
            record(con, loading_run, [_fail("raw.prices", "key_conflicts")])
        decision = decide()
        assert "raw/prices: key_conflicts" in decision.skip_message
        with warehouse.connect() as con:
            record(con, loading_run, [_pass("raw.prices", "key_conflicts")])
            assert "cannot read the warehouse now" in decide().skip_message, "a run holds the file: decided later"
        assert isinstance(decide(), dg.RunRequest)
