"""All of ../shared/realdata through the whole graph, largely as downloaded: the run publishes.

The folder is built by tests/helpers/realdata_folder.py (publishers' files as they are). Real
histories carry real flaws; the test names them and checks what the policy did with each:
the placeholder and CVR rows of every holdings file are quarantined with their rule, the
Vanguard NAESX flat stretch of 1980 is flagged without blocking, the IEX bars without
open/high/low keep their close, and every flag's reason is in the published quality results.
A summary of rows in, loaded, quarantined and flagged per dataset is printed (pytest -s).
"""

from __future__ import annotations

import csv
import io
import statistics
from pathlib import Path

import duckdb
import pytest

from tests.helpers.realdata_folder import holdings_files


@pytest.fixture(scope="module")
def real_run(realdata_run):
    return realdata_run


def _holdings_rows(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Ticker,"))
    return [r for r in csv.DictReader(io.StringIO("\n".join(lines[start:]))) if r.get("Name") and r.get("Asset Class")]


def test_placeholder_and_cvr_rows_of_every_holdings_file_are_quarantined(real_run, realdata):
    with duckdb.connect(str(real_run / "warehouse.duckdb"), read_only=True) as con:
        for path in holdings_files(realdata):
            stem = path.stem
            quarantined = con.execute(
                """SELECT symbol, name, _rule FROM quarantine.universe
                                         WHERE _source_file LIKE ? ORDER BY _source_line""",
                [f"%/{stem}.%"],
            ).fetchall()
            rows = _holdings_rows(path)
            by_rule: dict[str, list[tuple[str, str]]] = {}
            for symbol, name, rule in quarantined:
                by_rule.setdefault(rule, []).append((symbol, name))
            # Unlisted positions iShares lists as equities under the ticker "-".
            placeholders = [
                (r["Ticker"], r["Name"]) for r in rows if r["Asset Class"] == "Equity" and r["Ticker"].strip() == "-"
            ]
            assert by_rule.get("placeholder_ticker", []) == placeholders, stem
            # Every IWM file has some (the IWB files of these dates have none).
            assert placeholders or not stem.startswith("IWM"), stem
            # CVRs (contingent value rights) listed under their company's ticker or their own.
            cvrs = {
                (r["Ticker"], r["Name"])
                for r in rows
                if r["Name"].rstrip().endswith("CVR") and r["Ticker"].strip() != "-"
            }
            assert cvrs <= set(by_rule.get("non_equity", [])), stem
            # Cash, money market, collateral and futures rows are not members either.
            not_equity = {(r["Ticker"], r["Name"]) for r in rows if r["Asset Class"] != "Equity"}
            assert not_equity and not_equity <= {(q[0], q[1]) for q in quarantined}, stem
            loaded = con.execute(
                "SELECT count(*) FROM raw.universe WHERE _source_file LIKE ?", [f"%/{stem}.%"]
            ).fetchone()[0]
            assert loaded + len(quarantined) == len(rows), stem
        # ADRO: the company stays a member, its CVR under the same ticker does not.
        adro = con.execute(
            """SELECT name FROM raw.universe WHERE symbol = 'ADRO' AND _source_file LIKE '%2026-05-05%'"""
        ).fetchall()
        assert adro == [("CHINOOK THERAPEUTICS INC",)]
        # Companies whose names merely contain the letters are members.
        kept = con.execute("""SELECT DISTINCT symbol FROM raw.universe WHERE symbol IN ('CVI', 'CVRX')""").fetchall()
        assert sorted(kept) == [("CVI",), ("CVRX",)]


def test_naesx_flat_1980_is_flagged_and_did_not_block(real_run):
    with duckdb.connect(str(real_run / "serving.duckdb"), read_only=True) as con:
        first = con.execute("""SELECT date_from, date_to, detail FROM marts.series_flags
                               WHERE dataset = 'fund_navs' AND series = 'NAESX' AND rule = 'stale_series'
                               ORDER BY date_from LIMIT 1""").fetchone()
        assert first is not None and first[0].year == 1980 and first[0].month == 1, first
        # Not blocking: the run published, and the check says it is a warning.
        stale = con.execute("""SELECT passed, severity, detail FROM marts.quality_results
                               WHERE dataset = 'raw.fund_navs' AND check_name = 'stale_series'""").fetchone()
        assert stale[:2] == (False, "warn") and "NAESX" in stale[2]


def test_iex_bars_without_open_high_low_keep_their_close(real_run, realdata):
    expected = []
    for path in sorted((realdata / "sp500-daily-iex").glob("*.csv")):
        for row in csv.DictReader(path.open()):
            if row["close"] and not (row["open"] and row["high"] and row["low"]):
                expected.append((row["Name"], row["date"], float(row["close"])))
    assert len(expected) >= 11
    with duckdb.connect(str(real_run / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute("""SELECT symbol, strftime(date, '%Y-%m-%d'), close FROM raw.prices
            WHERE _source_file LIKE '%sp500-daily-iex%' AND (open IS NULL OR high IS NULL OR low IS NULL)
            ORDER BY 1, 2""").fetchall()
    assert got == sorted(expected)


def test_every_flag_is_published_with_its_reason(real_run):
    with duckdb.connect(str(real_run / "serving.duckdb"), read_only=True) as con:
        flags = con.execute(
            "SELECT dataset, rule, count(*), count(*) FILTER (WHERE detail <> '') FROM marts.series_flags GROUP BY 1, 2"
        ).fetchall()
        assert flags, "real histories carry flaws: at least the NAESX stretches"
        for dataset, rule, n, with_detail in flags:
            assert n == with_detail, (dataset, rule)
            check = con.execute(
                """SELECT passed, severity, observed, detail FROM marts.quality_results
                                   WHERE dataset = ? AND check_name = ?""",
                [f"raw.{dataset}", rule],
            ).fetchone()
            assert check is not None and not check[0] and check[1] == "warn", (dataset, rule, check)
            assert "flagged in audit.series_flags" in check[3]
        # The role series were clean where the marts read them: nothing blocked.
        assert (
            con.execute(
                "SELECT count(*) FROM marts.quality_results WHERE NOT passed AND severity = 'error'"
            ).fetchone()[0]
            == 0
        )


def _iex_liquidity(realdata: Path, as_of: str, window: int = 63, min_days: int = 42) -> dict:
    """Median 63-day dollar volume and Amihud illiquidity of the IEX members at a date, from the files."""
    spy_days = [r["Date"] for r in csv.DictReader((realdata / "etf-daily" / "SPY.csv").open()) if r["Date"] <= as_of]
    first_day = spy_days[-window]
    dollar_volumes, amihuds = [], []
    for path in sorted((realdata / "sp500-daily-iex").glob("*_data.csv")):
        rows = csv.DictReader(path.open())
        bars = sorted((r["date"], float(r["close"]), float(r["volume"])) for r in rows if r["close"])
        previous = {bars[i][0]: bars[i - 1][1] for i in range(1, len(bars))}
        inside = [b for b in bars if first_day <= b[0] <= as_of]
        if sum(1 for _, _, volume in inside if volume > 0) < min_days:
            continue
        dollar_volumes.append(statistics.fmean(close * volume for _, close, volume in inside))
        ratios = [
            abs(close / previous[day] - 1) / (close * volume)
            for day, close, volume in inside
            if day in previous and volume > 0
        ]
        amihuds.append(statistics.fmean(ratios) * 1e6)
    return {
        "members_with_volume": len(dollar_volumes),
        "median_dollar_volume": statistics.median(dollar_volumes),
        "median_amihud": statistics.median(amihuds),
    }


def test_liquidity_of_sp500_members_from_the_iex_files(real_run, realdata):
    """The IEX set is the S&P 500 of 2018-02-07 (its last day): at the next month end, the 63
    trading days before hold about 48 of each member's bars, enough to count it."""
    expected = _iex_liquidity(realdata, "2018-02-28")
    with duckdb.connect(str(real_run / "serving.duckdb"), read_only=True) as con:
        row = con.execute(
            """SELECT members, members_with_volume, median_dollar_volume, median_amihud FROM marts.liquidity
               WHERE index_role = 'large' AND as_of_date = DATE '2018-02-28'"""
        ).fetchone()
        # Not read with a membership it did not have yet: the month before has no snapshot.
        before = con.execute(
            "SELECT count(*) FROM marts.liquidity WHERE index_role = 'large' AND as_of_date < DATE '2018-02-07'"
        ).fetchone()[0]
    assert row[0] == len(list((realdata / "sp500-daily-iex").glob("*_data.csv")))
    assert row[1] == expected["members_with_volume"] > 450
    assert row[2] == pytest.approx(expected["median_dollar_volume"], rel=1e-9)
    assert row[3] == pytest.approx(expected["median_amihud"], rel=1e-9)
    assert before == 0
