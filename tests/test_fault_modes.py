"""Every fault mode of the sample market gets the outcome the quality policy promises it.

A small generated market with one planted fault lands through the real loader and the gates
run as the pipeline runs them (real DuckDB, the GX suite included): a block mode stops at
the named check, a quarantine mode puts the rows in quarantine with the named rule and
blocks nothing, a flag mode writes the named flag and blocks nothing. Whole-run proofs that
a block leaves serving.duckdb unchanged are in test_policy_runs.py and test_publish.py.
"""

from __future__ import annotations

import duckdb
import pytest

from data_quality import gate_scope
from data_quality.results import record
from data_quality.thresholds import Thresholds
from pipelines.config import Settings
from pipelines.raw_gates import plan_scope, run_raw_gates, run_raw_suite
from pipelines.sources.sample.faults import FAULTS, apply_fault
from pipelines.sources.sample.generator import SampleParams, generate_market
from tests.helpers.landing import Landing

PARAMS = SampleParams(n_small=30, n_large=10, years=2.5, seed=7)
SETTINGS = Settings(source="files")
ROLES = (SETTINGS.small_symbol, SETTINGS.large_symbol)


@pytest.fixture(scope="module")
def market():
    return generate_market(PARAMS).tables


def land_all(wh: Landing, tables) -> None:
    for name, frame in tables.items():
        wh.land(name, f"{name}.csv", frame.to_csv(index=False, date_format="%Y-%m-%d"))


def gate(wh: Landing, dataset: str, run_id: str) -> dict[str, object]:
    t = Thresholds()
    with duckdb.connect(str(wh.db)) as con:
        scope = plan_scope(con, dataset, SETTINGS, t)
        outcomes = run_raw_gates(con, dataset, SETTINGS, t, scope, run_id)
    outcomes.append(run_raw_suite(wh.db, dataset, t, scope))
    with duckdb.connect(str(wh.db)) as con:
        record(con, run_id, outcomes)
        if not any(o.blocks for o in outcomes):
            gate_scope.mark_validated(con, scope, run_id)
    return {o.check_name: o for o in outcomes}


@pytest.mark.parametrize("mode", sorted(FAULTS))
def test_fault_mode_outcome(mode, market, tmp_path):
    fault = FAULTS[mode]
    wh = Landing(tmp_path)
    if fault.check == "row_count_vs_previous":
        land_all(wh, market)
        assert not any(o.blocks for o in gate(wh, fault.dataset, "good").values())
    land_all(wh, apply_fault(market, mode, ROLES))
    out = gate(wh, fault.dataset, "faulty")
    blocked = {name for name, o in out.items() if o.blocks}
    with duckdb.connect(str(wh.db)) as con:
        quarantined = {r[0] for r in con.execute(f"SELECT DISTINCT _rule FROM quarantine.{fault.dataset}").fetchall()}
        flagged = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT rule FROM audit.series_flags WHERE dataset = ?", [fault.dataset]
            ).fetchall()
        }
    if fault.action == "block":
        assert fault.check in blocked, {k: out[k].detail for k in blocked} or "nothing blocked"
    else:
        assert blocked == set(), {k: out[k].detail for k in blocked}
        assert fault.check in (quarantined if fault.action == "quarantine" else flagged), (quarantined, flagged)


def test_the_clean_market_blocks_nothing_and_flags_nothing(market, tmp_path):
    wh = Landing(tmp_path)
    land_all(wh, market)
    for dataset in market:
        out = gate(wh, dataset, "clean")
        assert not any(o.blocks for o in out.values()), (dataset, [o.detail for o in out.values() if o.blocks])
    with duckdb.connect(str(wh.db)) as con:
        assert con.execute("SELECT count(*) FROM audit.series_flags").fetchone()[0] == 0
