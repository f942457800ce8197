"""A `files` landing folder from all of ../shared/realdata, as a user would drop it.

Publishers' own downloads go in as they are (the files source recognizes them by their
header): the six dated IWM holdings files and the IWB file, the 505 IEX daily files, the
Yahoo bars of IWM and SPY, the yfinance files of CALM and NPK, the Vanguard fund histories,
the FRED series, the Alpha Vantage estimate snapshots and the six companies' companyfacts
(the four inside recorded-HTTP cassettes taken out of their wrapper, as the API sent them).
Only what has no publisher format is written in the contract's shape: the S&P 500 list
(a Wikipedia table), the S&P 500 of 2018-02-07 that the IEX files are (their tickers), and the
list of funds.

    python -m tests.helpers.realdata_folder /tmp/real-folder
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import yaml

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
SP500_AS_OF = "2026-08-08"  # the month the list was saved (MANIFEST.md)
# The IEX files are the S&P 500 members of the day the set was taken, their last day: a second,
# earlier snapshot of the index, the one their bars can be read with (liquidity, issue #19).
IEX_AS_OF = "2018-02-07"
FUNDS = {
    "NAESX": "Vanguard Small-Cap Index Inv",
    "VISVX": "Vanguard Small-Cap Value Index Inv",
    "VTSMX": "Vanguard Total Stock Market Index Inv",
}
RATES = {
    "DGS10": "macro-regime/DGS10.csv",
    "DGS2": "macro-regime/DGS2.csv",
    "DFEDTARU": "fed-target/DFEDTARU.csv",
    "DFF": "fed-policy/DFF.csv",
}
CIK_TICKERS = {320193: "AAPL", 1652044: "GOOGL", 1058057: "MRVL", 1835632: "MRVL", 1045810: "NVDA"}


def holdings_files(realdata: Path = REALDATA) -> list[Path]:
    """Every holdings download that carries its as-of date (the undated ones cannot be placed in time)."""
    return sorted((realdata / "iwm-holdings").glob("IWM_holdings_20*.csv")) + sorted(
        (realdata / "iwb-holdings").glob("*.csv")
    )


def companyfacts_bodies(realdata: Path = REALDATA) -> dict[str, str]:
    """Ticker -> companyfacts JSON as served, from the cassettes and the two plain files."""
    out = {
        "SNOW": (realdata / "sec-xbrl" / "snow_facts.json").read_text(),
        "LPA": (realdata / "sec-xbrl" / "lpa_facts.json").read_text(),
    }
    for cassette in sorted((realdata / "sec-xbrl" / "cassettes").glob("*.yaml")):
        for interaction in yaml.safe_load(cassette.read_text())["interactions"]:
            if "/api/xbrl/companyfacts/" in interaction["request"]["uri"]:
                body = interaction["response"]["body"]["string"]
                out[CIK_TICKERS[json.loads(body)["cik"]]] = body
    return out


def publisher_bars(prices: Path, realdata: Path = REALDATA) -> None:
    """Yahoo's bars of the two benchmarks and yfinance's bars of two small caps, as downloaded."""
    for symbol in ("IWM", "SPY"):
        shutil.copyfile(realdata / "etf-daily" / f"{symbol}.csv", prices / f"{symbol}.csv")
    for path in sorted((realdata / "yfinance-actions").glob("*.csv")):
        shutil.copyfile(path, prices / path.name)


def write_sp500_list(path: Path, realdata: Path = REALDATA) -> None:
    """The S&P 500 list (one snapshot of the large role's index, dated SP500_AS_OF) in the contract's shape."""
    with (
        open(realdata / "sp500-companies" / "constituents.csv", newline="") as f,
        open(path, "w", newline="") as g,
    ):
        out = csv.writer(g)
        out.writerow(["index_id", "symbol", "as_of_date", "name", "sector"])
        for row in csv.DictReader(f):
            out.writerow(["SP500", row["Symbol"], SP500_AS_OF, row["Security"], row["GICS Sector"]])


def build(target: Path, realdata: Path = REALDATA) -> Path:
    for d in ("universe", "prices", "funds", "fund_navs", "rates", "estimates", "earnings"):
        (target / d).mkdir(parents=True, exist_ok=True)
    for path in holdings_files(realdata):
        shutil.copyfile(path, target / "universe" / path.name)
    write_sp500_list(target / "universe" / "sp500_constituents.csv", realdata)
    iex = target / "prices" / "sp500-daily-iex"
    iex.mkdir(exist_ok=True)
    with open(target / "universe" / "sp500_iex_members.csv", "w", newline="") as g:
        out = csv.writer(g)
        out.writerow(["index_id", "symbol", "as_of_date"])
        for path in sorted((realdata / "sp500-daily-iex").glob("*_data.csv")):
            shutil.copyfile(path, iex / path.name)
            out.writerow(["SP500", path.name.removesuffix("_data.csv"), IEX_AS_OF])
    publisher_bars(target / "prices", realdata)
    with open(target / "funds" / "funds.csv", "w", newline="") as g:
        out = csv.writer(g)
        out.writerow(["fund_id", "name", "category"])
        for fund_id, name in FUNDS.items():
            out.writerow([fund_id, name, "small_cap" if "Small" in name else "total_market"])
    for fund_id in FUNDS:
        shutil.copyfile(realdata / "vanguard-funds" / f"{fund_id}.csv", target / "fund_navs" / f"{fund_id}.csv")
    for series, path in RATES.items():
        shutil.copyfile(realdata / path, target / "rates" / f"{series}.csv")
    for path in sorted((realdata / "estimates-alphavantage").glob("*.json")):
        shutil.copyfile(path, target / "estimates" / path.name)
    for ticker, body in companyfacts_bodies(realdata).items():
        (target / "earnings" / f"{ticker}_facts.json").write_text(body)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(build(Path(sys.argv[1])))
