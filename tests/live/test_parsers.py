"""Each service's parser on real responses from ../shared/realdata: exact values for chosen rows."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pipelines.sources.live.fred import FredFormatError, parse_fredgraph_csv, parse_observations_json
from pipelines.sources.live.ishares import HoldingsFormatError, month_ends, parse_holdings
from pipelines.sources.live.prices import NoData, parse_daily_csv, parse_yahoo_chart, provider_symbol
from pipelines.sources.live.sec_companyfacts import parse_companyfacts, quarterly_versions
from pipelines.sources.live.sec_mna import events, parse_form_index, parse_submissions_8k
from pipelines.sources.live.sec_tickers import parse_ticker_map, ticker_key
from tests.live import public_services

# --- FRED ---------------------------------------------------------------------------------


def test_fred_csv_values_and_holidays(realdata):
    rows = dict(parse_fredgraph_csv((realdata / "macro-regime/DGS10.csv").read_text(), "DGS10"))
    assert rows[date(1999, 1, 4)] == 4.69
    assert rows[date(2025, 9, 25)] == 4.18
    # Blank is a holiday (Martin Luther King Day 1999): kept as missing, never 0.
    assert date(1999, 1, 18) in rows and rows[date(1999, 1, 18)] is None


def test_fred_csv_old_header_and_dot_for_missing():
    rows = parse_fredgraph_csv("DATE,DFF\n2021-08-06,0.10\n2021-08-07,.\n", "DFF")
    assert rows == [(date(2021, 8, 6), 0.10), (date(2021, 8, 7), None)]


def test_fred_csv_refuses_another_series_or_a_page(realdata):
    with pytest.raises(FredFormatError, match="holds series 'DGS2'"):
        parse_fredgraph_csv((realdata / "macro-regime/DGS2.csv").read_text(), "DGS10")
    with pytest.raises(FredFormatError, match="expected a header"):
        parse_fredgraph_csv("<html><body>Service unavailable</body></html>", "DGS10")


def test_fred_api_json_marks_missing_with_a_dot(realdata):
    doc = {
        "observations": [
            {"realtime_start": "2026-05-05", "realtime_end": "2026-05-05", "date": d, "value": v or "."}
            for d, v in public_services.fred_rows(realdata, "DFEDTARU")[:3]
        ]
    }
    doc["observations"].append(
        {"realtime_start": "2026-05-05", "realtime_end": "2026-05-05", "date": "2008-12-25", "value": "."}
    )
    rows = parse_observations_json(json.dumps(doc), "DFEDTARU")
    assert rows[0] == (date(2008, 12, 16), 0.25)
    assert rows[-1] == (date(2008, 12, 25), None)


# --- iShares holdings ----------------------------------------------------------------------


def test_ishares_holdings_preamble_numbers_and_footer(realdata):
    h = parse_holdings((realdata / "iwm-holdings/IWM_holdings_2026-05-05.csv").read_text(encoding="utf-8-sig"))
    assert h.fund_name == "iShares Russell 2000 ETF"
    assert h.as_of == date(2026, 5, 5)
    by = {r["symbol"]: r for r in h.rows}
    # 1,924 equity lines: three without a ticker, and ADRO held through two lines (share and CVR).
    assert len(h.rows) == 1920
    be = by["BE"]
    assert (be["name"], be["sector"]) == ("BLOOM ENERGY CLASS A CORP", "Industrials")
    assert be["weight"] == pytest.approx(0.0193)
    assert be["shares_outstanding"] == 5_190_838.0
    assert be["market_value"] == 1_532_594_919.50
    assert by["ADRO"]["shares_outstanding"] == 1_316_575.0 + 272_339.0
    # Cash, futures and money-market lines are not members.
    assert not {"USD", "CAD", "RTYM6"} & set(by)


def test_ishares_refuses_a_page_that_is_not_holdings():
    with pytest.raises(HoldingsFormatError):
        parse_holdings("<!DOCTYPE html><html>Access denied</html>")


def test_ishares_refuses_a_row_narrower_than_the_header():
    text = (
        'iShares Russell 2000 ETF\nFund Holdings as of,"May 05, 2026"\n\n'
        "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Quantity\n"
        '"AAA","A INC","Industrials","Equity","1,000.00","0.50","100"\n'
        '"BBB","B INC","Industrials","Equity"\n'
    )
    with pytest.raises(HoldingsFormatError, match="line 6: a holdings row has 4 fields, the header 7"):
        parse_holdings(text)


def test_month_ends_are_last_weekdays():
    assert month_ends(date(2025, 4, 1), date(2025, 6, 30)) == [date(2025, 4, 30), date(2025, 5, 30), date(2025, 6, 30)]


# --- SEC companyfacts ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def snow(realdata):
    return parse_companyfacts((realdata / "sec-xbrl/snow_facts.json").read_text(), "SNOW")


def _row(result, end: str, filed: str | None = None) -> dict:
    rows = [r for r in result.rows if r["fiscal_period_end"] == date.fromisoformat(end)]
    return rows[0] if filed is None else next(r for r in rows if r["report_date"] == date.fromisoformat(filed))


def test_fourth_quarter_is_the_year_minus_nine_months(snow):
    # FY ending 2025-01-31 (10-K filed 2025-03-21): -1,285,640,000 for the year, -958,166,000 for nine months.
    q4 = _row(snow, "2025-01-31")
    assert q4["net_income"] == -1_285_640_000 - -958_166_000 == -327_474_000
    assert (q4["report_date"], q4["form"], q4["net_income_derived"]) == (date(2025, 3, 21), "10-K", True)
    assert q4["fiscal_period_start"] == date(2024, 11, 1)
    assert q4["revenue"] == 3_626_396_000 - 2_639_626_000
    assert q4["eps_diluted"] == pytest.approx(-3.86 - -2.88)
    assert q4["shares_outstanding"] == 334_100_000  # cover page of that 10-K


def test_reported_quarter_keeps_its_filing(snow):
    q3 = _row(snow, "2024-10-31")
    assert (q3["net_income"], q3["eps_diluted"], q3["revenue"]) == (-324_279_000, -0.98, 942_094_000)
    assert (q3["report_date"], q3["form"], q3["net_income_derived"]) == (date(2024, 11, 27), "10-Q", False)
    assert q3["cik"] == "0001640147"


def test_period_comes_from_dates_not_the_fiscal_period_label(snow):
    # This 10-Q row is labelled fp "FY"; its dates say it is the quarter ending 2022-04-30.
    q1 = _row(snow, "2022-04-30")
    assert (q1["net_income"], q1["report_date"], q1["form"]) == (-165_794_000, date(2022, 6, 3), "10-Q")


def test_comparatives_in_later_filings_add_no_rows(snow):
    # Q1 FY2025 reappears unchanged in the 10-Q filed a year later: one row, the first filing.
    assert [r["report_date"] for r in snow.rows if r["fiscal_period_end"] == date(2024, 4, 30)] == [date(2024, 5, 31)]
    ends = [(r["fiscal_period_end"], r["report_date"]) for r in snow.rows]
    assert len(ends) == len(set(ends))


def _fact(start, end, val, filed, form, accn):
    return {"start": start, "end": end, "val": val, "filed": filed, "form": form, "accn": accn}


def test_restatement_adds_a_row_and_amendments_are_kept():
    facts = [
        _fact("2024-01-01", "2024-03-31", 100, "2024-05-01", "10-Q", "a1"),
        _fact("2024-04-01", "2024-06-30", 100, "2024-08-01", "10-Q", "a2"),
        _fact("2024-04-01", "2024-06-30", 90, "2024-09-15", "10-Q/A", "a3"),  # restated
        _fact("2024-07-01", "2024-09-30", 90, "2024-11-01", "10-Q", "a4"),
        _fact("2024-01-01", "2024-12-31", 400, "2025-02-20", "10-K", "a5"),
        _fact("2024-01-01", "2024-12-31", 400, "2025-04-01", "10-K/A", "a6"),  # amended, same value
    ]
    v = quarterly_versions(facts)
    assert [(q.filed, q.value, q.form) for q in v[date(2024, 6, 30)]] == [
        (date(2024, 8, 1), 100, "10-Q"),
        (date(2024, 9, 15), 90, "10-Q/A"),
    ]
    # No nine-month row: the fourth quarter is the year minus the three quarters as restated.
    assert [(q.filed, q.value, q.form, q.derived) for q in v[date(2024, 12, 31)]] == [
        (date(2025, 2, 20), 400 - 100 - 90 - 90, "10-K", True),
        (date(2025, 4, 1), 120, "10-K/A", True),
    ]


def test_ifrs_filer_is_not_covered_not_zero(realdata):
    lpa = parse_companyfacts((realdata / "sec-xbrl/lpa_facts.json").read_text(), "LPA")
    assert (lpa.covered, lpa.rows, lpa.cik) == (False, [], 1997711)
    assert "IFRS" in lpa.reason


# --- SEC ticker map -------------------------------------------------------------------------


def test_ticker_map(realdata):
    m = parse_ticker_map((realdata / "sec-xbrl/company_tickers.json").read_text())
    assert m["SNOW"].cik == 1640147 and m["LPA"].cik == 1997711
    assert m[ticker_key("MSFT")].title == "MICROSOFT CORP"
    # iShares writes BRKB; SEC spells it BRK-B.
    assert m[ticker_key("BRKB")].ticker == "BRK-B"
    assert provider_symbol("yahoo", "BRKB", m) == "BRK-B"
    assert provider_symbol("stooq", "BRKB", m) == "brk-b.us"
    assert provider_symbol("stooq", "^RUT", m) == "^rut"


# --- Prices -----------------------------------------------------------------------------------


def test_yfinance_csv(realdata):
    iwm = parse_daily_csv((realdata / "etf-daily/IWM.csv").read_text())
    bar = iwm.bars[date(2026, 8, 21)]
    assert bar["close"] == 299.9599914550781 and bar["open"] == 299.8500061035156
    assert bar["volume"] == 22_219_869 and bar["adj_close"] is None
    assert min(iwm.bars) == date(2000, 5, 26)


def test_yahoo_download_csv_with_adj_close_and_null_row(realdata):
    naesx = parse_daily_csv((realdata / "vanguard-funds/NAESX.csv").read_text())
    assert naesx.bars[date(1980, 1, 2)]["close"] == 11.71
    assert naesx.bars[date(1980, 1, 2)]["adj_close"] == 4.037755
    assert max(naesx.bars) == date(2024, 5, 2)  # the closing `null` row is no bar


def test_stooq_csv_and_no_data():
    s = parse_daily_csv("Date,Open,High,Low,Close,Volume\n2026-05-05,280.1,283.0,279.5,282.56,31000000\n")
    assert s.bars[date(2026, 5, 5)] == {
        "open": 280.1,
        "high": 283.0,
        "low": 279.5,
        "close": 282.56,
        "adj_close": None,
        "volume": 31_000_000,
    }
    with pytest.raises(NoData):
        parse_daily_csv("No data")
    with pytest.raises(ValueError, match="not a daily price CSV"):
        parse_daily_csv("Exceeded the daily hits limit")


def test_yahoo_chart_json_dates_adjclose_and_splits(realdata):
    rows = [r for r in public_services.daily_rows(realdata, "VISVX") if r["Date"] >= "2024-04-29"]
    doc = public_services.chart_doc("VISVX", rows, splits={"2024-05-01": (2, 1)})
    s = parse_yahoo_chart(json.dumps(doc))
    assert s.bars[date(2024, 5, 2)]["close"] == 43.810001
    assert s.bars[date(2024, 5, 2)]["adj_close"] == 43.810001
    assert s.splits == {date(2024, 5, 1): 2.0}
    with pytest.raises(NoData, match="delisted"):
        parse_yahoo_chart(
            json.dumps(
                {
                    "chart": {
                        "result": None,
                        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
                    }
                }
            )
        )


# --- EDGAR indexes ------------------------------------------------------------------------------


def test_form_index_fixed_width():
    idx = public_services.form_index(*public_services.MNA_INDEX_QUARTER)
    found = list(parse_form_index(idx, ("DEFM14A", "SC TO-T", "S-4")))
    assert [(f.form, f.cik, f.filed) for f in found] == [
        ("DEFM14A", 874238, date(2025, 5, 2)),
        ("DEFM14A", 999999, date(2025, 5, 3)),
        ("SC TO-T", 888888, date(2025, 6, 2)),
        ("SC TO-T", 1408710, date(2025, 6, 2)),
    ]
    assert found[1].company == "UNRELATED  HOLDINGS   CORP"  # runs of spaces inside a name survive
    assert found[0].accession == "0001193125-25-101010"
    # Amendments are not new deals; every line is listed when no form is asked for.
    assert "S-4/A" in {f.form for f in parse_form_index(idx)}


def test_daily_index_layout_with_wrapped_header_and_compact_dates():
    idx = (
        "Description:           Daily Index of EDGAR Dissemination Feed by Form Type\n"
        "Form Type   Company Name                                                  CIK\n"
        "      Date Filed  File Name\n" + "-" * 80 + "\n"
        "DEFM14A          Sterling Infrastructure, Inc.                                 874238      20250502    "
        "edgar/data/874238/0001193125-25-101010.txt   \n"
    )
    [f] = parse_form_index(idx, ("DEFM14A",))
    assert (f.cik, f.filed, f.company) == (874238, date(2025, 5, 2), "Sterling Infrastructure, Inc.")


def test_submissions_8k_items_and_events():
    doc = public_services.submissions(public_services.STRL_CIK)
    found = parse_submissions_8k(json.dumps(doc), ("2.01",), since=date(2025, 1, 1))
    assert [(f.filed, f.items) for f in found] == [(date(2025, 8, 15), "2.01,5.01,9.01")]
    idx = [f for f in parse_form_index(public_services.form_index(2025, 2), ("DEFM14A",)) if f.cik == 874238]
    ev = events({"STRL": idx + found}, window_days=180)
    assert len(ev) == 1
    assert (ev[0]["announce_date"], ev[0]["status"], ev[0]["filings"]) == (date(2025, 5, 2), "completed", 2)
    assert events({"STRL": idx + found}, window_days=60)[1]["announce_date"] == date(2025, 8, 15)
