"""Every malformed input of the corpus gets its documented outcome (loader and gates, real DuckDB)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from data_quality.thresholds import Thresholds
from pipelines.config import Settings
from pipelines.datasets import DATASETS
from pipelines.raw_gates import run_raw_gates, run_raw_suite
from pipelines.raw_loader import ContractError, ensure_tables, landing_notes, load_dataset
from tests.bad_inputs.corpus import CASES, Case

SETTINGS = Settings(source="files", small_symbol="IWM", large_symbol="SPY")


def _land(root: Path, dataset: str, name: str, content: bytes | str) -> Path:
    p = root / dataset / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return p


def _gates(con, db: Path, dataset: str) -> dict[str, bool]:
    outcomes = run_raw_gates(con, dataset, SETTINGS, Thresholds())
    con.execute("CHECKPOINT")
    # A case is one file of one dataset, without the benchmark series: roles_present is
    # judged by the whole-run tests (test_policy_runs.py), not here.
    return {o.check_name: o.passed for o in outcomes if o.severity == "error" and o.check_name != "roles_present"}


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25 and len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_outcome(case: Case, tmp_path):
    db = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(db))
    try:
        for d in DATASETS.values():
            ensure_tables(con, d)
        for other, text in case.context.items():
            load_dataset(con, other, [_land(tmp_path, other, "ctx.csv", text)], tmp_path)
        path = _land(tmp_path, case.dataset, "bad.csv", case.content)
        kind = case.outcome[0]
        if kind == "error":
            with pytest.raises(ContractError) as err:
                load_dataset(con, case.dataset, [path], tmp_path, max_file_mb=case.max_file_mb)
            assert re.search(case.outcome[1], str(err.value), flags=re.IGNORECASE), str(err.value)
            assert str(path) in str(err.value), "the error names the file"
            assert con.execute(f"SELECT count(*) FROM raw.{case.dataset}").fetchone()[0] == 0
            return
        report = load_dataset(con, case.dataset, [path], tmp_path, max_file_mb=case.max_file_mb)
        if kind == "quarantine":
            _, rule, column, line = case.outcome
            lines = line if isinstance(line, tuple) else (line,)
            got = con.execute(
                f"SELECT _rule, _column, _source_line, _source_file FROM quarantine.{case.dataset} "
                "ORDER BY _source_line"
            ).fetchall()
            assert got == [(rule, column, n, f"{case.dataset}/bad.csv") for n in lines]
            assert report.rows_quarantined == len(lines)
            return
        if kind == "note":
            assert report.rows_loaded == report.rows_quarantined == report.total_rows == 0
            notes = landing_notes(con, case.dataset)
            assert [f for f, _ in notes] == [f"{case.dataset}/bad.csv"], notes
            assert re.search(case.outcome[1], notes[0][1]), notes
            return
        gates = _gates(con, db, case.dataset)
        if kind == "spike":
            _, rule, column, line = case.outcome
            got = con.execute(
                f"SELECT _rule, _column, _source_line, _source_file FROM quarantine.{case.dataset}"
            ).fetchall()
            assert got == [(rule, column, line, f"{case.dataset}/bad.csv")]
            assert all(gates.values()), {k: v for k, v in gates.items() if not v}
            return
        if kind == "flag":
            flags = con.execute("SELECT series, rule FROM audit.series_flags").fetchall()
            assert flags == [("AAA", case.outcome[1])], flags
            assert all(gates.values()), {k: v for k, v in gates.items() if not v}
            return
        if kind == "gate":
            if case.outcome[1] == "contract_suite":
                con.close()
                assert not run_raw_suite(db, case.dataset, Thresholds()).passed
            else:
                assert gates[case.outcome[1]] is False, gates
            return
        assert kind == "accepted"
        assert report.rows_quarantined == 0 and report.total_rows == case.outcome[1]
        assert all(gates.values()), {k: v for k, v in gates.items() if not v}
    finally:
        con.close()


def test_sql_in_a_symbol_is_stored_as_data(tmp_path):
    con = duckdb.connect()
    case = next(c for c in CASES if c.name == "sql_in_symbol")
    load_dataset(con, "prices", [_land(tmp_path, "prices", "x.csv", case.content)], tmp_path)
    assert con.execute("SELECT symbol FROM raw.prices").fetchone()[0] == "'; DROP TABLE raw.prices; --"
