"""The `files` source on real file shapes and publishers' own formats (real DuckDB, real files).

Real files are read from ../shared/realdata through the `realdata` fixture (skipped when it
is absent) and copied into tmp_path only; nothing of them enters the repository.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.raw_loader import ContractError, landing_notes, load_dataset
from pipelines.sources.files import FilesSource

TOOLS = Path(__file__).resolve().parents[2] / "shared" / "tools"


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def land(con, folder: Path, dataset: str, tmp_path: Path):
    """Land `folder`/<dataset> through the files source and load it, as the raw asset does."""
    landing = tmp_path / "landing"
    landed = FilesSource(folder).land(dataset, landing, lambda _m: None)
    return load_dataset(con, dataset, landed.files, landing, skipped=landed.skipped)


def put(root: Path, rel: str, content: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content if isinstance(content, bytes) else content.encode())
    return p


def quarantine(con, dataset: str) -> list[tuple]:
    return con.execute(
        f"SELECT _rule, _column, _source_line, _detail FROM quarantine.{dataset} ORDER BY _source_file, _source_line"
    ).fetchall()


# --- 1. real file shapes ---------------------------------------------------------------------------


def test_pandas_index_column_is_an_extra_column_named_by_position(con, tmp_path):
    put(tmp_path / "in", "prices/p.csv", ",symbol,date,close\n0,AAA,2024-01-02,10\n1,AAA,2024-01-03,11\n")
    report = land(con, tmp_path / "in", "prices", tmp_path)
    assert report.rows_loaded == 2
    extra = con.execute("SELECT _extra FROM raw.prices ORDER BY date").fetchall()
    assert [json.loads(e[0]) for e in extra] == [{"column_1": "0"}, {"column_1": "1"}]


def test_duplicate_extra_column_is_renamed_by_position_and_duplicate_contract_column_refused(con, tmp_path):
    put(tmp_path / "in", "prices/p.csv", "symbol,date,close,note,note\nAAA,2024-01-02,10,a,b\n")
    land(con, tmp_path / "in", "prices", tmp_path)
    assert json.loads(con.execute("SELECT _extra FROM raw.prices").fetchone()[0]) == {"note": "a", "note_5": "b"}
    put(tmp_path / "in2", "prices/q.csv", "symbol,date,close,CLOSE\nAAA,2024-01-02,10,11\n")
    with pytest.raises(
        ContractError, match=r"prices/q\.[0-9a-f]{10}\.csv, line 1, column 'CLOSE': column 'CLOSE' appears twice"
    ):
        land(con, tmp_path / "in2", "prices", tmp_path / "w2")


def test_empty_and_header_only_files_load_no_rows_with_a_note_and_the_rest_loads(con, tmp_path):
    put(tmp_path / "in", "prices/empty.csv", "")
    put(tmp_path / "in", "prices/header.csv", "symbol,date,close\n")
    put(tmp_path / "in", "prices/good.csv", "symbol,date,close\nAAA,2024-01-02,10\n")
    report = land(con, tmp_path / "in", "prices", tmp_path)
    assert report.rows_loaded == 1
    notes = dict((re.sub(r"\.[0-9a-f]{10}\.", ".", f), r) for f, r in landing_notes(con, "prices"))
    assert notes == {
        "files/prices/empty.csv": "empty file (0 bytes): no rows",
        "files/prices/header.csv": "contract CSV with a header and no rows",
    }
    assert report.notes == landing_notes(con, "prices")


def test_gzip_csv_is_read_and_other_files_are_reported_not_read(con, tmp_path):
    put(
        tmp_path / "in",
        "rates/r.csv.gz",
        gzip.compress(b"series_id,date,value\nDGS10,2024-01-02,4.0\nDGS10,2024-01-03,x\n"),
    )
    put(tmp_path / "in", "rates/README.md", "about these files")
    put(tmp_path / "in", "rates/.DS_Store", b"\x00\x01")
    put(tmp_path / "in", "rates/book.xlsx", b"PK\x03\x04")
    put(tmp_path / "in", "rates/other.json", '{"a": 1}')
    report = land(con, tmp_path / "in", "rates", tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
    assert quarantine(con, "rates")[0][:3] == ("bad_double", "value", 3)
    reasons = {Path(f).name: r for f, r in landing_notes(con, "rates")}
    assert reasons == {
        ".DS_Store": "hidden file, not read",
        "README.md": "not a .csv, .csv.gz, .parquet or recognized .json file, not read as rates",
        "book.xlsx": "not a .csv, .csv.gz, .parquet or recognized .json file, not read as rates",
        "other.json": "JSON that is not a format rates/ recognizes, not read",
    }


def test_datetimes_with_and_without_zone_are_the_date_written(con, tmp_path):
    put(
        tmp_path / "in",
        "prices/p.csv",
        "symbol,date,close\nAAA,2022-01-03 00:00:00-05:00,1\nAAA,2022-01-04T00:00:00,1\n"
        "AAA,2022-01-05 00:00:00,1\nAAA,2022-01-06 23:30:00+09:00,1\nAAA,2022-01-07 garbage,1\nAAA,01/10/2022,1\n",
    )
    land(con, tmp_path / "in", "prices", tmp_path)
    days = [r[0] for r in con.execute("SELECT date::VARCHAR FROM raw.prices ORDER BY date").fetchall()]
    assert days == ["2022-01-03", "2022-01-04", "2022-01-05", "2022-01-06"]
    assert [(q[0], q[1], q[2]) for q in quarantine(con, "prices")] == [("bad_date", "date", 6), ("bad_date", "date", 7)]


def test_the_string_null_is_blank(con, tmp_path):
    put(tmp_path / "in", "prices/p.csv", "symbol,date,close,open\nAAA,2024-01-02,10,NULL\nAAA,2024-01-03,null,null\n")
    land(con, tmp_path / "in", "prices", tmp_path)
    assert con.execute("SELECT close, open FROM raw.prices").fetchall() == [(10.0, None)]
    assert quarantine(con, "prices")[0][:3] == ("required_missing", "close", 3)


def test_yahoo_fund_history_with_its_null_row(con, tmp_path, realdata):
    shutil.copyfile(realdata / "vanguard-funds" / "NAESX.csv", put(tmp_path / "in", "fund_navs/NAESX.csv", ""))
    lines = (realdata / "vanguard-funds" / "NAESX.csv").read_text().splitlines()
    report = land(con, tmp_path / "in", "fund_navs", tmp_path)
    null_lines = [i for i, ln in enumerate(lines, start=1) if ",null" in ln]
    assert null_lines == [len(lines)]
    assert (report.rows_loaded, report.rows_quarantined) == (len(lines) - 2, 1)
    assert quarantine(con, "fund_navs")[0][:3] == ("required_missing", "nav", len(lines))
    first = con.execute(
        "SELECT fund_id, date::VARCHAR, nav, adj_nav, _source_line FROM raw.fund_navs ORDER BY date LIMIT 1"
    ).fetchone()
    assert first == ("NAESX", "1980-01-02", 11.71, 4.037755, 2)


# --- 2. universe rows that are not members, key conflicts inside one file ----------------------------


def test_placeholder_tickers_and_cvr_rows_are_quarantined(con, tmp_path):
    put(
        tmp_path / "in",
        "universe/u.csv",
        "index_id,symbol,as_of_date,name\n"
        "R2000,ADRO,2025-05-13,CHINOOK THERAPEUTICS INC\nR2000,ADRO,2025-05-13,CHINOOK THERAPEUTICS INC CVR\n"
        "R2000,-,2025-05-13,SCILEX HOLDING Prvt\nR2000,,2025-05-13,X\nR2000,--,2025-05-13,Y\nR2000,N/A,2025-05-13,Z\n"
        "R2000,CVI,2025-05-13,CVR ENERGY INC\nR2000,P5N994,2025-05-13,Petrocorp Inc Escrow\n"
        "R2000,ABC,2025-05-13,ABC CONTINGENT VALUE RIGHT\n",
    )
    report = land(con, tmp_path / "in", "universe", tmp_path)
    assert sorted(con.execute("SELECT symbol, name FROM raw.universe").fetchall()) == [
        ("ADRO", "CHINOOK THERAPEUTICS INC"),
        ("CVI", "CVR ENERGY INC"),
    ]
    got = [(q[0], q[1], q[2]) for q in quarantine(con, "universe")]
    assert got == [
        ("non_equity", "name", 3),
        ("placeholder_ticker", "symbol", 4),
        ("placeholder_ticker", "symbol", 5),
        ("placeholder_ticker", "symbol", 6),
        ("placeholder_ticker", "symbol", 7),
        ("non_equity", "name", 9),
        ("non_equity", "name", 10),
    ]
    details = [q[3] for q in quarantine(con, "universe")]
    assert "contingent value right (CVR)" in details[0] and "escrow" in details[5]
    assert report.rows_quarantined == 7


def test_key_conflict_inside_one_file_quarantines_every_version(con, tmp_path):
    put(
        tmp_path / "in",
        "rates/r.csv",
        "series_id,date,value\nDGS10,2024-01-02,4.0\nDGS10,2024-01-02,4.1\n"
        "DGS10,2024-01-03,4.2\nDGS10,2024-01-03,4.2\nDGS10,2024-01-02,4.0\n",
    )
    report = land(con, tmp_path / "in", "rates", tmp_path)
    assert report.rows_loaded == 2  # the identical repeats of 2024-01-03
    got = quarantine(con, "rates")
    assert [(g[0], g[2]) for g in got] == [
        ("key_conflict_in_file", 2),
        ("key_conflict_in_file", 3),
        ("key_conflict_in_file", 6),
    ]
    assert got[0][3] == "key (series_id, date) = (DGS10, 2024-01-02) has other values on line(s) 3, 6 of this file"


# --- 3. publishers' own formats ----------------------------------------------------------------------


def _holdings(path: Path) -> tuple[int, list[tuple[int, dict]]]:
    """An independent read of a holdings file: (header line, [(line, record)])."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    h = next(i for i, ln in enumerate(lines) if ln.startswith("Ticker,"))
    header = next(csv.reader([lines[h]]))
    out = []
    for j in range(h + 1, len(lines)):
        if not lines[j].replace("\xa0", "").strip():
            break
        out.append((j + 1, dict(zip(header, next(csv.reader([lines[j]])), strict=True))))
    return h + 1, out


def _expected_rule(rec: dict) -> str | None:
    if rec["Asset Class"] != "Equity":
        return "non_equity"
    if not re.search("[A-Za-z]", rec["Ticker"]):
        return "placeholder_ticker"
    name = rec["Name"].upper()
    if re.search(r"\sCVR\b|CONTINGENT VALUE|\bESCROW\b|\bRIGHTS\b|\bPRVT\b", name):
        return "non_equity"
    return None


HOLDINGS = [
    "iwm-holdings/IWM_holdings_2025-05-13.csv",
    "iwm-holdings/IWM_holdings_2025-11-05.csv",
    "iwm-holdings/IWM_holdings_2026-01-21.csv",
    "iwm-holdings/IWM_holdings_2026-04-10.csv",
    "iwm-holdings/IWM_holdings_2026-04-23.csv",
    "iwm-holdings/IWM_holdings_2026-05-05.csv",
    "iwb-holdings/IWB_holdings_2026-07-17.csv",
]


@pytest.mark.parametrize("rel", HOLDINGS, ids=lambda r: Path(r).stem)
def test_ishares_holdings_as_downloaded(con, tmp_path, realdata, rel):
    src = realdata / rel
    shutil.copyfile(src, put(tmp_path / "in", f"universe/{src.name}", ""))
    report = land(con, tmp_path / "in", "universe", tmp_path)
    _, records = _holdings(src)
    expected = [(line, _expected_rule(r)) for line, r in records]
    got = con.execute("SELECT _source_line, _rule FROM quarantine.universe ORDER BY 1").fetchall()
    assert got == [(line, rule) for line, rule in expected if rule], "quarantined lines and rules match the file"
    assert report.rows_loaded == sum(1 for _, rule in expected if rule is None)
    assert {r["Asset Class"] for _, r in records} - {"Equity"}, "every file holds cash or futures lines"
    index_id, as_of = ("R1000", "2026-07-17") if "IWB" in rel else ("R2000", re.search(r"\d{4}-\d{2}-\d{2}", rel)[0])
    assert con.execute("SELECT DISTINCT index_id, as_of_date::VARCHAR FROM raw.universe").fetchall() == [
        (index_id, as_of)
    ]
    line, first = records[0]
    row = con.execute(
        "SELECT symbol, weight, shares_outstanding, _source_line, _extra->>'Asset Class' FROM raw.universe "
        "WHERE _source_line = ?",
        [line],
    ).fetchone()
    assert row == (
        first["Ticker"],
        float(first["Weight (%)"]) / 100,
        float(first["Quantity"].replace(",", "")),
        line,
        "Equity",
    )


def test_ishares_holdings_without_preamble_is_refused(con, tmp_path, realdata):
    shutil.copyfile(
        realdata / "iwm-holdings" / "IWM_holdings_undated_2024.csv", put(tmp_path / "in", "universe/u.csv", "")
    )
    with pytest.raises(
        ContractError, match=r"universe/u\.[0-9a-f]{10}\.csv, line 1, column 'as_of_date': .*no as-of date"
    ):
        land(con, tmp_path / "in", "universe", tmp_path)


def test_ishares_holdings_of_an_unknown_fund_is_refused(con, tmp_path, realdata):
    text = (
        (realdata / "iwb-holdings" / "IWB_holdings_2026-07-17.csv")
        .read_text()
        .replace("iShares Russell 1000 ETF", "iShares Mystery ETF", 1)
    )
    put(tmp_path / "in", "universe/x.csv", text)
    with pytest.raises(ContractError, match=r"line 1, column 'index_id': iShares fund 'iShares Mystery ETF'"):
        land(con, tmp_path / "in", "universe", tmp_path)


def test_fred_download(con, tmp_path, realdata):
    src = realdata / "macro-regime" / "DGS10.csv"
    shutil.copyfile(src, put(tmp_path / "in", "rates/ten_year.csv", ""))
    lines = src.read_text().splitlines()
    report = land(con, tmp_path / "in", "rates", tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (len(lines) - 1, 0)
    blank = sum(1 for ln in lines[1:] if ln.split(",")[1] in ("", "."))
    assert blank > 0
    assert con.execute("SELECT DISTINCT series_id FROM raw.rates").fetchall() == [("DGS10",)]
    assert con.execute("SELECT count(*) FROM raw.rates WHERE value IS NULL").fetchone()[0] == blank
    put(tmp_path / "in2", "rates/old.csv", "DATE,DGS2\n2024-01-01,.\n2024-01-02,4.33\n")
    land(con, tmp_path / "in2", "rates", tmp_path / "w2")
    assert con.execute("SELECT value FROM raw.rates WHERE series_id = 'DGS2' ORDER BY date").fetchall() == [
        (None,),
        (4.33,),
    ]


def test_yfinance_bars_with_zoned_timestamps(con, tmp_path, realdata):
    src = realdata / "yfinance-actions" / "CALM-1d-no-bad-divs.csv"
    shutil.copyfile(src, put(tmp_path / "in", f"prices/{src.name}", ""))
    lines = src.read_text().splitlines()
    report = land(con, tmp_path / "in", "prices", tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (len(lines) - 1, 0)
    first = con.execute(
        "SELECT symbol, date::VARCHAR, close, adj_close, _extra->>'Dividends' FROM raw.prices WHERE _source_line = 2"
    ).fetchone()
    cells = lines[1].split(",")
    assert first == ("CALM", cells[0][:10], float(cells[4]), float(cells[5]), cells[7])


def test_yahoo_and_stooq_bars_take_the_symbol_from_the_file_name(con, tmp_path, realdata):
    shutil.copyfile(realdata / "etf-daily" / "IWM.csv", put(tmp_path / "in", "prices/IWM.csv", ""))
    put(tmp_path / "in", "prices/spy_stooq.csv", "Date,Open,High,Low,Close,Volume\n2024-01-02,470,475,469,472,100\n")
    land(con, tmp_path / "in", "prices", tmp_path)
    counts = dict(con.execute("SELECT symbol, count(*) FROM raw.prices GROUP BY 1").fetchall())
    iwm_rows = len((realdata / "etf-daily" / "IWM.csv").read_text().splitlines()) - 1
    assert counts == {"IWM": iwm_rows, "SPY": 1}


def test_iex_files_take_the_symbol_from_their_name_column(con, tmp_path, realdata):
    src = realdata / "sp500-daily-iex" / "AAL_data.csv"
    shutil.copyfile(src, put(tmp_path / "in", f"prices/{src.name}", ""))
    rows = list(csv.DictReader(io.StringIO(src.read_text())))
    report = land(con, tmp_path / "in", "prices", tmp_path)
    assert report.rows_loaded + report.rows_quarantined == len(rows)
    assert con.execute("SELECT DISTINCT symbol FROM raw.prices").fetchall() == [("AAL",)]
    assert "Name" not in (con.execute("SELECT _extra FROM raw.prices LIMIT 1").fetchone()[0] or "")


def test_name_and_ticker_together_are_ambiguous_for_symbol(con, tmp_path):
    put(tmp_path / "in", "prices/p.csv", "date,close,Name,ticker\n2024-01-02,1,Apple,AAPL\n")
    with pytest.raises(ContractError, match="required column 'symbol' is missing"):
        land(con, tmp_path / "in", "prices", tmp_path)


def _nvda_facts(realdata: Path) -> str:
    cassette = realdata / "sec-xbrl" / "cassettes" / "test_nvda_capex_resolves_to_recent_tag.yaml"
    for interaction in yaml.safe_load(cassette.read_text())["interactions"]:
        if "/api/xbrl/companyfacts/" in interaction["request"]["uri"]:
            return interaction["response"]["body"]["string"]
    raise AssertionError("no companyfacts body in the cassette")


def test_sec_companyfacts_json(con, tmp_path, realdata):
    from pipelines.sources.live.sec_companyfacts import parse_companyfacts

    body = _nvda_facts(realdata)
    put(tmp_path / "in", "earnings/nvda_facts.json", body)
    report = land(con, tmp_path / "in", "earnings", tmp_path)
    expected = parse_companyfacts(body, "NVDA").rows
    assert report.rows_loaded + report.rows_quarantined == len(expected) > 40
    got = con.execute(
        "SELECT symbol, fiscal_period_end, report_date, net_income, _source_line, _extra->>'form' "
        "FROM raw.earnings ORDER BY _source_line LIMIT 1"
    ).fetchone()
    e = expected[0]
    assert got == ("NVDA", e["fiscal_period_end"], e["report_date"], e["net_income"], 1, e["form"])


def test_sec_companyfacts_ticker_from_the_map_beside_it(con, tmp_path, realdata):
    put(tmp_path / "in", "earnings/CIK0001045810.json", _nvda_facts(realdata))
    with pytest.raises(ContractError, match="cannot tell its ticker"):
        land(con, tmp_path / "in", "earnings", tmp_path)
    shutil.copyfile(
        realdata / "sec-xbrl" / "company_tickers.json", put(tmp_path / "in", "earnings/company_tickers.json", "")
    )
    land(con, tmp_path / "in", "earnings", tmp_path / "w2")
    assert con.execute("SELECT DISTINCT symbol FROM raw.earnings").fetchall() == [("NVDA",)]
    assert landing_notes(con, "earnings") == []


def test_ifrs_companyfacts_loads_no_rows_with_a_note(con, tmp_path, realdata):
    shutil.copyfile(realdata / "sec-xbrl" / "lpa_facts.json", put(tmp_path / "in", "earnings/LPA.json", ""))
    report = land(con, tmp_path / "in", "earnings", tmp_path)
    assert report.total_rows == 0
    ((file, reason),) = landing_notes(con, "earnings")
    assert file.startswith("files/earnings/LPA.") and "IFRS" in reason


def test_alpha_vantage_calendar_json_and_csv(con, tmp_path, realdata):
    src = realdata / "estimates-alphavantage" / "earnings_2025-11-07.json"
    shutil.copyfile(src, put(tmp_path / "in", f"estimates/{src.name}", ""))
    doc = json.loads(src.read_text())
    put(
        tmp_path / "in",
        "estimates/calendar_20251201.csv",
        "symbol,name,reportDate,fiscalDateEnding,estimate,currency\n"
        "AAA,A Inc,2025-12-10,2025-10-31,1.5,USD\n"
        "BBB,B Inc,2025-12-11,2025-10-31,,USD\n"
        "CCC,C Inc,2025-12-12,2025-10-31,0,USD\n",
    )
    land(con, tmp_path / "in", "estimates", tmp_path)
    no_est = [i for i, r in enumerate(doc, start=1) if r["estimate"] in (None, "")]
    zero = [i for i, r in enumerate(doc, start=1) if r["estimate"] not in (None, "") and float(r["estimate"]) == 0]
    got = con.execute(
        "SELECT _source_file LIKE '%.json', _rule, list(_source_line ORDER BY _source_line) FROM quarantine.estimates "
        "GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert got == [
        (False, "no_estimate", [3]),
        (False, "placeholder_estimate", [4]),
        (True, "no_estimate", no_est),
        (True, "placeholder_estimate", zero),
    ]
    loaded = dict(con.execute("SELECT as_of_date::VARCHAR, count(*) FROM raw.estimates GROUP BY 1").fetchall())
    assert loaded == {"2025-11-07": len(doc) - len(no_est) - len(zero), "2025-12-01": 1}


def test_alpha_vantage_calendar_without_a_date_in_its_name_is_refused(con, tmp_path):
    put(
        tmp_path / "in",
        "estimates/calendar.csv",
        "symbol,name,reportDate,fiscalDateEnding,estimate,currency\nA,A,2025-12-10,2025-10-31,1,USD\n",
    )
    with pytest.raises(ContractError, match=r"calendar\.[0-9a-f]{10}\.csv, column 'as_of_date': .*file name"):
        land(con, tmp_path / "in", "estimates", tmp_path)


def test_realdata_landing_tool_output_still_loads(con, tmp_path, realdata):
    out = tmp_path / "in"
    subprocess.run([sys.executable, str(TOOLS / "realdata_landing.py"), str(out)], check=True, capture_output=True)
    for dataset in ("prices", "rates", "funds", "fund_navs"):
        report = land(con, out, dataset, tmp_path)
        assert report.rows_loaded > 0 and report.notes == [], dataset
    report = land(con, out, "universe", tmp_path)
    rules = dict(con.execute("SELECT _rule, count(*) FROM quarantine.universe GROUP BY 1").fetchall())
    with open(out / "universe" / "universe.csv", newline="") as f:
        dashes = sum(1 for r in csv.DictReader(f) if r["symbol"] == "-")
    assert dashes > 0 and rules["placeholder_ticker"] == dashes
    assert "key_conflict_in_file" not in rules, "ADRO's CVR line went to quarantine first"
    assert report.rows_loaded > 10000


# --- fund distributions (issue #15, point 2) ----------------------------------------------------

YF_FUND = (
    "Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits,Capital Gains\n"
    "2024-12-17 00:00:00-05:00,20,20,20,20,16,0,0.0,0.0,0.0\n"
    "2024-12-18 00:00:00-05:00,18,18,18,18,17.52,0,2.0,0.0,1.9\n"
    "2024-12-19 00:00:00-05:00,18.2,18.2,18.2,18.2,17.71,0,0.0,0.0,0.0\n"
    "2025-03-14 00:00:00-04:00,19,19,19,19,18.6,0,0.15,0.0,0.0\n"
    "2025-06-13 00:00:00-04:00,19,19,19,19,18.6,0,abc,0.0,0.0\n"
)


def test_yfinance_fund_bars_in_fund_navs_yield_their_distributions(con, tmp_path):
    """A fund_navs/ file with Dividends and Capital Gains gives NAVs and, landed again as
    fund_distributions, one row per non-zero amount and kind: Yahoo's Dividends holds the whole
    distribution (2.0), so the income dividend is 2.0 - 1.9; a bad amount is quarantined alone."""
    put(tmp_path / "in", "fund_navs/FUNDX-1d.csv", YF_FUND)
    navs = land(con, tmp_path / "in", "fund_navs", tmp_path)
    assert (navs.rows_loaded, navs.rows_quarantined) == (5, 0)
    report = land(con, tmp_path / "in", "fund_distributions", tmp_path)
    assert (report.rows_loaded, report.rows_quarantined) == (3, 1)
    rows = con.execute(
        "SELECT fund_id, ex_date::VARCHAR, kind, amount, _source_line, _source_file "
        "FROM raw.fund_distributions ORDER BY ex_date, kind"
    ).fetchall()
    assert [r[:5] for r in rows] == [
        ("FUNDX", "2024-12-18", "capital_gain", 1.9, 3),
        ("FUNDX", "2024-12-18", "dividend", 0.1, 3),
        ("FUNDX", "2025-03-14", "dividend", 0.15, 5),
    ]
    assert rows[0][5].startswith("files/fund_distributions/from_fund_navs/FUNDX-1d.")
    assert quarantine(con, "fund_distributions") == [("bad_double", "amount", 6, "value abc is not a valid DOUBLE")]


def test_yfinance_bars_in_fund_distributions_and_a_contract_file_together(con, tmp_path):
    put(tmp_path / "in", "fund_distributions/FUNDX_history.csv", YF_FUND)
    put(tmp_path / "in", "fund_distributions/other.csv", "fund_id,ex_date,amount,kind\nFUNDY,2024-12-18,0.5,dividend\n")
    report = land(con, tmp_path / "in", "fund_distributions", tmp_path)
    assert report.rows_loaded == 4
    assert con.execute("SELECT DISTINCT fund_id FROM raw.fund_distributions ORDER BY 1").fetchall() == [
        ("FUNDX",),
        ("FUNDY",),
    ]


def test_bars_without_distribution_columns_give_no_distributions(con, tmp_path):
    put(
        tmp_path / "in",
        "fund_navs/FUNDX.csv",
        "Date,Open,High,Low,Close,Adj Close,Volume\n2024-12-17,20,20,20,20,16,0\n",
    )
    landed = FilesSource(tmp_path / "in").land("fund_distributions", tmp_path / "landing", lambda _m: None)
    assert landed.files == [] and "no fund_distributions/ folder" in landed.note


def test_yfinance_fund_files_with_double_counted_capital_gains(con, tmp_path, realdata):
    """The real DODFX, JENYX, VWILX downloads: every non-zero Dividends / Capital Gains becomes a
    distribution; the income part of a day with a capital gain is Dividends - Capital Gains."""
    import pandas as pd

    for src in sorted((realdata / "fund-distributions").glob("*.csv")):
        shutil.copyfile(src, put(tmp_path / "in", f"fund_navs/{src.name}", ""))
    land(con, tmp_path / "in", "fund_distributions", tmp_path)
    assert quarantine(con, "fund_distributions") == []
    for src in sorted((realdata / "fund-distributions").glob("*.csv")):
        fund = src.name.split("-")[0]
        bars = pd.read_csv(src)
        events = bars[(bars["Dividends"] > 0) | (bars["Capital Gains"] > 0)]
        got = dict(
            ((d, k), a)
            for d, k, a in con.execute(
                "SELECT ex_date::VARCHAR, kind, amount FROM raw.fund_distributions WHERE fund_id = ?", [fund]
            ).fetchall()
        )
        total = {}
        for (d, _k), a in got.items():
            total[d] = total.get(d, 0) + a
        assert set(total) == set(events["Date"].str[:10]), fund
        for day, dividends, gains in zip(
            events["Date"].str[:10], events["Dividends"], events["Capital Gains"], strict=True
        ):
            assert total[day] == pytest.approx(dividends), (fund, day)  # Dividends is the whole payout
            assert got.get((day, "capital_gain"), 0.0) == pytest.approx(gains), (fund, day)
    jenyx = con.execute(
        "SELECT kind, amount FROM raw.fund_distributions WHERE fund_id = 'JENYX' "
        "AND ex_date = '2024-11-13' ORDER BY kind"
    ).fetchall()
    assert jenyx == [("capital_gain", 6.766), ("dividend", pytest.approx(0.161))]
