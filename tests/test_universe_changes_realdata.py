"""marts.universe_changes and the universe_replenished claim on the six dated IWM holdings files.

The shared real-data run (tests/conftest.realdata_run) lands, among the other real files, the
six iShares downloads of IWM that carry their as-of date (as published, under universe/), the
S&P 500's snapshots (the large role's index: the gates block a universe without both roles, and
they must stay out of the small role's rows) and the publishers' bars (for the trading calendar
the audit points are read on).
The members of each snapshot are then read here, straight from the files, by the rule the
loader applies (`members`), and every consecutive pair of dates is compared by hand: members,
additions and removals must be the mart's. No M&A file is landed, so no removal is a deal's.
The claim at the article's date must be judged on the 2025-05-13 and 2025-11-05 snapshots.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tests.helpers.realdata_folder import IEX_AS_OF, SP500_AS_OF, holdings_files

ARTICLE_DATE = date(2025, 12, 9)

# The loader's rules for a holdings line that is not a member (pipelines/sources/formats/ishares.py
# and the universe dataset's text rules in pipelines/datasets.py), restated: a line whose Asset
# Class is not "Equity" (cash, futures, money market); a placeholder ticker (no letter in it, or
# N/A); a name that marks a contingent value right, an escrow, rights or a private placement.
PLACEHOLDER_TICKERS = {"N/A", "#N/A", "N.A."}
NOT_A_SHARE = re.compile(r"\sCVR\b|CONTINGENT VALUE|\bESCROW\b|\bRIGHTS\b|\bPRVT\b")


def one_year_before(day: date) -> date:
    """The same day a year earlier, 28 February for 29 February (as DuckDB subtracts 12 months)."""
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def iwm_dated_files(realdata: Path) -> list[Path]:
    return [p for p in holdings_files(realdata) if p.parent.name == "iwm-holdings"]


def read_snapshot(path: Path) -> tuple[date, set[str]]:
    """(as-of date, member tickers) of one iShares download: the table between its 'Ticker,'
    header line and the first blank line, filtered by the rules above."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    as_of = next(
        datetime.strptime(next(csv.reader([line]))[1].strip(), "%b %d, %Y").date()
        for line in lines
        if line.startswith("Fund Holdings as of")
    )
    start = next(i for i, line in enumerate(lines) if line.startswith("Ticker,"))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    members: dict[str, dict] = {}
    for row in csv.DictReader(lines[start:end]):
        ticker, name = row["Ticker"].strip().upper(), row["Name"].upper()
        if row["Asset Class"].strip() != "Equity":
            continue
        if not re.search("[A-Z]", ticker) or ticker in PLACEHOLDER_TICKERS:
            continue
        if NOT_A_SHARE.search(name):
            continue
        # The loader's other rules (one row per ticker and file, a weight in [0, 100] %, a
        # positive quantity) must have nothing to remove, or the rule above would be incomplete.
        assert ticker not in members, (path.name, ticker)
        weight, quantity = (row[c].replace(",", "") for c in ("Weight (%)", "Quantity"))
        assert 0 <= float(weight) <= 100 and (quantity == "-" or float(quantity) > 0), (path.name, row)
        members[ticker] = row
    return as_of, set(members)


@pytest.fixture(scope="module")
def snapshots(realdata) -> list[tuple[date, set[str]]]:
    files = iwm_dated_files(realdata)
    assert len(files) == 6, [p.name for p in files]
    return sorted(read_snapshot(p) for p in files)


@pytest.fixture(scope="module")
def warehouse(realdata_run):
    """The shared real-data run (tests/conftest.realdata_run): every dated holdings file, the S&P 500
    list and the IEX members as the large role's snapshots, the publishers' bars; no M&A file."""
    con = duckdb.connect(str(realdata_run / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def test_universe_changes_between_the_six_iwm_files(warehouse, snapshots):
    first_date, first_members = snapshots[0]
    expected = [(first_date, None, len(first_members), None, None, None)]
    for (prev_date, before), (as_of, after) in zip(snapshots, snapshots[1:], strict=False):
        # No M&A file landed: no removal can be a deal's.
        expected.append((as_of, prev_date, len(after), len(after - before), len(before - after), 0))
    got = warehouse.execute(
        "SELECT as_of_date, previous_as_of_date, members, additions, removals, removals_mna "
        "FROM marts.universe_changes WHERE index_role = 'small' ORDER BY as_of_date"
    ).fetchall()
    print("\nas_of_date  previous    members  additions  removals  removals_mna")
    for row in got:
        print("{}  {!s:<10}  {:>7}  {!s:>9}  {!s:>8}  {!s:>12}".format(*row))
    assert got == expected
    # Real turnover between downloads months apart: the comparison is not of equal sets.
    assert all(row[3] > 0 and row[4] > 0 for row in expected[1:] if (row[0] - row[1]).days > 60)
    # The S&P 500's snapshots (the IEX members of 2018, the list of 2026) are the large role's own
    # rows, the first without a previous one, never steps of the small role's.
    large = warehouse.execute(
        "SELECT index_id, as_of_date, previous_as_of_date, additions FROM marts.universe_changes "
        "WHERE index_role = 'large' ORDER BY as_of_date"
    ).fetchall()
    snapshots_large = [("SP500", date.fromisoformat(IEX_AS_OF)), ("SP500", date.fromisoformat(SP500_AS_OF))]
    assert [(r[0], r[1]) for r in large] == snapshots_large
    assert large[0][2:] == (None, None) and large[1][2] == date.fromisoformat(IEX_AS_OF)


def test_universe_replenished_at_the_article_date_from_two_snapshots(warehouse, snapshots):
    by_date = dict(snapshots)
    may, november = by_date[date(2025, 5, 13)], by_date[date(2025, 11, 5)]
    additions, removals = len(november - may), len(may - november)
    verdict, value, data_as_of, detail = warehouse.execute(
        "SELECT verdict, value, data_as_of, detail FROM intermediate.int_claim_universe_replenished "
        "WHERE audit_view = 'article_date'"
    ).fetchone()
    print(f"\narticle_date: {verdict} {value} {detail}")
    assert data_as_of == ARTICLE_DATE
    # (2024-12-09, 2025-12-09] holds the May and November files; only November has a previous one.
    assert verdict == ("supported" if additions >= removals else "contradicted")
    assert value == additions - removals
    assert json.loads(detail) == {"additions": additions, "removals": removals, "removals_mna": 0, "snapshots": 2}
    # The latest view reads the bars' last day: the snapshots of the year before it, each against its previous.
    last_day = warehouse.execute("SELECT max(date) FROM intermediate.int_trading_days").fetchone()[0]
    in_window = [d for d, _ in snapshots if one_year_before(last_day) < d <= last_day]
    pairs = [(b, a) for (_, b), (d, a) in zip(snapshots, snapshots[1:], strict=False) if d in in_window]
    latest_additions = sum(len(after - before) for before, after in pairs)
    latest_removals = sum(len(before - after) for before, after in pairs)
    verdict, value, detail = warehouse.execute(
        "SELECT verdict, value, detail FROM intermediate.int_claim_universe_replenished WHERE audit_view = 'latest'"
    ).fetchone()
    print(f"latest ({last_day}): {verdict} {value} {detail}")
    assert len(in_window) >= 2
    assert verdict == ("supported" if latest_additions >= latest_removals else "contradicted")
    assert value == latest_additions - latest_removals
    assert json.loads(detail) == {
        "additions": latest_additions,
        "removals": latest_removals,
        "removals_mna": 0,
        "snapshots": len(in_window),
    }
