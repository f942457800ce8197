"""Market caps on real files whose prices and share counts sit on different share bases.

Issue #15 points 1 and 5, on ../shared/realdata: the IEX daily bars of AAPL, NVDA, GOOGL and
GOOG (split-adjusted to the day the files were compiled, 2018-02-07: AAPL's closes before its
7:1 split of 2014-06-09 are a seventh of what traded), the companyfacts of Apple, NVIDIA and
Alphabet (cover-page share counts dated weeks after the quarter; Alphabet's whole-company count
under both of its tickers, through SEC's ticker map) and the splits Yahoo lists for them. The
expected caps are computed here from the JSON and the CSV directly: the close as traded (the
IEX close times the splits between the day and 2018-02-07) times the count the latest filing
on or before the day states, with the splits after the count's own date.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import files_warehouse
from tests.helpers.realdata_folder import companyfacts_bodies, publisher_bars

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
NEEDED = (
    "sp500-daily-iex/AAPL_data.csv",
    "sp500-daily-iex/GOOG_data.csv",
    "sec-xbrl/company_tickers.json",
    "etf-daily/IWM.csv",
    "yfinance-actions/CALM-1d-no-bad-divs.csv",
)
pytestmark = pytest.mark.skipif(
    not all((REALDATA / f).exists() for f in NEEDED),
    reason=f"real data not present: {REALDATA} lacks one of {', '.join(NEEDED)}",
)

IEX_BASIS = dt.date(2018, 2, 7)  # the last day of the IEX files: their closes are split-adjusted to it
# Yahoo's split events for these tickers (ex-date, new shares per old share).
SPLITS = {
    "AAPL": [(dt.date(2014, 6, 9), 7.0), (dt.date(2020, 8, 31), 4.0)],
    "NVDA": [(dt.date(2021, 7, 20), 4.0), (dt.date(2024, 6, 10), 10.0)],
    "GOOGL": [(dt.date(2022, 7, 18), 20.0)],
    "GOOG": [(dt.date(2022, 7, 18), 20.0)],
}
LARGE = {"AAPL": 0.035, "NVDA": 0.006, "GOOGL": 0.013, "GOOG": 0.012}
SNAPSHOT = dt.date(2014, 5, 1)
BEFORE_SPLIT, AFTER_SPLIT, YEAR_END = dt.date(2014, 5, 30), dt.date(2014, 6, 30), dt.date(2017, 12, 29)


def _iex_closes(symbol: str) -> dict[dt.date, float]:
    with open(REALDATA / "sp500-daily-iex" / f"{symbol}_data.csv", newline="") as f:
        return {dt.date.fromisoformat(r["date"]): float(r["close"]) for r in csv.DictReader(f)}


def _fill(folder: Path) -> None:
    for d in ("universe", "prices", "splits", "earnings"):
        (folder / d).mkdir(parents=True)
    with open(folder / "universe" / "members.csv", "w", newline="") as g:
        out = csv.writer(g)
        out.writerow(["index_id", "symbol", "as_of_date", "weight"])
        for symbol, weight in LARGE.items():
            out.writerow(["SP500", symbol, SNAPSHOT, weight])
        for symbol in ("CALM", "NPK"):
            out.writerow(["R2000", symbol, "2022-01-31", 0.001])
    # The IEX bars as a user declares them: split-adjusted to the files' last day.
    with open(folder / "prices" / "iex.csv", "w", newline="") as g:
        out = csv.writer(g)
        out.writerow(["symbol", "date", "open", "high", "low", "close", "volume", "split_basis_date"])
        for symbol in LARGE:
            with open(REALDATA / "sp500-daily-iex" / f"{symbol}_data.csv", newline="") as f:
                for r in csv.DictReader(f):
                    out.writerow(
                        [symbol, r["date"], r["open"], r["high"], r["low"], r["close"], r["volume"], IEX_BASIS]
                    )
    publisher_bars(folder / "prices", REALDATA)
    with open(folder / "splits" / "splits.csv", "w", newline="") as g:
        out = csv.writer(g)
        out.writerow(["symbol", "date", "ratio"])
        for symbol, events in SPLITS.items():
            for day, ratio in events:
                out.writerow([symbol, day, ratio])
    bodies = companyfacts_bodies(REALDATA)
    for ticker in ("AAPL", "NVDA", "GOOGL"):
        (folder / "earnings" / f"{ticker}_facts.json").write_text(bodies[ticker])
    shutil.copyfile(REALDATA / "sec-xbrl" / "company_tickers.json", folder / "earnings" / "company_tickers.json")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = files_warehouse(tmp_path_factory.mktemp("share_basis"), _fill)
    yield con
    con.close()


def _cover_count(ticker: str, day: dt.date) -> tuple[float, dt.date]:
    """The count on the cover of the latest periodic report filed on or before the day, and its date."""
    doc = json.loads(companyfacts_bodies(REALDATA)[ticker])
    facts = doc["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
    filed = [f for f in facts if f["form"] in ("10-K", "10-Q") and dt.date.fromisoformat(f["filed"]) <= day]
    latest = max(dt.date.fromisoformat(f["filed"]) for f in filed)
    same = [f for f in filed if dt.date.fromisoformat(f["filed"]) == latest]
    return float(sum(f["val"] for f in same)), dt.date.fromisoformat(same[0]["end"])


def _multiple(symbol: str, after: dt.date, up_to: dt.date) -> float:
    out = 1.0
    for day, ratio in SPLITS[symbol]:
        if after < day <= up_to:
            out *= ratio
    return out


def _row(con, role: str, day: dt.date, symbol: str) -> dict:
    cur = con.execute(
        "SELECT * FROM intermediate.int_company_asof WHERE index_role = ? AND as_of_date = ? AND symbol = ?",
        [role, day, symbol],
    )
    found = cur.fetchone()
    assert found is not None, f"no {symbol} row as of {day}"
    return dict(zip([d[0] for d in cur.description], found, strict=True))


@pytest.mark.parametrize("day", [BEFORE_SPLIT, AFTER_SPLIT, YEAR_END])
def test_apple_cap_from_adjusted_closes_and_cover_counts(warehouse, day):
    close = _iex_closes("AAPL")[day] * _multiple("AAPL", day, IEX_BASIS)  # as traded that day
    count, counted_at = _cover_count("AAPL", day)
    expected = close * count * _multiple("AAPL", counted_at, day)
    row = _row(warehouse, "large", day, "AAPL")
    assert row["shares_as_of"] == counted_at
    assert row["close"] == pytest.approx(close, rel=1e-9)
    assert row["market_cap"] == pytest.approx(expected, rel=1e-9)
    # Apple's cap was about 0.5 trillion dollars in 2014 and 0.9 at the end of 2017; an adjusted
    # close times a count taken before the split gives a seventh of it.
    assert 4.5e11 < row["market_cap"] < 9.5e11


def test_apple_trades_seven_times_higher_before_its_split(warehouse):
    before, after = _row(warehouse, "large", BEFORE_SPLIT, "AAPL"), _row(warehouse, "large", AFTER_SPLIT, "AAPL")
    assert before["close"] == pytest.approx(633.0, rel=0.002)  # the close as traded on 2014-05-30
    assert after["shares_outstanding"] == pytest.approx(7 * before["shares_outstanding"], rel=0.01)


def test_alphabet_counts_once_with_its_whole_cap(warehouse):
    rows = warehouse.execute(
        "SELECT symbol, issuer_id, listed_classes, market_cap, ttm_net_income, shares_as_of "
        "FROM intermediate.int_company_asof "
        "WHERE index_role = 'large' AND as_of_date = ? AND symbol IN ('GOOGL', 'GOOG')",
        [YEAR_END],
    ).fetchall()
    assert len(rows) == 1, rows
    symbol, issuer, classes, cap, ttm, counted_at = rows[0]
    assert (symbol, issuer, classes) == ("GOOGL", "0001652044", 2)
    # Alphabet's balance sheet counts Class A, B and C together (its cover counts are dimensional).
    assert counted_at == dt.date(2017, 9, 30)
    assert 6.5e11 < cap < 8.0e11  # about 730 billion dollars at the end of 2017
    assert ttm is not None
    issuers = warehouse.execute(
        "SELECT constituents FROM marts.profitability WHERE index_role = 'large' AND as_of_date = ? AND sector = 'ALL'",
        [YEAR_END],
    ).fetchone()
    assert issuers == (3,)  # Apple, NVIDIA, Alphabet: not four
    total = warehouse.execute(
        "SELECT sum(market_cap) FROM intermediate.int_company_asof WHERE index_role = 'large' AND as_of_date = ?",
        [YEAR_END],
    ).fetchone()[0]
    published = warehouse.execute(
        "SELECT market_cap FROM marts.valuation WHERE index_role = 'large' AND as_of_date = ?", [YEAR_END]
    ).fetchone()[0]
    assert published == pytest.approx(total, rel=1e-12)


def test_nvidia_per_share_figures_on_the_basis_of_the_day(warehouse):
    """NVIDIA's companyfacts put every EPS on the basis of its latest filing (after the 4:1 and
    10:1 splits); at the end of 2017 its TTM EPS reads on that day's basis: about 4.0 (0.99 +
    0.79 + 0.92 + 1.33 as filed for Q4 FY17 to Q3 FY18, before either split), not the 0.10 of
    the 2024 basis."""
    row = _row(warehouse, "large", YEAR_END, "NVDA")
    assert 3.5 < row["ttm_eps_diluted"] < 6.0
    close = _iex_closes("NVDA")[YEAR_END]
    assert row["close"] == pytest.approx(close, rel=1e-9)  # no split between 2017 and 2018-02-07
    count, _ = _cover_count("NVDA", YEAR_END)
    assert row["market_cap"] == pytest.approx(close * count, rel=1e-9)


def test_yahoo_bars_are_on_the_basis_of_their_last_day(warehouse):
    """Yahoo's and yfinance's closes are split-adjusted to the day the file was taken: the files
    source declares it as the file's last bar."""
    got = warehouse.execute(
        "SELECT symbol, min(split_basis_date), max(split_basis_date), max(date) FROM raw.prices "
        "WHERE symbol IN ('IWM', 'CALM') GROUP BY symbol ORDER BY symbol"
    ).fetchall()
    assert [(s, lo == hi == last) for s, lo, hi, last in got] == [("CALM", True), ("IWM", True)]
