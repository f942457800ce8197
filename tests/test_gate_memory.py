"""The gates' memory across runs: audit.quality_results, read by the publish step and the
marts_on_raw_change sensor (within a run, Dagster's blocking checks stop what follows a failure)."""

from __future__ import annotations

import duckdb
import pytest

from data_quality.results import CheckOutcome, latest_checking_run, record, standing_failures


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
    assert latest_checking_run(con, "raw.prices") == "run-1"
    record(con, "run-3", [_pass("raw.prices", "key_conflicts")])
    assert standing_failures(con) == []
    assert latest_checking_run(con, "raw.prices") == "run-3"


def test_a_renamed_check_stops_counting_and_warnings_never_stand(con):
    record(con, "run-1", [_fail("marts.triggers", "dbt:old_name"), _fail("raw.prices", "large_move", "warn")])
    assert [c for _, c, _, _ in standing_failures(con)] == ["dbt:old_name"]
    record(con, "run-2", [_pass("marts.triggers", "dbt:new_name")])
    assert standing_failures(con) == []


def test_filtered_by_dataset_and_read_only_without_a_history(tmp_path):
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    with duckdb.connect(str(path), read_only=True) as ro:
        assert standing_failures(ro) == [] and latest_checking_run(ro, "raw.prices") is None
    with duckdb.connect(str(path)) as c:
        record(c, "run-1", [_fail("raw.prices", "key_conflicts"), _fail("raw.rates", "contract_suite")])
    with duckdb.connect(str(path), read_only=True) as ro:
        assert [d for d, _, _, _ in standing_failures(ro, "raw.rates")] == ["raw.rates"]
