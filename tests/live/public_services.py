"""The public services, answered from the real samples in ../shared/realdata, on a LocalServer.

Each route answers in its service's documented format, with the real files' values:

* FRED graph CSV and FRED API JSON from the FRED downloads (window params honoured);
* iShares IWM holdings: the real download, byte for byte;
* SEC ticker map and companyfacts (Snowflake, us-gaap; Logistic Properties of the
  Americas, IFRS): the real responses; any other CIK answers 404 as SEC does;
* Yahoo chart JSON and Stooq CSV built from the real Yahoo daily files.

Where no real sample exists, the route builds one in the documented format and says so:
DFEDTARL (DFEDTARU - 0.25, exact since 2008-12-16), IVV holdings (the real S&P 500 list in
iShares' layout, with SNOW and LPA added on top so the SEC samples are reachable through
the universe), the EDGAR form index and one company's submissions.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.live.local_server import LocalServer, Response

SECRET_FRED_KEY = "fred-key-0123456789abcdef"
SECRET_SEC_AGENT = "Test Runner test.runner@example.org"

FRED_FILES = {
    "DGS10": "macro-regime/DGS10.csv",
    "DGS2": "macro-regime/DGS2.csv",
    "DFEDTARU": "fed-target/DFEDTARU.csv",
    "DFF": "fed-policy/DFF.csv",
}
YAHOO_FILES = {
    "IWM": "etf-daily/IWM.csv",
    "SPY": "etf-daily/SPY.csv",
    "NAESX": "vanguard-funds/NAESX.csv",
    "VISVX": "vanguard-funds/VISVX.csv",
    "VTSMX": "vanguard-funds/VTSMX.csv",
}
COMPANYFACTS = {1640147: "sec-xbrl/snow_facts.json", 1997711: "sec-xbrl/lpa_facts.json"}
NEW_YORK = ZoneInfo("America/New_York")

# Test-made EDGAR filings (no real index sample is held): real registrants and CIKs, made-up filings.
MNA_INDEX_QUARTER = (2025, 2)
BE_CIK, STRL_CIK, FN_CIK = 1664703, 874238, 1408710


def _text(status: int, body: str | bytes, ctype: str = "text/plain") -> Response:
    return status, {"Content-Type": ctype}, body.encode() if isinstance(body, str) else body


def _json(status: int, doc) -> Response:
    return _text(status, json.dumps(doc), "application/json")


def fred_rows(realdata: Path, series_id: str) -> list[tuple[str, str]]:
    """(date, value as written) of a series; DFEDTARL is derived from DFEDTARU."""
    source = "DFEDTARU" if series_id == "DFEDTARL" else series_id
    with open(realdata / FRED_FILES[source], newline="") as f:
        rows = [(r[0], r[1]) for r in list(csv.reader(f))[1:]]
    if series_id == "DFEDTARL":
        rows = [(d, f"{float(v) - 0.25:.2f}" if v not in ("", ".") else v) for d, v in rows]
    return rows


def _window(rows: list[tuple[str, str]], start: str | None, end: str | None) -> list[tuple[str, str]]:
    return [(d, v) for d, v in rows if (not start or d >= start) and (not end or d <= end)]


def daily_rows(realdata: Path, symbol: str) -> list[dict]:
    """A Yahoo daily CSV as dicts keyed Date, Open, High, Low, Close, [Adj Close], Volume; `null` rows dropped."""
    with open(realdata / YAHOO_FILES[symbol], newline="") as f:
        return [r for r in csv.DictReader(f) if r["Close"] not in ("null", "")]


def _stamp(day: str) -> int:
    """Yahoo stamps a daily bar with the session's opening time, 09:30 in New York."""
    return int(datetime.combine(date.fromisoformat(day), time(9, 30), NEW_YORK).timestamp())


def chart_doc(symbol: str, rows: list[dict], splits: dict[str, tuple[int, int]] | None = None) -> dict:
    """Yahoo's v8 chart JSON for daily bars."""
    stamps = [_stamp(r["Date"]) for r in rows]
    quote = {k.lower(): [float(r[k]) for r in rows] for k in ("Open", "High", "Low", "Close")}
    quote["volume"] = [int(float(r["Volume"])) for r in rows]
    indicators = {"quote": [quote]}
    if rows and "Adj Close" in rows[0]:
        indicators["adjclose"] = [{"adjclose": [float(r["Adj Close"]) for r in rows]}]
    result = {
        "meta": {
            "currency": "USD",
            "symbol": symbol,
            "exchangeName": "PCX",
            "instrumentType": "ETF",
            "gmtoffset": -14400,
            "timezone": "EDT",
            "exchangeTimezoneName": "America/New_York",
            "dataGranularity": "1d",
        },
        "timestamp": stamps,
        "indicators": indicators,
    }
    if splits:
        result["events"] = {
            "splits": {
                str(_stamp(d)): {"date": _stamp(d), "numerator": n, "denominator": m, "splitRatio": f"{n}:{m}"}
                for d, (n, m) in splits.items()
            }
        }
    return {"chart": {"result": [result], "error": None}}


def ivv_holdings(realdata: Path) -> str:
    """IVV holdings in iShares' layout, from the real S&P 500 list (weights made up, decreasing in list order)."""
    with open(realdata / "sp500-companies/constituents.csv", newline="") as f:
        members = [(r["Symbol"].replace(".", ""), r["Security"].upper(), r["GICS Sector"]) for r in csv.DictReader(f)]
    members = [
        ("SNOW", "SNOWFLAKE INC", "Information Technology"),
        ("LPA", "LOGISTIC PROPERTIES OF THE AMERICAS", "Real Estate"),
    ] + members
    out = io.StringIO()
    out.write(
        '\ufeffiShares Core S&P 500 ETF\nFund Holdings as of,"May 05, 2026"\nInception Date,"May 15, 2000"\n'
        'Shares Outstanding,"1,000,000,000.00"\nStock,"-"\nBond,"-"\nCash,"-"\nOther,"-"\n \n'
    )
    out.write(
        "Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,"
        "Exchange,Currency,FX Rate,Market Currency,Accrual Date\n"
    )
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for i, (sym, name, sector) in enumerate(members):
        weight = f"{(len(members) - i) / 1000:.3f}"  # distinct, largest first
        w.writerow(
            [
                sym,
                name,
                sector,
                "Equity",
                "1,000,000.00",
                weight,
                "1,000,000.00",
                "10,000.00",
                "100.00",
                "United States",
                "NYSE",
                "USD",
                "1.00",
                "USD",
                "-",
            ]
        )
    w.writerow(
        [
            "USD",
            "USD CASH",
            "Cash and/or Derivatives",
            "Cash",
            "5,000.00",
            "0.01",
            "5,000.00",
            "5,000.00",
            "100.00",
            "United States",
            "-",
            "USD",
            "1.00",
            "USD",
            "-",
        ]
    )
    out.write(' \n"The content contained herein is owned or licensed by BlackRock.\nAll rights reserved."\n')
    return out.getvalue()


def form_index(y: int, q: int) -> str:
    """A full-index form.idx in EDGAR's fixed-width layout; merger filings only in MNA_INDEX_QUARTER."""
    head = (
        "Description:           Master Index of EDGAR Dissemination Feed by Form Type\n"
        f"Last Data Received:    {'June 30' if q == 2 else 'March 31'}, {y}\n"
        "Comments:              webmaster@sec.gov\nAnonymous FTP:         ftp://ftp.sec.gov/edgar/\n \n \n \n"
        "Form Type   Company Name                                                  CIK         Date Filed  File Name\n"
        + "-" * 141
        + "\n"
    )
    rows = [("10-K", "BLOOM ENERGY CORP", BE_CIK, f"{y}-0{3 * q - 1}-20", "0001664703-25-000010")]
    if (y, q) == MNA_INDEX_QUARTER:
        rows += [
            ("DEFM14A", "STERLING INFRASTRUCTURE, INC.", STRL_CIK, "2025-05-02", "0001193125-25-101010"),
            ("DEFM14A", "UNRELATED  HOLDINGS   CORP", 999999, "2025-05-03", "0000999999-25-000001"),
            ("S-4/A", "STERLING INFRASTRUCTURE, INC.", STRL_CIK, "2025-05-20", "0001193125-25-121212"),
            ("SC TO-T", "FABRINET", FN_CIK, "2025-06-02", "0001193125-25-131313"),
            ("SC TO-T", "ACME ACQUISITION SUB INC", 888888, "2025-06-02", "0001193125-25-131313"),
        ]
    lines = [
        f"{form:<12}{name:<62}{cik:<12}{day:<12}edgar/data/{cik}/{accn}.txt" for form, name, cik, day, accn in rows
    ]
    return head + "\n".join(sorted(lines)) + "\n"


def submissions(cik: int) -> dict:
    """data.sec.gov submissions for STRL: an 8-K with item 2.01 closing the deal, and unrelated 8-Ks."""
    recent = {
        "accessionNumber": ["0000874238-25-000090", "0000874238-25-000050", "0000874238-24-000030"],
        "filingDate": ["2025-08-15", "2025-07-01", "2024-03-01"],
        "form": ["8-K", "8-K", "8-K"],
        "items": ["2.01,5.01,9.01", "5.07", "2.01,9.01"],
        "primaryDocument": ["a.htm", "b.htm", "c.htm"],
    }
    return {
        "cik": str(cik),
        "name": "STERLING INFRASTRUCTURE, INC.",
        "tickers": ["STRL"],
        "filings": {"recent": recent, "files": []},
    }


def install(server: LocalServer, realdata: Path) -> dict[str, str]:
    """Add every service's routes; returns the environment that points the live source at them."""

    def fred_csv(path, q, h):
        sid = q.get("id", "")
        if sid not in FRED_FILES and sid != "DFEDTARL":
            return _text(404, "Series not found")
        rows = _window(fred_rows(realdata, sid), q.get("cosd"), q.get("coed"))
        return _text(200, f"observation_date,{sid}\n" + "".join(f"{d},{v}\n" for d, v in rows), "text/csv")

    def fred_api(path, q, h):
        if q.get("api_key") != SECRET_FRED_KEY:
            return _json(
                400,
                {"error_code": 400, "error_message": "Bad Request.  The value for variable api_key is not registered."},
            )
        sid = q.get("series_id", "")
        rows = _window(fred_rows(realdata, sid), q.get("observation_start"), q.get("observation_end"))
        return _json(
            200,
            {
                "realtime_start": "2026-05-05",
                "realtime_end": "2026-05-05",
                "units": "lin",
                "file_type": "json",
                "count": len(rows),
                "observations": [
                    {"realtime_start": "2026-05-05", "realtime_end": "2026-05-05", "date": d, "value": v or "."}
                    for d, v in rows
                ],
            },
        )

    def sec_only_with_contact(route):
        # SEC turns away clients that do not declare who they are.
        def guarded(path, q, h):
            if "@" not in h.get("user-agent", ""):
                return _text(403, "Your Request Originates from an Undeclared Automated Tool")
            return route(path, q, h)

        return guarded

    def companyfacts(path, q, h):
        cik = int(path.rsplit("CIK", 1)[1].split(".")[0])
        if cik not in COMPANYFACTS:
            return _text(404, "<Error><Code>NoSuchKey</Code></Error>", "application/xml")
        return _text(200, (realdata / COMPANYFACTS[cik]).read_bytes(), "application/json")

    def yahoo(path, q, h):
        symbol = path.rsplit("/", 1)[1]
        if symbol not in YAHOO_FILES:
            return _json(
                404,
                {
                    "chart": {
                        "result": None,
                        "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
                    }
                },
            )
        # Bars whose stamp falls in [period1, period2), as Yahoo selects them.
        rows = [r for r in daily_rows(realdata, symbol) if int(q["period1"]) <= _stamp(r["Date"]) < int(q["period2"])]
        return _json(200, chart_doc(symbol, rows))

    def stooq(path, q, h):
        symbol = q.get("s", "").upper().removesuffix(".US")
        if symbol not in YAHOO_FILES:
            return _text(200, "No data")
        start, end = q.get("d1", "00000000"), q.get("d2", "99999999")
        rows = [r for r in daily_rows(realdata, symbol) if start <= r["Date"].replace("-", "") <= end]
        body = "Date,Open,High,Low,Close,Volume\n" + "".join(
            f"{r['Date']},{r['Open']},{r['High']},{r['Low']},{r['Close']},{r['Volume']}\n" for r in rows
        )
        return _text(200, body, "text/csv")

    def full_index(path, q, h):
        _, year, qtr, _ = path.rsplit("/", 3)
        return _text(200, form_index(int(year), int(qtr.removeprefix("QTR"))))

    def submissions_route(path, q, h):
        cik = int(path.rsplit("CIK", 1)[1].split(".")[0])
        if cik != STRL_CIK:
            return _text(404, "Not Found")
        return _json(200, submissions(cik))

    server.add("/fred/graph/fredgraph.csv", fred_csv)
    server.add("/fred-api/fred/series/observations", fred_api)
    server.add(
        "/ishares/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax",
        lambda p, q, h: _text(200, (realdata / "iwm-holdings/IWM_holdings_2026-05-05.csv").read_bytes(), "text/csv"),
    )
    server.add(
        "/ishares/us/products/239726/ishares-core-sp-500-etf/1467271812596.ajax",
        lambda p, q, h: _text(200, ivv_holdings(realdata), "text/csv"),
    )
    server.add(
        "/sec-www/files/company_tickers.json",
        sec_only_with_contact(
            lambda p, q, h: _text(200, (realdata / "sec-xbrl/company_tickers.json").read_bytes(), "application/json")
        ),
    )
    server.add_prefix("/sec-data/api/xbrl/companyfacts/", sec_only_with_contact(companyfacts))
    server.add_prefix("/sec-data/submissions/", sec_only_with_contact(submissions_route))
    server.add_prefix("/sec-www/Archives/edgar/full-index/", sec_only_with_contact(full_index))
    server.add_prefix("/yahoo/v8/finance/chart/", yahoo)
    server.add("/stooq/q/d/l/", stooq)
    base = server.url
    return {
        "WAREHOUSE_LIVE_FRED_URL": f"{base}/fred",
        "WAREHOUSE_LIVE_FRED_API_URL": f"{base}/fred-api",
        "WAREHOUSE_LIVE_ISHARES_URL": f"{base}/ishares",
        "WAREHOUSE_LIVE_SEC_WWW_URL": f"{base}/sec-www",
        "WAREHOUSE_LIVE_SEC_DATA_URL": f"{base}/sec-data",
        "WAREHOUSE_LIVE_YAHOO_URL": f"{base}/yahoo",
        "WAREHOUSE_LIVE_STOOQ_URL": f"{base}/stooq",
        "SEC_USER_AGENT": SECRET_SEC_AGENT,
        "WAREHOUSE_LIVE_MNA_START": "2025-01-01",
        "WAREHOUSE_LIVE_MAX_COMPANIES": "3",
        "WAREHOUSE_LIVE_TIMEOUT": "2",
        "WAREHOUSE_LIVE_RETRIES": "2",
        "WAREHOUSE_LIVE_BACKOFF": "0.01",
        "WAREHOUSE_LIVE_BACKOFF_MAX": "0.05",
        "WAREHOUSE_LIVE_RATE_SEC": "10",
        "WAREHOUSE_LIVE_RATE_FRED": "200",
        "WAREHOUSE_LIVE_RATE_ISHARES": "200",
        "WAREHOUSE_LIVE_RATE_YAHOO": "200",
        "WAREHOUSE_LIVE_RATE_STOOQ": "200",
    }
