"""The raw loader against real files and a real DuckDB database."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.raw_loader import ContractError, load_dataset


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def write(root: Path, rel: str, content: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return p


def test_good_rows_load_and_bad_rows_are_quarantined_with_file_line_and_column(con, tmp_path):
    f = write(
        tmp_path,
        "prices/a.csv",
        "Symbol,DATE,close,vendor_code\nAAA,2024-01-02,10.5,x1\nAAA,2024-01-03,abc,x2\nBBB,2024-01-02,-3,x3\n",
    )
    report = load_dataset(con, "prices", [f], tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 2)
    row = con.execute(
        "SELECT symbol, date::VARCHAR, close, _source_file, _source_line, _extra FROM raw.prices"
    ).fetchone()
    assert row[:5] == ("AAA", "2024-01-02", 10.5, "prices/a.csv", 2)
    assert json.loads(row[5]) == {"vendor_code": "x1"}, "extra columns are kept as received"
    bad = con.execute(
        "SELECT _source_line, _column, _rule, _detail, close FROM quarantine.prices ORDER BY 1"
    ).fetchall()
    assert bad[0] == (3, "close", "bad_double", "value abc is not a valid DOUBLE", "abc")
    assert bad[1][:3] == (4, "row", "close_positive") and bad[1][4] == "-3"


def test_reload_is_idempotent_and_follows_the_current_files(con, tmp_path):
    a = write(tmp_path, "rates/a.csv", "series_id,date,value\nDGS10,2024-01-02,4.0\nDGS10,2024-01-03,4.1\n")
    b = write(tmp_path, "rates/b.csv", "series_id,date,value\nDGS2,2024-01-02,4.3\n")
    first = load_dataset(con, "rates", [a, b], tmp_path)
    again = load_dataset(con, "rates", [a, b], tmp_path)
    assert first.total_rows == again.total_rows == 3
    assert again.files_loaded == [] and sorted(again.files_unchanged) == ["rates/a.csv", "rates/b.csv"]
    write(tmp_path, "rates/a.csv", "series_id,date,value\nDGS10,2024-01-02,4.0\n")
    changed = load_dataset(con, "rates", [a], tmp_path)
    assert changed.files_loaded == ["rates/a.csv"] and changed.files_removed == ["rates/b.csv"]
    assert con.execute("SELECT count(*) FROM raw.rates").fetchone()[0] == 1


def test_blank_rate_is_a_holiday_not_a_zero(con, tmp_path):
    f = write(tmp_path, "rates/r.csv", "series_id,date,value\nDGS10,2024-01-01,\nDGS10,2024-01-02,3.9\n")
    report = load_dataset(con, "rates", [f], tmp_path)
    assert report.rows_quarantined == 0
    assert con.execute("SELECT value FROM raw.rates ORDER BY date").fetchall() == [(None,), (3.9,)]


def test_parquet_files_load_like_csv(con, tmp_path):
    p = tmp_path / "funds" / "f.parquet"
    p.parent.mkdir()
    pd.DataFrame({"FUND_ID": ["F1", "F2"], "name": ["One", "Two"]}).to_parquet(p)
    report = load_dataset(con, "funds", [p], tmp_path)
    assert report.rows_loaded == 2
    assert con.execute("SELECT fund_id, _source_line FROM raw.funds ORDER BY 1").fetchall() == [("F1", 1), ("F2", 2)]


def test_parquet_bad_rows_are_quarantined_as_received_with_their_row_number(con, tmp_path):
    p = tmp_path / "prices" / "p.parquet"
    p.parent.mkdir()
    pd.DataFrame(
        {
            "symbol": ["AAA", "AAA", "BBB", "BBB"],
            "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-02", "2024-01-03"]),
            "close": [10.0, -2.5, 20.0, 0.0],
        }
    ).to_parquet(p)
    report = load_dataset(con, "prices", [p], tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 2)
    assert con.execute("SELECT symbol, close, _source_line FROM raw.prices ORDER BY 3").fetchall() == [
        ("AAA", 10.0, 1),
        ("BBB", 20.0, 3),
    ]
    bad = con.execute(
        "SELECT _source_line, symbol, date, close, _rule, _source_file FROM quarantine.prices ORDER BY 1"
    ).fetchall()
    assert [b[:4] for b in bad] == [(2, "AAA", "2024-01-03 00:00:00", "-2.5"), (4, "BBB", "2024-01-03 00:00:00", "0.0")]
    assert {b[4] for b in bad} == {"close_positive"} and {b[5] for b in bad} == {"prices/p.parquet"}


def test_a_broken_file_writes_nothing_of_the_dataset(con, tmp_path):
    good = write(tmp_path, "funds/a.csv", "fund_id,name\nF1,One\n")
    broken = write(tmp_path, "funds/b.csv", "fund_id\nF2\n")
    with pytest.raises(ContractError, match=r"funds/b.csv, line 1, column 'name': required column 'name' is missing"):
        load_dataset(con, "funds", [good, broken], tmp_path)
    assert con.execute("SELECT count(*) FROM raw.funds").fetchone()[0] == 0


def test_fund_distributions_contract_file_with_symbol_for_fund_id_and_bad_rows(con, tmp_path):
    f = write(
        tmp_path,
        "fund_distributions/d.csv",
        "symbol,ex_date,amount,kind,pay_date\n"
        "naesx,2024-12-18,0.95,Dividend,2024-12-20\n"
        "NAESX,2024-12-18,1.20,capital_gain,\n"
        "NAESX,2023-12-18,1.10,return_of_capital,\n"
        "NAESX,2022-12-18,-0.5,dividend,\n"
        "NAESX,2021-12-18,0.4,dividend,2021-12-01\n",
    )
    report = load_dataset(con, "fund_distributions", [f], tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 3)
    assert con.execute(
        "SELECT fund_id, ex_date::VARCHAR, amount, kind, pay_date::VARCHAR FROM raw.fund_distributions "
        "ORDER BY _source_line"
    ).fetchall() == [
        ("naesx", "2024-12-18", 0.95, "Dividend", "2024-12-20"),
        ("NAESX", "2024-12-18", 1.2, "capital_gain", None),
    ]
    assert con.execute("SELECT _source_line, _rule FROM quarantine.fund_distributions ORDER BY 1").fetchall() == [
        (4, "kind_unknown"),
        (5, "amount_positive"),
        (6, "pay_before_ex_date"),
    ]


def test_a_file_without_distributions_loads_fund_navs_as_before(con, tmp_path):
    f = write(tmp_path, "fund_navs/n.csv", "fund_id,date,nav,adj_nav\nNAESX,2024-01-02,100,90\n")
    report = load_dataset(con, "fund_navs", [f], tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 0)
    assert load_dataset(con, "fund_distributions", [], tmp_path).total_rows == 0


def test_a_warehouse_made_before_a_column_joined_the_contract_gains_it(con, tmp_path):
    """`shares_as_of`, `eps_basis_date` and `issuer_id` joined the earnings contract after
    warehouses had loaded files carrying them as extra columns: the raw table gains the
    columns, the values kept in `_extra` move into them, and new files load by name."""
    old = write(
        tmp_path,
        "earnings/old.csv",
        "symbol,fiscal_period_end,report_date,net_income,shares_outstanding,shares_as_of,cik\n"
        "AAA,2024-03-31,2024-05-01,10,100,2024-04-20,0000000001\n",
    )
    new = ["shares_as_of", "eps_basis_date", "issuer_id"]
    load_dataset(con, "earnings", [old], tmp_path)
    # Turn the table into what an older release created: the contract without the new columns.
    for name in new:
        con.execute(f"ALTER TABLE raw.earnings DROP COLUMN {name}")
        con.execute(f"ALTER TABLE quarantine.earnings DROP COLUMN {name}")
    con.execute("""UPDATE raw.earnings SET _extra = '{"shares_as_of": "2024-04-20", "cik": "0000000001"}'""")
    later = write(
        tmp_path,
        "earnings/later.csv",
        "symbol,fiscal_period_end,report_date,net_income,shares_as_of,issuer_id\n"
        "BBB,2024-03-31,2024-05-02,7,2024-04-25,0000000002\n"
        "BBB,2024-06-30,2024-08-02,oops,2024-07-25,0000000002\n",
    )
    report = load_dataset(con, "earnings", [old, later], tmp_path)
    assert report.rows_quarantined == 1
    rows = con.execute("SELECT symbol, shares_as_of::VARCHAR, issuer_id FROM raw.earnings ORDER BY symbol").fetchall()
    assert rows == [("AAA", "2024-04-20", None), ("BBB", "2024-04-25", "0000000002")]
    bad = con.execute("SELECT _column, shares_as_of, issuer_id FROM quarantine.earnings").fetchall()
    assert bad == [("net_income", "2024-07-25", "0000000002")]
