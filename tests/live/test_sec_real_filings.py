"""The companyfacts parser on the six real documents in ../shared/realdata/sec-xbrl (issue #20).

Snowflake and an IFRS filer as plain files; Marvell, NVIDIA, Alphabet and Apple as the bodies
of recorded-HTTP cassettes. Expected figures are taken from the documents' own facts (a
filing's own comparison of a quarter with the year-ago quarter, a 10-K's annual figure), and
splits from the public record (NVIDIA 4:1 in July 2021 and 10:1 in June 2024, Alphabet 20:1
in July 2022, Apple 7:1 in June 2014 and 4:1 in August 2020), not from the parser.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from itertools import pairwise

import pytest

from pipelines.sources.live.sec_companyfacts import parse_companyfacts
from tests.helpers.realdata_folder import companyfacts_bodies

PERIODIC = {"10-K", "10-Q", "10-K/A", "10-Q/A"}
# Public split record: (effective date, new shares per old share).
SPLITS = {
    "NVDA": [(date(2021, 7, 20), 4), (date(2024, 6, 10), 10)],
    "GOOGL": [(date(2022, 7, 15), 20)],
    "AAPL": [(date(2014, 6, 9), 7), (date(2020, 8, 31), 4)],
}


@pytest.fixture(scope="module")
def bodies(realdata):
    return companyfacts_bodies(realdata)


@pytest.fixture(scope="module")
def parsed(bodies):
    return {k: parse_companyfacts(v, k) for k, v in bodies.items()}


def _gaap(bodies, symbol, concept, unit="USD"):
    return [r for r in json.loads(bodies[symbol])["facts"]["us-gaap"][concept]["units"][unit] if r["form"] in PERIODIC]


def _days(r) -> int:
    return (date.fromisoformat(r["end"]) - date.fromisoformat(r["start"])).days + 1


def _rows(result, end: date) -> list[dict]:
    return [r for r in result.rows if r["fiscal_period_end"] == end]


def _as_of(result, day: date) -> dict[date, dict]:
    """Quarter end -> the row standing on `day`."""
    out = {}
    for r in result.rows:
        if r["report_date"] <= day:
            out[r["fiscal_period_end"]] = r
    return out


def _factor_after(symbol: str, day: date) -> float:
    """Splits effective after `day`: a per-share figure filed on `day` is divided by this on today's basis."""
    k = 1.0
    for eff, ratio in SPLITS.get(symbol, []):
        if eff > day:
            k *= ratio
    return k


# --- kept: net income, point in time ----------------------------------------------------


@pytest.mark.parametrize("symbol", ["SNOW", "MRVL", "GOOGL", "NVDA"])
def test_net_income_of_every_reported_quarter_matches_its_first_and_latest_filing(bodies, parsed, symbol):
    facts = sorted(
        (r for r in _gaap(bodies, symbol, "NetIncomeLoss") if 80 <= _days(r) <= 100),
        key=lambda r: (r["filed"], r["accn"]),
    )
    by_end: dict[date, list[dict]] = {}
    for r in facts:
        by_end.setdefault(date.fromisoformat(r["end"]), []).append(r)
    result, checked = parsed[symbol], 0
    for end, filed in by_end.items():
        rows = _rows(result, end)
        if not rows or rows[0]["report_date"] != date.fromisoformat(filed[0]["filed"]):
            continue  # first published inside a longer span (derived), or the period is a mis-tagged one
        checked += 1
        assert rows[0]["net_income"] == filed[0]["val"], (symbol, end)
        # Latest: as last filed, within one rounding step of the coarser figure (246 M / 247 M).
        assert abs(rows[-1]["net_income"] - filed[-1]["val"]) <= 1_000_000, (symbol, end)
    assert checked >= {"SNOW": 15, "MRVL": 15, "GOOGL": 30, "NVDA": 45}[symbol]


def test_ttm_net_income_matches_each_10k_annual_figure_at_its_filing_date(bodies, parsed):
    matched = total = 0
    for symbol in ("SNOW", "MRVL", "GOOGL", "NVDA", "AAPL"):
        annual = [r for r in _gaap(bodies, symbol, "NetIncomeLoss") if r["form"] == "10-K" and 350 <= _days(r) <= 380]
        for r in annual:
            day, end = date.fromisoformat(r["filed"]), date.fromisoformat(r["end"])
            if end < date.fromisoformat(r["filed"]) - timedelta(days=120):
                continue  # a prior year shown as a comparative
            standing = _as_of(parsed[symbol], day)
            quarters = sorted(e for e in standing if end - timedelta(days=350) < e <= end)
            if len(quarters) != 4:
                continue
            total += 1
            ttm = sum(standing[e]["net_income"] for e in quarters)
            matched += abs(ttm - r["val"]) <= 0.005 * abs(r["val"])
    assert total >= 40
    assert matched == total


def test_ifrs_filer_stays_not_covered(parsed):
    assert (parsed["LPA"].covered, parsed["LPA"].rows) == (False, [])
    assert "IFRS" in parsed["LPA"].reason


# --- 1. per-share values on one basis -----------------------------------------------------


def test_the_document_declares_its_splits_and_basis(parsed):
    nvda = parsed["NVDA"]
    assert [(e.ratio, e.last_old, e.first_new) for e in nvda.splits] == [
        (4, date(2021, 5, 26), date(2021, 8, 20)),
        (10, date(2024, 5, 29), date(2024, 8, 28)),
    ]
    assert [(e.ratio, e.first_new) for e in parsed["GOOGL"].splits] == [(20, date(2022, 7, 27))]
    assert {r["eps_basis_date"] for r in nvda.rows if r["eps_diluted"] is not None} == {nvda.eps_basis_date}
    assert parsed["SNOW"].splits == ()


@pytest.mark.parametrize("symbol", ["NVDA", "GOOGL"])
def test_fourth_quarter_eps_is_on_one_basis_and_within_1pct_of_the_filed_value(bodies, parsed, symbol):
    eps = _gaap(bodies, symbol, "EarningsPerShareDiluted", "USD/shares")
    checked = 0
    for a in (r for r in eps if r["form"] == "10-K" and 350 <= _days(r) <= 380):
        end, filed = date.fromisoformat(a["end"]), date.fromisoformat(a["filed"])
        if end < filed - timedelta(days=120):
            continue
        nine = [r for r in eps if r["start"] == a["start"] and 260 <= _days(r) <= 280 and r["filed"] < a["filed"]]
        if not nine:
            continue
        nine_months = max(nine, key=lambda r: r["filed"])
        # Both as filed before any split that falls after the 10-K: the fourth quarter as filed.
        assert _factor_after(symbol, date.fromisoformat(nine_months["filed"])) == _factor_after(symbol, filed)
        direct = [r for r in eps if r["accn"] == a["accn"] and r["end"] == a["end"] and 80 <= _days(r) <= 100]
        q4_filed = direct[0]["val"] if direct else a["val"] - nine_months["val"]
        expected = q4_filed / _factor_after(symbol, filed)
        for row in _rows(parsed[symbol], end):
            assert row["eps_diluted"] == pytest.approx(expected, rel=0.01, abs=0.006 / _factor_after(symbol, filed)), (
                end,
                row,
            )
        checked += 1
    assert checked >= {"NVDA": 14, "GOOGL": 8}[symbol]


def test_named_fourth_quarters(parsed):
    def eps(symbol, end):
        return [r["eps_diluted"] for r in _rows(parsed[symbol], end)]

    assert all(v == pytest.approx(0.493, abs=0.002) for v in eps("NVDA", date(2024, 1, 28)))  # 4.93 filed
    assert all(v == pytest.approx(0.057, abs=0.001) for v in eps("NVDA", date(2023, 1, 29)))  # 0.57 filed
    assert all(v == pytest.approx(22.23 / 20, rel=0.01) for v in eps("GOOGL", date(2020, 12, 31)))
    assert all(v == pytest.approx(30.67 / 20, rel=0.01) for v in eps("GOOGL", date(2021, 12, 31)))
    first = _rows(parsed["NVDA"], date(2024, 1, 28))[0]
    assert (first["eps_diluted_as_reported"], first["eps_split_factor"]) == (pytest.approx(4.92, abs=0.01), 10)


def _growth_pairs(bodies, symbol):
    """(quarter end, year-ago end, growth) from the latest filing that shows both quarters: one basis."""
    eps = [r for r in _gaap(bodies, symbol, "EarningsPerShareDiluted", "USD/shares") if 80 <= _days(r) <= 100]
    by_accn: dict[str, dict[date, dict]] = {}
    for r in eps:
        by_accn.setdefault(r["accn"], {})[date.fromisoformat(r["end"])] = r
    pairs: dict[tuple[date, date], tuple[str, float, float]] = {}
    for quarters in by_accn.values():
        for end, r in quarters.items():
            prev = next((e for e in quarters if 357 <= (end - e).days <= 371), None)
            if prev is None:
                continue
            key = (end, prev)
            if key not in pairs or r["filed"] > pairs[key][0]:
                pairs[key] = (r["filed"], r["val"], quarters[prev]["val"])
    return {k: (v, b) for k, (_, v, b) in pairs.items()}


def _restated(result) -> set[date]:
    """Quarters whose net income was restated (not a rounding flip): their year-ago pair was never filed restated."""
    values: dict[date, list[float]] = {}
    for r in result.rows:
        values.setdefault(r["fiscal_period_end"], []).append(r["net_income"])
    return {e for e, v in values.items() if max(v) - min(v) > 1_000_000}


def test_eps_growth_of_each_year_ago_pair_at_the_latest_date(bodies, parsed):
    wrong, total = [], 0
    for symbol in ("NVDA", "GOOGL", "AAPL"):
        standing = _as_of(parsed[symbol], date.max)
        restated = _restated(parsed[symbol])
        for (end, prev), (v, b) in sorted(_growth_pairs(bodies, symbol).items()):
            if b <= 0.05 or end not in standing or prev not in standing or {end, prev} & restated:
                continue
            total += 1
            ours = standing[end]["eps_diluted"] / standing[prev]["eps_diluted"] - 1
            lo, hi = (v - 0.005) / (b + 0.005) - 1, (v + 0.005) / (b - 0.005) - 1
            if not lo - 0.01 <= ours <= hi + 0.01:
                wrong.append((symbol, end, round(ours, 3), round(v / b - 1, 3)))
    assert total >= 120
    assert wrong == []


def test_named_growth_pairs(parsed):
    def growth(symbol, end, prev):
        standing = _as_of(parsed[symbol], date.max)
        return standing[end]["eps_diluted"] / standing[prev]["eps_diluted"] - 1

    assert growth("AAPL", date(2012, 12, 29), date(2011, 12, 31)) == pytest.approx(-0.01, abs=0.02)
    assert growth("NVDA", date(2024, 4, 28), date(2023, 4, 30)) == pytest.approx(6.32, abs=0.1)


def test_ttm_eps_after_a_split_is_on_the_new_basis(parsed):
    standing = _as_of(parsed["NVDA"], date(2024, 8, 28))
    quarters = sorted(standing)[-4:]
    assert quarters[-1] == date(2024, 7, 28)
    assert sum(standing[e]["eps_diluted"] for e in quarters) == pytest.approx(2.13, abs=0.03)


def test_a_re_basing_is_not_a_restatement(parsed):
    # NVIDIA Q1 FY24 (2023-04-30): filed 0.82 in 2023, shown as 0.08 after the 10:1 split: one version.
    rows = _rows(parsed["NVDA"], date(2023, 4, 30))
    assert [r["report_date"] for r in rows] == [date(2023, 5, 26)]
    assert rows[0]["eps_diluted"] == pytest.approx(0.082)


# --- 2. an annual restated without its quarters -----------------------------------------------


def test_apple_restated_year_is_not_pushed_into_the_fourth_quarter(parsed):
    q4_09 = [(r["report_date"], r["net_income"]) for r in _rows(parsed["AAPL"], date(2009, 9, 26))]
    assert 4_196_000_000 not in [v for _, v in q4_09]
    assert q4_09[0] == (date(2009, 10, 27), 1_665_000_000)
    # The restated fourth quarter arrives with the restated nine months (10-Q of 2010-07-21).
    assert q4_09[-1][1] == 2_532_000_000 and q4_09[-1][0] <= date(2010, 10, 27)
    assert [r["net_income"] for r in _rows(parsed["AAPL"], date(2008, 9, 27))] == [1_136_000_000]


def test_apple_ttm_while_the_restated_quarters_were_missing(parsed):
    # Between the 10-K/A and the 10-Q carrying the restated nine months, TTM stands on the as-filed Q4.
    standing = _as_of(parsed["AAPL"], date(2010, 5, 1))
    assert standing[date(2009, 9, 26)]["net_income"] == 1_665_000_000


# --- 3. share counts ------------------------------------------------------------------------------


def test_alphabet_rows_carry_a_share_count_and_its_source(parsed):
    rows = parsed["GOOGL"].rows
    with_count = [r for r in rows if r["shares_outstanding"] is not None]
    assert len(with_count) >= 0.9 * len(rows)
    assert {r["shares_source"] for r in with_count} <= {"balance_sheet", "weighted_diluted"}
    latest = _rows(parsed["GOOGL"], date(2025, 12, 31))[0]
    assert (latest["shares_outstanding"], latest["shares_as_of"], latest["shares_source"]) == (
        12_088_000_000,
        date(2025, 12, 31),
        "balance_sheet",
    )
    # One issuer, however many tickers it trades under: the marts count it once by issuer_id.
    assert {(r["cik"], r["issuer_id"]) for r in rows} == {("0001652044", "0001652044")}


@pytest.mark.parametrize("symbol", ["SNOW", "MRVL", "NVDA", "AAPL"])
def test_cover_counts_carry_the_date_they_refer_to(parsed, symbol):
    cover = [r for r in parsed[symbol].rows if r["shares_source"] in ("dei_cover", "dei_cover_classes_summed")]
    assert cover
    lags = [
        (r["shares_as_of"] - r["fiscal_period_end"]).days
        for r in cover
        if r["form"] in ("10-K", "10-Q") and not r["as_comparative"]
    ]
    # Apple's first XBRL 10-Q (2009-07-22) dates its cover count at the period end; the others 2-101 days after.
    assert lags and min(lags) >= 0 and max(lags) <= 101
    assert sum(lag >= 2 for lag in lags) >= len(lags) - 1


# --- 4. smaller -------------------------------------------------------------------------------------


def test_no_phantom_quarter_from_a_mistagged_end(parsed):
    ends = sorted({r["fiscal_period_end"] for r in parsed["NVDA"].rows})
    assert date(2010, 7, 31) not in ends and date(2010, 8, 1) in ends
    for symbol in ("SNOW", "MRVL", "GOOGL", "NVDA", "AAPL"):
        ends = sorted({r["fiscal_period_end"] for r in parsed[symbol].rows})
        assert all((b - a).days > 60 for a, b in pairwise(ends)), symbol


def test_a_rounding_flip_is_not_a_restatement(parsed):
    assert [r["net_income"] for r in _rows(parsed["NVDA"], date(2015, 10, 25))] == [246_000_000]


def test_a_concept_switch_keeps_revenue_at_first_report(parsed):
    firsts = {}
    for r in parsed["AAPL"].rows:
        firsts.setdefault(r["fiscal_period_end"], r)
    assert [e for e, r in firsts.items() if r["revenue"] is None] == []


def test_8k_and_proxy_facts_are_not_read(bodies, parsed):
    # The documents hold 8-K and DEF 14A facts (Alphabet's recast of 2016-05-03, Apple's 8-K of 2013-04-24)...
    doc = json.loads(bodies["GOOGL"])
    assert {r["form"] for c in doc["facts"]["us-gaap"].values() for u in c["units"].values() for r in u} - PERIODIC
    for symbol in ("SNOW", "MRVL", "GOOGL", "NVDA", "AAPL"):
        assert {r["form"] for r in parsed[symbol].rows} <= PERIODIC, symbol
    # ...and a recast in an 8-K (new segments, a discontinued operation) is no new version of the quarter.
    q = {"start": "2024-01-01", "end": "2024-03-31", "fy": 2024, "fp": "Q1"}
    facts = [
        {**q, "val": 100, "filed": "2024-05-01", "form": "10-Q", "accn": "a1"},
        {**q, "val": 80, "filed": "2024-09-01", "form": "8-K", "accn": "a2"},
        {**q, "val": 90, "filed": "2025-04-01", "form": "DEF 14A", "accn": "a3"},
    ]
    from pipelines.sources.live.sec_companyfacts import quarterly_versions

    assert [(v.value, v.form) for v in quarterly_versions(facts)[date(2024, 3, 31)]] == [(100, "10-Q")]


def test_quarters_first_seen_as_comparatives_are_flagged(parsed):
    # Alphabet's first 10-Q (2015-10-29) shows Q1 2015 only as a comparative.
    first = _rows(parsed["GOOGL"], date(2015, 3, 31))[0]
    assert (first["report_date"], first["as_comparative"]) == (date(2015, 10, 29), True)
    q3 = _rows(parsed["GOOGL"], date(2015, 9, 30))[0]
    assert (q3["report_date"], q3["as_comparative"]) == (date(2015, 10, 29), False)
