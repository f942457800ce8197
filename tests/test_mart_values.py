"""The marts' values against an independent computation in pandas.

Each test reads the inputs the warehouse loaded (the `staging` views of warehouse.duckdb:
the landed files, de-duplicated, nothing computed yet), recomputes a mart in pandas by the
definitions of docs/metrics.md and ../shared/spec/metrics.md (not by translating the SQL),
and compares with the published mart (serving.duckdb). A wrong change to a model's SQL (a
ratio turned upside down, a window one month short, a membership rule lost) then shows as a
number that differs, which the tests of planted truths (test_marts_sample.py) may not see.

The windows and thresholds the documentation states are written here as constants on
purpose: a test that read them from dbt_project.yml would follow a wrong change to them.
Only settings the docs leave to configuration (the benchmark roles, the NAV staleness
limit, the level-break flag rules) are read from the project.
"""

from __future__ import annotations

import calendar
import datetime as dt
from itertools import pairwise
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import REPO, pipeline_env

# Documented windows and thresholds (../shared/spec/metrics.md, docs/metrics.md).
FUND_TRAILING_MONTHS = 12  # 12m: D minus 12 months to D
MNA_RECENT_MONTHS = 3
MNA_TRAILING_MONTHS = 12
MNA_TEPID_RATIO = 0.8
MNA_HOT_RATIO = 1.2

REL = 1e-9  # relative tolerance on returns and ratios (the warehouse rounds its fund index to 1e-14)


# ---------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wh(sample_warehouse: Path):
    """The working warehouse: the inputs (raw / staging) the marts were built from."""
    connection = duckdb.connect(str(sample_warehouse / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def serving(sample_warehouse: Path):
    """The published marts."""
    connection = duckdb.connect(str(sample_warehouse / "serving.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def roles(sample_warehouse: Path) -> dict[str, str]:
    from pipelines.config import load_settings

    return load_settings(pipeline_env(sample_warehouse)).dbt_vars()


@pytest.fixture(scope="module")
def project_vars() -> dict:
    return yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"]


@pytest.fixture(scope="module")
def trading_days(wh, roles) -> pd.Series:
    """The market calendar: the large benchmark's price dates."""
    days = frame(
        wh, "SELECT DISTINCT date FROM staging.stg_prices WHERE symbol = ? ORDER BY date", roles["large_symbol"].upper()
    )["date"]
    assert len(days) > 250
    return days.reset_index(drop=True)


@pytest.fixture(scope="module")
def latest(trading_days) -> dt.date:
    return trading_days.iloc[-1]


def frame(con, sql: str, *params) -> pd.DataFrame:
    out = con.execute(sql, list(params)).df()
    for column in out.columns:
        if str(out[column].dtype).startswith("datetime64"):
            out[column] = out[column].dt.date
    return out


def flags(wh, dataset: str, rules: list[str] | None = None) -> pd.DataFrame:
    out = frame(wh, "SELECT series, date_from, date_to, rule FROM staging.stg_series_flags WHERE dataset = ?", dataset)
    return out[out["rule"].isin(rules)] if rules is not None else out


def touches(flagged: pd.DataFrame, series: str, start, end) -> bool:
    """A flagged stretch (date_from, date_to) lies under a value observed from start to end
    when start < date_to and end > date_from (data_quality/series_flags.py)."""
    if start is None or pd.isna(start) or flagged.empty:
        return False
    mine = flagged[flagged["series"] == series]
    return bool(((mine["date_from"] < end) & (mine["date_to"] > start)).any())


def month_last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_back_end(day: dt.date, months: int) -> dt.date:
    """The last day of the month `months` months before day's month."""
    index = day.year * 12 + (day.month - 1) - months
    return month_last_day(index // 12, index % 12 + 1)


def minus_months(day: dt.date, months: int) -> dt.date:
    """day minus a number of calendar months, clamped to the month's end (31 March - 1 month
    = 28/29 February)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_weekday(year: int, month: int) -> dt.date:
    day = month_last_day(year, month)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def mismatches(expected: dict, got: dict, rel: float = REL) -> list:
    """Keys whose values differ (None must match None; numbers within rel)."""
    out = []
    for key in sorted(set(expected) | set(got), key=str):
        e, g = expected.get(key, "<missing>"), got.get(key, "<missing>")
        if isinstance(e, float) and isinstance(g, float) and not (np.isnan(e) or np.isnan(g)):
            if g != pytest.approx(e, rel=rel, abs=1e-12):
                out.append((key, e, g))
        elif not (e == g or (e is None and g is None)):
            out.append((key, e, g))
    return out


def none_if_nan(value):
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


# ---------------------------------------------------------------------------------------
# relative_strength: small level / large level, rebased to 1 at the start
# ---------------------------------------------------------------------------------------


def chained_level(wh, symbol: str, level_break_rules: list[str]) -> pd.Series:
    """A benchmark's level, chained from its own daily returns: adjusted closes when both days
    have one, else traded closes; a move across a flagged level break counts as 0."""
    prices = frame(wh, "SELECT date, close, adj_close FROM staging.stg_prices WHERE symbol = ? ORDER BY date", symbol)
    assert len(prices) > 250, symbol
    breaks = flags(wh, "prices", level_break_rules)
    previous = prices.shift(1)
    both_adjusted = prices["adj_close"].notna() & previous["adj_close"].notna()
    daily = np.where(
        both_adjusted, prices["adj_close"] / previous["adj_close"] - 1, prices["close"] / previous["close"] - 1
    )
    daily = pd.Series(daily, index=prices.index).fillna(0.0)
    for i in range(1, len(prices)):
        if touches(breaks, symbol, previous["date"].iloc[i], prices["date"].iloc[i]):
            daily.iloc[i] = 0.0
    return pd.Series((1 + daily).cumprod().to_numpy(), index=prices["date"].to_numpy())


@pytest.fixture(scope="module")
def expected_ratio(wh, roles, project_vars) -> pd.Series:
    rules = list(project_vars["level_break_flag_rules"])
    small = chained_level(wh, roles["small_symbol"].upper(), rules)
    large = chained_level(wh, roles["large_symbol"].upper(), rules)
    both = pd.concat({"small": small, "large": large}, axis=1, join="inner").sort_index()
    raw = both["small"] / both["large"]
    return raw / raw.iloc[0]


@pytest.fixture(scope="module")
def published_ratio(serving) -> pd.Series:
    rows = frame(serving, "SELECT date, ratio FROM marts.relative_strength ORDER BY date")
    return pd.Series(rows["ratio"].to_numpy(), index=rows["date"].to_numpy())


def test_relative_strength_is_small_over_large_rebased(expected_ratio, published_ratio, wh, roles, latest):
    assert list(published_ratio.index) == list(expected_ratio.index)
    assert published_ratio.iloc[0] == pytest.approx(1.0, abs=1e-15)
    # Named dates: the latest, the audit date, each year's last date, and a spread of others.
    dates = list(expected_ratio.index)
    picked = {dates[-1], dates[len(dates) // 2], dates[len(dates) // 3], dates[len(dates) // 7]}
    picked |= {max(d for d in dates if d.year == y) for y in {d.year for d in dates}}
    picked.add(max(d for d in dates if d <= dt.date(2025, 12, 9)))
    assert latest in picked
    for day in sorted(picked):
        assert published_ratio[day] == pytest.approx(expected_ratio[day], rel=REL), day
    # And the whole series.
    bad = mismatches(dict(expected_ratio.items()), dict(published_ratio.items()))
    assert not bad, bad[:5]
    # With adjusted closes held all along (the sample's benchmarks), the chained ratio is
    # the plain one: (small_t / small_0) / (large_t / large_0).
    adj = {
        sym: frame(wh, "SELECT date, adj_close FROM staging.stg_prices WHERE symbol = ? ORDER BY date", sym).set_index(
            "date"
        )["adj_close"]
        for sym in (roles["small_symbol"].upper(), roles["large_symbol"].upper())
    }
    small, large = adj[roles["small_symbol"].upper()], adj[roles["large_symbol"].upper()]
    if small.notna().all() and large.notna().all():
        start = dates[0]
        for day in sorted(picked):
            plain = (small[day] / small[start]) / (large[day] / large[start])
            assert published_ratio[day] == pytest.approx(plain, rel=REL), day


def test_relative_strength_rises_when_small_outperforms(published_ratio, wh, roles):
    """Over every calendar year and every calendar month held, the ratio rose exactly when the
    small benchmark's total return beat the large one's (from the adjusted closes)."""
    closes = {
        role: frame(
            wh,
            "SELECT date, adj_close FROM staging.stg_prices WHERE symbol = ? ORDER BY date",
            roles[f"{role}_symbol"].upper(),
        ).set_index("date")["adj_close"]
        for role in ("small", "large")
    }
    if not (closes["small"].notna().all() and closes["large"].notna().all()):
        pytest.skip("the direction check reads adjusted closes throughout")
    year_ends: dict = {}
    month_ends: dict = {}
    for day in sorted(published_ratio.index):  # the last date of each year / month held
        year_ends[day.year] = day
        month_ends[(day.year, day.month)] = day
    outperformed = rose = 0
    for kind, ends in (("year", sorted(year_ends.values())), ("month", sorted(month_ends.values()))):
        for start, end in pairwise(ends):
            small = closes["small"][end] / closes["small"][start]
            large = closes["large"][end] / closes["large"][start]
            change = published_ratio[end] / published_ratio[start]
            if abs(small / large - 1) < 1e-9:
                continue
            assert (change > 1) == (small > large), (kind, start, end, small, large, change)
            assert change == pytest.approx(small / large, rel=REL), (kind, start, end)
            outperformed += small > large
            rose += change > 1
    assert outperformed >= 3 and rose == outperformed


# ---------------------------------------------------------------------------------------
# fund_returns: each end the last NAV on or before its anchor, NAV + distributions
# ---------------------------------------------------------------------------------------


class Funds:
    """Every fund's NAVs and total-return index, computed in pandas from staging."""

    def __init__(self, wh, max_stale_days: int):
        self.max_stale = max_stale_days
        listed = frame(wh, "SELECT fund_id, name FROM staging.stg_funds")
        navs = frame(wh, "SELECT fund_id, date, nav, adj_nav FROM staging.stg_fund_navs ORDER BY fund_id, date")
        if len(listed):  # the universe is the configured funds (every fund with NAVs when none is)
            navs = navs[navs["fund_id"].isin(listed["fund_id"])]
        self.first_year = min(navs["date"]).year
        dists = frame(wh, "SELECT fund_id, ex_date, amount FROM staging.stg_fund_distributions")
        self.flagged = flags(wh, "fund_navs")
        self.series: dict[str, dict] = {}
        for fund_id, one in navs.groupby("fund_id"):
            one = one.sort_values("date").reset_index(drop=True)
            days = np.array([d.toordinal() for d in one["date"]])
            nav = one["nav"].to_numpy(dtype=float)
            mine = dists[dists["fund_id"] == fund_id]
            # A distribution is reinvested at the NAV of its ex-date, or of the next NAV held.
            paid = np.zeros(len(one))
            positions = np.searchsorted(days, [d.toordinal() for d in mine["ex_date"]], side="left")
            for position, amount in zip(positions, mine["amount"], strict=True):
                if position < len(one):
                    paid[position] += amount
            # TR_t = TR_{t-1} (nav_t + d_t) / nav_{t-1} telescopes: over (s, e] the index grows
            # by nav_e / nav_s times (nav_t + d_t) / nav_t on each day with a distribution. Computed
            # that way, a period without distributions between two equal NAVs is exactly 0.
            self.series[fund_id] = {
                "date": list(one["date"]),
                "day": days,
                "nav": nav,
                "adj_nav": one["adj_nav"].to_numpy(dtype=float),
                "paid_at": np.flatnonzero(paid > 0),
                "reinvested": 1 + paid / nav,
                "has_distributions": len(mine) > 0,
            }

    def at(self, fund_id: str, anchor: dt.date) -> int | None:
        """Position of the last NAV on or before the anchor (None when there is none)."""
        position = int(np.searchsorted(self.series[fund_id]["day"], anchor.toordinal(), side="right")) - 1
        return None if position < 0 else position

    @staticmethod
    def reinvested(one: dict, start: int, end: int) -> float:
        """The growth from reinvesting the distributions paid after start, up to end."""
        days = one["paid_at"][(one["paid_at"] > start) & (one["paid_at"] <= end)]
        return float(np.prod(one["reinvested"][days])) if len(days) else 1.0

    def period_return(self, fund_id: str, start_anchor: dt.date, end_anchor: dt.date) -> dict:
        one = self.series[fund_id]
        start, end = self.at(fund_id, start_anchor), self.at(fund_id, end_anchor)
        out = {
            "start_date": None if start is None else one["date"][start],
            "end_date": None if end is None else one["date"][end],
        }
        if one["has_distributions"]:
            basis = "total_return_distributions"
        elif (
            start is not None
            and end is not None
            and not np.isnan(one["adj_nav"][start])
            and not np.isnan(one["adj_nav"][end])
        ):
            basis = "adjusted_close"
        else:
            basis = "nav_only"
        out["return_basis"] = basis
        measurable = (
            start is not None
            and end is not None
            and one["day"][start] >= start_anchor.toordinal() - self.max_stale
            and one["day"][end] >= end_anchor.toordinal() - self.max_stale
            and end > start
        )
        if measurable and touches(self.flagged, fund_id, one["date"][start], one["date"][end]):
            measurable = False
        if not measurable:
            out.update(total_return=None, nav_return=None, adjusted_close_return=None)
            return out
        out["nav_return"] = float(one["nav"][end] / one["nav"][start] - 1)
        out["adjusted_close_return"] = none_if_nan(float(one["adj_nav"][end] / one["adj_nav"][start] - 1))
        out["total_return"] = {
            "total_return_distributions": float(
                one["nav"][end] / one["nav"][start] * self.reinvested(one, start, end) - 1
            ),
            "adjusted_close": out["adjusted_close_return"],
            "nav_only": out["nav_return"],
        }[basis]
        return out


@pytest.fixture(scope="module")
def funds(wh, project_vars) -> Funds:
    return Funds(wh, int(project_vars["fund_nav_max_stale_days"]))


def fund_periods(as_of: dt.date, trading_days: pd.Series, first_nav_year: int) -> dict[str, tuple[dt.date, dt.date]]:
    """period -> (start anchor, end anchor) at as-of date D, as docs/metrics.md defines them."""
    days = set(trading_days)
    is_latest = as_of == max(days)
    is_month_end = as_of == max(d for d in days if (d.year, d.month) == (as_of.year, as_of.month))
    # D closes its month when it is the month's last trading day; the latest date held only
    # when no weekday of its month follows it.
    if is_month_end and (not is_latest or as_of >= last_weekday(as_of.year, as_of.month)):
        month_end = month_last_day(as_of.year, as_of.month)
    else:
        month_end = months_back_end(as_of, 1)
    periods = {
        "YTD": (dt.date(as_of.year - 1, 12, 31), as_of),
        "1m": (months_back_end(month_end, 1), month_end),
        "3m": (months_back_end(month_end, 3), month_end),
        "12m": (minus_months(as_of, FUND_TRAILING_MONTHS), as_of),
    }
    for year in range(first_nav_year + 1, as_of.year):
        periods[f"CY{year}"] = (dt.date(year - 1, 12, 31), dt.date(year, 12, 31))
    return periods


def expected_fund_returns(funds: Funds, as_of: dt.date, trading_days: pd.Series) -> pd.DataFrame:
    rows = []
    for period, (start_anchor, end_anchor) in fund_periods(as_of, trading_days, funds.first_year).items():
        for fund_id in sorted(funds.series):
            rows.append(
                {"fund_id": fund_id, "period": period, **funds.period_return(fund_id, start_anchor, end_anchor)}
            )
    return pd.DataFrame(rows)


def test_fund_returns_match_nav_plus_distributions_for_every_period_and_fund(serving, funds, trading_days, latest):
    got = frame(serving, "SELECT * FROM marts.fund_returns")
    assert set(got["as_of_date"]) == {latest}
    expected = expected_fund_returns(funds, latest, trading_days)
    # The periods published are exactly YTD, 1m, 3m, 12m and each complete calendar year.
    assert set(got["period"]) == set(expected["period"])
    assert {"YTD", "1m", "3m", "12m"} <= set(got["period"])
    assert len(got) == len(expected) == len(funds.series) * got["period"].nunique()
    # Something to compare: every fund has a return in every period of the sample.
    assert expected["total_return"].notna().all()
    columns = ["start_date", "end_date", "return_basis", "total_return", "nav_return", "adjusted_close_return"]
    want = {(r.fund_id, r.period, c): none_if_nan(getattr(r, c)) for r in expected.itertuples() for c in columns}
    have = {(r.fund_id, r.period, c): none_if_nan(getattr(r, c)) for r in got.itertuples() for c in columns}
    bad = mismatches(want, have)
    assert not bad, f"{len(bad)} values differ, e.g. {bad[:6]}"
    # Anchors as documented, on the sample's latest date (31 March 2026, a Tuesday month end).
    anchors = fund_periods(latest, trading_days, funds.first_year)
    if latest == dt.date(2026, 3, 31):
        assert anchors["12m"] == (dt.date(2025, 3, 31), latest)
        assert anchors["1m"] == (dt.date(2026, 2, 28), dt.date(2026, 3, 31))
        assert anchors["3m"] == (dt.date(2025, 12, 31), dt.date(2026, 3, 31))


def test_fund_period_anchors_are_the_documented_ones():
    """The anchor arithmetic of this file on dates whose answers are written out."""
    days = pd.Series(pd.bdate_range("2024-01-01", "2026-03-31").date)
    mid = fund_periods(dt.date(2025, 12, 9), days, 2024)
    assert mid["YTD"] == (dt.date(2024, 12, 31), dt.date(2025, 12, 9))
    assert mid["1m"] == (dt.date(2025, 10, 31), dt.date(2025, 11, 30))
    assert mid["3m"] == (dt.date(2025, 8, 31), dt.date(2025, 11, 30))
    assert mid["12m"] == (dt.date(2024, 12, 9), dt.date(2025, 12, 9))
    assert set(mid) == {"YTD", "1m", "3m", "12m"}
    leap = fund_periods(dt.date(2025, 2, 28), days, 2023)
    assert leap["12m"] == (dt.date(2024, 2, 28), dt.date(2025, 2, 28))
    assert leap["1m"] == (dt.date(2025, 1, 31), dt.date(2025, 2, 28))
    assert "CY2024" in leap


# ---------------------------------------------------------------------------------------
# fund_scorecard: the period's aggregates of the funds' returns
# ---------------------------------------------------------------------------------------


def scorecard_of(returns: pd.DataFrame) -> dict[str, dict]:
    out = {}
    for period, rows in returns.groupby("period"):
        with_return = rows[rows["total_return"].notna()]
        worst = with_return.sort_values(["total_return", "fund_id"]).iloc[0] if len(with_return) else None
        out[period] = {
            "funds_tracked": len(with_return),
            "funds_with_loss": int((with_return["total_return"] < 0).sum()),
            "worst_fund_id": None if worst is None else worst["fund_id"],
            "worst_return": None if worst is None else float(worst["total_return"]),
            "median_return": None if worst is None else float(with_return["total_return"].median()),
        }
    return out


SCORE_COLUMNS = ["funds_tracked", "funds_with_loss", "worst_fund_id", "worst_return", "median_return"]


def published_scorecard(serving, as_of: dt.date) -> dict[str, dict]:
    rows = frame(
        serving, f"SELECT period, {', '.join(SCORE_COLUMNS)} FROM marts.fund_scorecard WHERE as_of_date = ?", as_of
    )
    return {r["period"]: {c: none_if_nan(r[c]) for c in SCORE_COLUMNS} for r in rows.to_dict("records")}


def flat(card: dict[str, dict]) -> dict:
    return {(p, c): v for p, values in card.items() for c, v in values.items()}


def test_fund_scorecard_aggregates_the_published_fund_returns(serving, latest):
    returns = frame(serving, "SELECT fund_id, period, total_return FROM marts.fund_returns")
    expected = scorecard_of(returns)
    got = published_scorecard(serving, latest)
    assert set(got) == set(expected) and len(got) >= 5
    bad = mismatches(flat(expected), flat(got))
    assert not bad, bad[:6]


def test_fund_scorecard_matches_independent_fund_returns_at_every_as_of_date(serving, funds, trading_days, latest):
    """At every as-of date the scorecard holds (month ends, the article's date, the latest
    date), the scorecard of returns computed here. Mid-month dates end 1m and 3m at the
    previous month's end; early dates have no return for long periods."""
    days = list(trading_days)
    month_ends = {max(d for d in days if (d.year, d.month) == ym) for ym in {(d.year, d.month) for d in days}}
    audit_day = max(d for d in days if d <= dt.date(2025, 12, 9))
    as_of_dates = sorted(month_ends | {latest, audit_day})
    published = frame(serving, f"SELECT period, as_of_date, {', '.join(SCORE_COLUMNS)} FROM marts.fund_scorecard")
    assert sorted(set(published["as_of_date"])) == as_of_dates
    have = {
        (r["as_of_date"], r["period"], c): none_if_nan(r[c])
        for r in published.to_dict("records")
        for c in SCORE_COLUMNS
    }
    want = {}
    for as_of in as_of_dates:
        for (period, column), value in flat(scorecard_of(expected_fund_returns(funds, as_of, trading_days))).items():
            want[(as_of, period, column)] = value
    bad = mismatches(want, have)
    assert not bad, f"{len(bad)} values differ, e.g. {bad[:6]}"
    # Not vacuous: most as-of dates have every fund tracked, and some had losses.
    tracked = [v for (_, p, c), v in want.items() if c == "funds_tracked" and p == "YTD"]
    assert sum(t == len(funds.series) for t in tracked) >= len(as_of_dates) // 2
    assert any(v for (_, _, c), v in want.items() if c == "funds_with_loss")


# ---------------------------------------------------------------------------------------
# mna_activity: deals on small-index targets per complete month, windows and status
# ---------------------------------------------------------------------------------------


def expected_mna(wh, roles, trading_days) -> pd.DataFrame:
    small_index = roles["small_index"].upper()
    members = frame(wh, "SELECT as_of_date, symbol FROM staging.stg_universe WHERE index_id = ?", small_index)
    snapshots = sorted(set(members["as_of_date"]))
    in_snapshot = {d: set(g["symbol"]) for d, g in members.groupby("as_of_date")}
    events = frame(wh, "SELECT announce_date, target_symbol, deal_value_usd FROM staging.stg_mna_events")

    def counted(event) -> bool:
        # Any status counts; the target must be in the small index's snapshot in force at the
        # announcement (the latest one on or before it).
        in_force = [s for s in snapshots if s <= event.announce_date]
        return bool(in_force) and event.target_symbol in in_snapshot[in_force[-1]]

    deals = events[[counted(e) for e in events.itertuples()]].copy()
    deals["month"] = [dt.date(d.year, d.month, 1) for d in deals["announce_date"]]
    per_month = deals.groupby("month").size().to_dict()
    value_per_month = deals.groupby("month")["deal_value_usd"].sum().to_dict()

    latest = trading_days.iloc[-1]
    months = sorted({dt.date(d.year, d.month, 1) for d in trading_days})
    last_trading = {m: max(d for d in trading_days if (d.year, d.month) == (m.year, m.month)) for m in months}

    # Coverage starts at the later of the first event's month and the first month wholly on or
    # after the first small snapshot; a status needs a whole trailing window of covered months.
    first_event = min(events["announce_date"])
    first_snapshot = snapshots[0]
    snapshot_month = first_snapshot if first_snapshot.day == 1 else minus_months(first_snapshot.replace(day=1), -1)
    first_month = max(dt.date(first_event.year, first_event.month, 1), snapshot_month)
    first_judged = minus_months(first_month, -(MNA_TRAILING_MONTHS - 1))

    rows = []
    for i, month in enumerate(months):
        # Complete once a later trading day is held, or the data reaches the month's last weekday.
        complete = last_trading[month] < latest or latest >= last_weekday(month.year, month.month)
        recent = [per_month.get(m, 0) for m in months[max(0, i - MNA_RECENT_MONTHS + 1) : i + 1]]
        trailing = [per_month.get(m, 0) for m in months[max(0, i - MNA_TRAILING_MONTHS + 1) : i + 1]]
        covered = complete and month >= first_judged
        deals_3m = sum(recent) if complete else None
        average = sum(trailing) / len(trailing) if covered else None
        if not covered:
            status = "insufficient_data"
        elif deals_3m < MNA_TEPID_RATIO * MNA_RECENT_MONTHS * average:
            status = "tepid"
        elif deals_3m > MNA_HOT_RATIO * MNA_RECENT_MONTHS * average:
            status = "accelerating"
        else:
            status = "steady"
        rows.append(
            {
                "month": month,
                "deals": per_month.get(month, 0),
                "deal_value_usd": float(value_per_month.get(month, 0.0) or 0.0),
                "deals_3m": deals_3m,
                "trailing_12m_avg": average,
                "status": status,
                "is_complete_month": complete,
            }
        )
    return pd.DataFrame(rows)


MNA_COLUMNS = ["deals", "deal_value_usd", "deals_3m", "trailing_12m_avg", "status", "is_complete_month"]


def mna_table(df: pd.DataFrame) -> dict:
    out = {}
    for r in df.to_dict("records"):
        for c in MNA_COLUMNS:
            value = none_if_nan(r[c])
            if isinstance(value, (bool, np.bool_)):
                value = bool(value)
            elif isinstance(value, (int, float, np.integer, np.floating)):
                value = float(value)
            out[(r["month"], c)] = value
    return out


def test_mna_activity_counts_windows_and_status(wh, serving, roles, trading_days):
    expected = expected_mna(wh, roles, trading_days)
    got = frame(serving, f"SELECT month, {', '.join(MNA_COLUMNS)} FROM marts.mna_activity ORDER BY month")
    assert list(got["month"]) == list(expected["month"])
    bad = mismatches(mna_table(expected), mna_table(got))
    assert not bad, f"{len(bad)} values differ, e.g. {bad[:6]}"
    # Something to judge: years of statuses, more than one of them, and deals the membership
    # rule dropped (targets outside the small index at their announcement).
    judged = expected[expected["status"] != "insufficient_data"]
    assert len(judged) >= 24 and judged["trailing_12m_avg"].gt(0).all()
    assert judged["status"].nunique() >= 2
    events = frame(wh, "SELECT count(*) AS n FROM staging.stg_mna_events")["n"].iloc[0]
    assert 0 < expected["deals"].sum() <= events


def test_mna_windows_on_a_few_months(serving, wh, roles, trading_days):
    """Spelled out for a few months: deals_3m the sum of the month and the two before,
    trailing_12m_avg the mean of the month and the eleven before."""
    expected = expected_mna(wh, roles, trading_days).set_index("month")
    got = frame(serving, "SELECT month, deals, deals_3m, trailing_12m_avg FROM marts.mna_activity").set_index("month")
    judged = [m for m in expected.index if expected.loc[m, "status"] != "insufficient_data"]
    months = list(expected.index)
    for month in (judged[0], judged[len(judged) // 2], judged[-1]):
        position = months.index(month)
        window12 = got["deals"].iloc[position - 11 : position + 1]
        window3 = got["deals"].iloc[position - 2 : position + 1]
        assert len(window12) == 12
        assert got.loc[month, "deals_3m"] == window3.sum() == expected["deals"].iloc[position - 2 : position + 1].sum()
        assert got.loc[month, "trailing_12m_avg"] == pytest.approx(window12.mean()), month
        assert got.loc[month, "trailing_12m_avg"] == pytest.approx(expected.loc[month, "trailing_12m_avg"]), month


# ---------------------------------------------------------------------------------------
# eps_growth: same-company growth per calendar quarter for the members at the latest date
# ---------------------------------------------------------------------------------------


def expected_eps_growth(wh, roles, as_of: dt.date) -> pd.DataFrame:
    earnings = frame(
        wh,
        "SELECT symbol, issuer_id, fiscal_period_end, report_date, net_income, eps_diluted, "
        "eps_basis_date FROM staging.stg_earnings",
    )
    splits = frame(wh, "SELECT symbol, date, ratio FROM staging.stg_splits ORDER BY symbol, date")
    earnings["cq"] = [d.year * 4 + (d.month - 1) // 3 for d in earnings["fiscal_period_end"]]
    # Two fiscal quarters ending in one calendar quarter: the later one counts.
    later = earnings.groupby(["symbol", "cq"])["fiscal_period_end"].transform("max")
    earnings = earnings[earnings["fiscal_period_end"] == later].copy()
    # EPS per share of the symbol's first basis (times every split up to the EPS's basis
    # date), so a split between Q-4 and Q is no growth. Only the median reads EPS.
    multiple = np.ones(len(earnings))
    for split in splits.itertuples():
        multiple *= np.where(
            (earnings["symbol"] == split.symbol) & (earnings["eps_basis_date"] >= split.date), split.ratio, 1.0
        )
    earnings["eps_first_basis"] = earnings["eps_diluted"] * multiple
    # As known at D: each company's latest filed version of each quarter.
    visible = earnings[earnings["report_date"] <= as_of].sort_values("report_date")
    known = visible.groupby(["symbol", "cq"]).tail(1).set_index(["symbol", "cq"])
    quarters = sorted(q for q in set(earnings["cq"]) if month_last_day(q // 4, (q % 4) * 3 + 3) <= as_of)
    issuer_of = dict(zip(earnings["symbol"], earnings["issuer_id"], strict=True))

    rows = []
    for role in ("small", "large"):
        universe = frame(
            wh,
            "SELECT as_of_date, symbol, weight FROM staging.stg_universe WHERE index_id = ?",
            roles[f"{role}_index"].upper(),
        )
        snapshot = max(d for d in set(universe["as_of_date"]) if d <= as_of)  # the members at D
        members = universe[universe["as_of_date"] == snapshot].copy()
        members["issuer"] = [issuer_of.get(s, s) for s in members["symbol"]]  # each issuer once
        members = members.sort_values(["weight", "symbol"], ascending=[False, True]).drop_duplicates("issuer")
        symbols = sorted(members["symbol"])
        for q in quarters:
            now = known.reindex([(s, q) for s in symbols])
            base = known.reindex([(s, q - 4) for s in symbols])
            ni, ni_base = now["net_income"].to_numpy(dtype=float), base["net_income"].to_numpy(dtype=float)
            both = ~np.isnan(ni) & ~np.isnan(ni_base)  # the same companies in Q and Q-4
            total, total_base = ni[both].sum(), ni_base[both].sum()
            eps, eps_base = now["eps_first_basis"].to_numpy(dtype=float), base["eps_first_basis"].to_numpy(dtype=float)
            positive = ~np.isnan(eps) & (eps_base > 0)
            rows.append(
                {
                    "index_role": role,
                    "calendar_quarter": f"{q // 4}Q{q % 4 + 1}",
                    "constituents": float(len(symbols)),
                    "companies": float(both.sum()),
                    "net_income_sum": float(total) if both.any() else None,
                    "net_income_base_sum": float(total_base) if both.any() else None,
                    "aggregate_growth": float(total / total_base - 1) if both.any() and total_base > 0 else None,
                    "median_eps_growth": float(np.median(eps[positive] / eps_base[positive] - 1))
                    if positive.any()
                    else None,
                }
            )
    return pd.DataFrame(rows)


EPS_COLUMNS = [
    "constituents",
    "companies",
    "net_income_sum",
    "net_income_base_sum",
    "aggregate_growth",
    "median_eps_growth",
]


def eps_table(df: pd.DataFrame) -> dict:
    return {
        (r["index_role"], r["calendar_quarter"], c): (None if none_if_nan(r[c]) is None else float(r[c]))
        for r in df.to_dict("records")
        for c in EPS_COLUMNS
    }


def test_eps_growth_is_same_company_growth_of_the_members(wh, serving, roles, latest):
    got = frame(
        serving, f"SELECT index_role, calendar_quarter, as_of_date, {', '.join(EPS_COLUMNS)} FROM marts.eps_growth"
    )
    assert set(got["as_of_date"]) == {latest}
    expected = expected_eps_growth(wh, roles, latest)
    keys = ["index_role", "calendar_quarter"]
    assert sorted(map(tuple, got[keys].to_numpy())) == sorted(map(tuple, expected[keys].to_numpy()))
    bad = mismatches(eps_table(expected), eps_table(got))
    assert not bad, f"{len(bad)} values differ, e.g. {bad[:6]}"
    # Spelled out for the latest quarters of each role: not vacuous, hundreds of companies.
    want, have = eps_table(expected), eps_table(got)
    for role, quarter in (("small", "2025Q4"), ("small", "2025Q3"), ("small", "2024Q4"), ("large", "2025Q4")):
        assert have[(role, quarter, "companies")] >= 0.7 * have[(role, quarter, "constituents")] > 0
        assert have[(role, quarter, "aggregate_growth")] == pytest.approx(
            want[(role, quarter, "aggregate_growth")], rel=REL
        )
        assert have[(role, quarter, "aggregate_growth")] == pytest.approx(
            have[(role, quarter, "net_income_sum")] / have[(role, quarter, "net_income_base_sum")] - 1, rel=REL
        )
