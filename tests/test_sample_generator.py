"""The synthetic `sample` market: contract shape, internal consistency, the planted scenario,
and the landing cache.

Most checks run on a small market (60 + 20 companies); the planted scenario is also
checked on one market of the default size. The benchmark-size timing is not a test: run
`.venv/bin/python -m tests.test_sample_generator` by hand.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pipelines.config import Settings
from pipelines.datasets import DATASETS
from pipelines.sources.sample import source as sample_source
from pipelines.sources.sample.generator import (
    SECTOR_LEADERS,
    SECTORS,
    SampleParams,
    build_timeline,
    generate_market,
    plan_sector_lead,
)
from pipelines.sources.sample.generator import _stream as component_stream
from pipelines.sources.sample.truths import AUDIT_DATE

SMALL = SampleParams(n_small=60, n_large=20)


@pytest.fixture(scope="module")
def small_market():
    return generate_market(SMALL)


@pytest.fixture(scope="module")
def default_market():
    return generate_market(SampleParams())


def adjusted_wide(market) -> pd.DataFrame:
    prices = market.tables["prices"]
    return prices.pivot(index="date", columns="symbol", values="adj_close")


def planted_problems(truths: dict) -> list[str]:
    """The article's scenario as planted; an empty list when it all holds."""
    surge, funds, rally = truths["surge_5d"], truths["funds_ytd_at_audit"], truths["rally_week"] or {}
    spread_beta, valuation = truths["yield_sensitivity_at_audit"]["spread"], truths["valuation_at_audit"]
    surge_end = pd.Timestamp(surge["end_date"])
    checks = {
        "surge 0.085..0.095": 0.085 <= surge["return"] <= 0.095,
        "no other surge window in the 30 days": surge["windows_at_or_above_threshold"] == 1,
        # 2025-11-24 is ten trading days before the audit date (Thanksgiving in between).
        "surge ends within 10 trading days before the audit": pd.Timestamp("2025-11-24") <= surge_end < AUDIT_DATE,
        "YTD spread < 0": truths["ytd_at_audit"]["spread"] < 0,
        "large wins every complete year": all(
            y["large"] > y["small"] for y in truths["calendar_year_returns"].values()
        ),
        "share unprofitable 0.35..0.45": 0.35 <= truths["share_unprofitable_at_audit"]["share"] <= 0.45,
        "27 of 29 funds lose": (funds["funds_tracked"], funds["funds_with_loss"]) == (29, 27),
        "worst fund about -0.148": abs(funds["worst_return"] + 0.148) <= 0.01,
        "one rally week": rally.get("weeks_at_or_above_threshold") == 1,
        "rally after the article, sustained": rally.get("sustained") is True
        and pd.Timestamp(rally["week_end_date"]) > AUDIT_DATE,
        "cut effective 2025-12-11 in window": truths["fed_cut_in_window"]
        == {"effective_date": "2025-12-11", "change_bp": -25.0},
        "spread yield beta < 0 with t <= -2": spread_beta["beta"] < 0 and spread_beta["t_stat"] <= -2,
        "EPS growth 2025Q4 >= 0.15": (truths["eps_growth_small"].get("2025Q4") or 0) >= 0.15,
        "valuation discount below its median": valuation["relative"] < 1
        and valuation["relative"] <= valuation["history_median"],
        "M&A accelerating": truths["mna_activity"]["status"] == "accelerating",
        "a split and a delisting": bool(truths["splits"]) and bool(truths["delisted"]),
        **new_claim_checks(truths),
    }
    return [name for name, ok in checks.items() if not ok]


def new_claim_checks(truths: dict) -> dict[str, bool]:
    """Issue #19's claims as planted (docs/sample-market.md): each verdict is the planted one."""
    vol, liquidity = truths["volatility_at_audit"], truths["liquidity_at_audit"]
    universe, sectors, rebounds = (
        truths["universe_at_audit"],
        truths["sector_returns_at_audit"],
        truths["rebounds_at_audit"],
    )
    named = ("Technology", "Health Care", "Industrials")  # the sample's sector names of the claim's three
    leaders = [sectors[name]["relative_6m"] for name in named]
    others = [
        v["relative_6m"] for k, v in sectors.items() if isinstance(v, dict) and "relative_6m" in v and k not in named
    ]
    return {
        "small more volatile at the audit and most days of 5 years": vol["verdict"] == "supported"
        and vol["ratio"] > 1
        and vol["share_days_above_1"] > 0.5,
        "small members less liquid (dollar volume and Amihud)": liquidity["verdict"] == "supported",
        "IPOs outnumber removals in the audit year": universe["verdict"] == "supported"
        and universe["additions"] - universe["removals"] in (2, 3),
        "Technology, Health Care, Industrials lead by 4-7%": sectors["verdict"] == "supported"
        and all(0.039 <= r <= 0.071 for r in leaders),
        "another sector lags": min(others) < 0,
        "two or more corrections, most rebounding": rebounds["verdict"] == "supported" and rebounds["episodes"] >= 2,
    }


# --- determinism ----------------------------------------------------------------------


def test_same_seed_gives_identical_frames_and_truths(small_market):
    again = generate_market(SMALL)
    for name, frame in small_market.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name], check_exact=True)
    assert again.truths == small_market.truths


def test_another_seed_gives_another_market(small_market):
    other = generate_market(replace(SMALL, seed=SMALL.seed + 1))
    assert not other.tables["prices"]["adj_close"].equals(small_market.tables["prices"]["adj_close"])
    assert set(other.tables["universe"]["symbol"]) != set(small_market.tables["universe"]["symbol"])


# --- the contract ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATASETS))
def test_tables_follow_the_contract(small_market, name):
    dataset, frame = DATASETS[name], small_market.tables[name]
    assert list(frame.columns) == list(dataset.column_names)
    assert len(frame) > 0
    assert not frame.duplicated(list(dataset.key)).any()
    for column in dataset.columns:
        if column.sql_type == "DATE":
            assert frame[column.name].dtype == "datetime64[ns]"
            dated = frame[column.name].dropna()  # an optional date left blank is the contract's default
            assert (dated == dated.dt.normalize()).all()
        if column.required and not column.nullable:
            assert frame[column.name].notna().all(), column.name


def test_truths_are_json_and_say_synthetic(small_market):
    json.dumps(small_market.truths)  # JSON-serialisable as is
    assert small_market.truths["synthetic"] is True


def test_bars_are_consistent_and_positive(small_market):
    bars = small_market.tables["prices"]
    assert (bars[["open", "high", "low", "close", "adj_close"]] > 0).all().all()
    assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()
    assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
    assert (bars["volume"] >= 0).all()


def test_tickers_avoid_the_benchmarks_and_have_three_or_four_letters(small_market):
    companies = set(small_market.tables["universe"]["symbol"])
    assert not companies & {SMALL.small_symbol, SMALL.large_symbol}
    assert all(s.isalpha() and s.isupper() and len(s) in (3, 4) for s in companies)
    funds = small_market.tables["funds"]
    assert len(funds) == 29 and set(funds["domicile"]) == {"US"}
    assert set(funds["category"]) == {"Small Blend", "Small Growth", "Small Value"}


def test_trading_days_skip_nyse_holidays(small_market):
    days = pd.DatetimeIndex(small_market.tables["prices"].query("symbol == 'IWM'")["date"])
    # 2025-01-09: President Carter's funeral, a one-off closure (the NYSE calendar's, not a rule).
    for holiday in (
        "2024-03-29",
        "2024-07-04",
        "2025-01-01",
        "2025-01-09",
        "2025-06-19",
        "2025-11-27",
        "2025-12-25",
        "2026-01-19",
    ):
        assert pd.Timestamp(holiday) not in days
    assert (days.weekday < 5).all()
    assert pd.Timestamp("2025-10-13") in days  # Columbus Day: stocks trade, bonds do not


# --- internal consistency -------------------------------------------------------------


def test_constituents_add_up_to_their_index(small_market):
    """Snapshot-weighted member return = the benchmark's total return, every day."""
    wide = adjusted_wide(small_market)
    returns = wide / wide.shift(1) - 1
    universe = small_market.tables["universe"]
    snapshots = sorted(universe["as_of_date"].unique())
    for index_id, symbol in ((SMALL.small_index, SMALL.small_symbol), (SMALL.large_index, SMALL.large_symbol)):
        for start, stop in zip(snapshots, snapshots[1:] + [wide.index[-1] + pd.Timedelta(days=1)], strict=True):
            members = universe[(universe["index_id"] == index_id) & (universe["as_of_date"] == start)]
            weights = members.set_index("symbol")["weight"]
            block = returns.loc[(returns.index > start) & (returns.index < stop), weights.index]
            w = block.notna() * weights
            member_return = (block.fillna(0) * w).sum(axis=1) / w.sum(axis=1)
            index_return = returns.loc[block.index, symbol]
            assert np.allclose(member_return, index_return, atol=2e-5), (index_id, start)


def test_universe_snapshots(small_market):
    universe = small_market.tables["universe"]
    sums = universe.groupby(["index_id", "as_of_date"])["weight"].sum()
    assert np.allclose(sums, 1.0)
    days = pd.DatetimeIndex(small_market.tables["prices"].query("symbol == 'IWM'")["date"])
    snapshot_days = pd.DatetimeIndex(sorted(universe["as_of_date"].unique()))
    assert snapshot_days[0] == days[0]
    quarter_ends = days[np.r_[days.quarter[1:] != days.quarter[:-1], True]]
    assert set(snapshot_days) == set(quarter_ends) | {days[0]}


def test_splits_drop_the_close_and_scale_later_shares(small_market):
    prices, earnings = small_market.tables["prices"], small_market.tables["earnings"]
    assert len(small_market.tables["splits"]) >= 2
    for split in small_market.tables["splits"].itertuples():
        bars = prices[prices["symbol"] == split.symbol].set_index("date")
        at = bars.index.get_loc(split.date)
        before, on = bars.iloc[at - 1], bars.iloc[at]
        adjusted_move = on["adj_close"] / before["adj_close"]
        assert on["close"] / before["close"] == pytest.approx(adjusted_move / split.ratio, rel=1e-3)
        filings = earnings[earnings["symbol"] == split.symbol].sort_values("fiscal_period_end")
        last_before = filings[filings["fiscal_period_end"] < split.date]["shares_outstanding"].iloc[-1]
        first_after = filings[filings["fiscal_period_end"] >= split.date]["shares_outstanding"].iloc[0]
        assert first_after / last_before == pytest.approx(split.ratio, rel=0.05)


def test_delisted_companies_leave_at_the_next_snapshot(small_market):
    delisted = small_market.truths["delisted"]
    assert delisted
    universe = small_market.tables["universe"]
    for gone in delisted[:5]:
        last = pd.Timestamp(gone["last_trade_date"])
        held = universe[universe["symbol"] == gone["symbol"]]["as_of_date"]
        assert held.max() <= last
        later_snapshots = universe[universe["as_of_date"] > last]
        assert gone["symbol"] not in set(later_snapshots["symbol"])


def test_ipos_start_trading_and_join_later(small_market):
    ipos = small_market.truths["ipos"]
    assert len(ipos) >= 3
    joined = [i for i in ipos if i["joined_universe"] is not None]
    assert joined and all(i["joined_universe"] > i["first_trade_date"] for i in joined)


def test_rates_look_like_fred(small_market):
    rates = small_market.tables["rates"]
    dgs10 = rates[rates["series_id"] == "DGS10"].set_index("date")["value"]
    assert (dgs10.index.weekday < 5).all()
    assert np.isnan(dgs10[pd.Timestamp("2025-07-04")]) and np.isnan(dgs10[pd.Timestamp("2025-11-11")])
    assert not np.isnan(dgs10[pd.Timestamp("2025-01-09")])  # the NYSE closed, Treasuries traded (as in FRED)
    upper = rates[rates["series_id"] == "DFEDTARU"].set_index("date")["value"]
    lower = rates[rates["series_id"] == "DFEDTARL"].set_index("date")["value"]
    effective = rates[rates["series_id"] == "DFF"].set_index("date")["value"]
    assert len(upper) == (upper.index[-1] - upper.index[0]).days + 1  # every calendar day
    assert np.allclose(upper - lower, 0.25)
    assert ((effective > lower) & (effective < upper)).all()
    assert upper[pd.Timestamp("2025-12-10")] == 4.00 and upper[pd.Timestamp("2025-12-11")] == 3.75


def test_earnings_calendar_and_restatements(small_market):
    earnings = small_market.tables["earnings"]
    lag = (earnings["report_date"] - earnings["fiscal_period_end"]).dt.days
    originals = earnings.drop_duplicates(["symbol", "fiscal_period_end"], keep="first")
    first_lag = (originals["report_date"] - originals["fiscal_period_end"]).dt.days
    assert first_lag.between(20, 83).all()  # 20..80 days, rolled forward to a weekday
    assert (lag >= 20).all()
    off_calendar = ~originals["fiscal_period_end"].dt.month.isin([3, 6, 9, 12])
    assert 0.08 <= off_calendar.groupby(originals["symbol"]).first().mean() <= 0.35
    restated = earnings[earnings.duplicated(["symbol", "fiscal_period_end"], keep=False)]
    assert len(restated) > 0
    for _, quarter in restated.groupby(["symbol", "fiscal_period_end"]):
        assert quarter["report_date"].is_monotonic_increasing and quarter["net_income"].nunique() == len(quarter)
    eps_from_income = earnings["net_income"] / earnings["shares_outstanding"]
    assert (np.sign(eps_from_income) == np.sign(earnings["eps_diluted"]))[earnings["eps_diluted"].abs() > 0.02].all()
    assert set(earnings["currency"]) == {"USD"}


def test_estimates_come_before_their_report(small_market):
    estimates, earnings = small_market.tables["estimates"], small_market.tables["earnings"]
    first_report = earnings.groupby(["symbol", "fiscal_period_end"])["report_date"].min()
    joined = estimates.join(first_report, on=["symbol", "fiscal_period_end"])
    reported = joined["report_date"].notna()
    assert (joined.loc[reported, "as_of_date"] < joined.loc[reported, "report_date"]).all()
    coverage = estimates["symbol"].nunique() / earnings["symbol"].nunique()
    assert 0.45 <= coverage <= 0.75


def test_fund_distributions_drop_the_nav_not_the_adjusted_nav(small_market):
    navs = small_market.tables["fund_navs"]
    one = navs[navs["fund_id"] == navs["fund_id"].iloc[0]].set_index("date")
    nav_move, adjusted_move = one["nav"].pct_change(), one["adj_nav"].pct_change()
    gap = (nav_move - adjusted_move).abs()
    assert gap.max() > 0.001  # the distribution days
    assert set(gap[gap > 0.001].index.month) == {12}
    assert one["nav"].iloc[-1] == pytest.approx(one["adj_nav"].iloc[-1], rel=1e-4)


def test_fund_distributions_are_written_and_reinvested_give_the_adjusted_nav(small_market):
    """Every December payout is in fund_distributions (income, and a capital gain for the
    larger ones); NAV + distribution reinvested at the ex-date NAV is the adjusted NAV's move."""
    navs, dists = small_market.tables["fund_navs"], small_market.tables["fund_distributions"]
    assert set(dists["kind"]) == {"dividend", "capital_gain"}
    assert set(pd.to_datetime(dists["ex_date"]).dt.month) == {12} and (dists["amount"] > 0).all()
    gains = dists[dists["kind"] == "capital_gain"]
    assert 0 < gains["fund_id"].nunique() <= navs["fund_id"].nunique()
    assert (pd.to_datetime(dists["pay_date"]) > pd.to_datetime(dists["ex_date"])).all()
    per_day = dists.groupby(["fund_id", "ex_date"])["amount"].sum()
    for (fund, ex_date), amount in per_day.items():
        one = navs[navs["fund_id"] == fund].set_index("date")
        at = one.index.get_loc(ex_date)
        total = (one["nav"].iloc[at] + amount) / one["nav"].iloc[at - 1]
        adjusted = one["adj_nav"].iloc[at] / one["adj_nav"].iloc[at - 1]
        assert total == pytest.approx(adjusted, rel=2e-3), (fund, ex_date)


# --- truths against a recomputation -----------------------------------------------------


def _close(market, symbol) -> pd.Series:
    prices = market.tables["prices"]
    return prices[prices["symbol"] == symbol].set_index("date")["adj_close"]


def test_truths_match_a_recomputation(default_market):
    truths, tables = default_market.truths, default_market.tables
    small, large = _close(default_market, "IWM"), _close(default_market, "SPY")

    def ytd(close):
        return close[:AUDIT_DATE].iloc[-1] / close[:"2024-12-31"].iloc[-1] - 1

    assert truths["ytd_at_audit"]["small"] == pytest.approx(ytd(small))
    assert truths["ytd_at_audit"]["spread"] == pytest.approx(ytd(small) - ytd(large))

    surge_end = pd.Timestamp(truths["surge_5d"]["end_date"])
    at = small.index.get_loc(surge_end)
    assert truths["surge_5d"]["return"] == pytest.approx(small.iloc[at] / small.iloc[at - 5] - 1)

    rally_end = pd.Timestamp(truths["rally_week"]["week_end_date"])
    assert rally_end.weekday() == 4
    before = small[: rally_end - pd.Timedelta(days=7)].iloc[-1]
    assert truths["rally_week"]["wow_return"] == pytest.approx(small[rally_end] / before - 1)
    two_weeks_on = small[: rally_end + pd.Timedelta(days=14)].iloc[-1]
    assert two_weeks_on / before - 1 >= 0.10

    # NAV + distributions, reinvested at the ex-date NAV (the warehouse's fund return basis).
    nav = tables["fund_navs"].pivot(index="date", columns="fund_id", values="nav")
    paid = tables["fund_distributions"].pivot_table(index="ex_date", columns="fund_id", values="amount", aggfunc="sum")
    index = ((nav + paid.reindex_like(nav).fillna(0)) / nav.shift(1)).fillna(1).cumprod()
    fund_ytd = index[:AUDIT_DATE].iloc[-1] / index[:"2024-12-31"].iloc[-1] - 1
    assert truths["funds_ytd_at_audit"]["funds_with_loss"] == int((fund_ytd < 0).sum())
    assert truths["funds_ytd_at_audit"]["worst_return"] == pytest.approx(fund_ytd.min())

    for year, returns in truths["calendar_year_returns"].items():
        y = int(year)
        assert returns["large"] == pytest.approx(
            large[: f"{y}-12-31"].iloc[-1] / large[: f"{y - 1}-12-31"].iloc[-1] - 1
        )


def test_share_unprofitable_recomputed_by_brute_force(default_market):
    tables, truths = default_market.tables, default_market.truths
    universe = tables["universe"]
    snapshot = universe[(universe["index_id"] == "R2000") & (universe["as_of_date"] <= AUDIT_DATE)]["as_of_date"].max()
    members = set(universe[(universe["index_id"] == "R2000") & (universe["as_of_date"] == snapshot)]["symbol"])
    visible = tables["earnings"][tables["earnings"]["report_date"] <= AUDIT_DATE]
    latest = visible.sort_values("report_date").drop_duplicates(["symbol", "fiscal_period_end"], keep="last")
    ttm = {}
    for symbol, quarters in latest[latest["symbol"].isin(members)].groupby("symbol"):
        last4 = quarters.sort_values("fiscal_period_end").tail(4)
        months = last4["fiscal_period_end"].dt.year * 12 + last4["fiscal_period_end"].dt.month
        if len(last4) == 4 and (months.diff().dropna() == 3).all():
            ttm[symbol] = last4["net_income"].sum()
    unprofitable = sum(v < 0 for v in ttm.values())
    found = truths["share_unprofitable_at_audit"]
    assert (found["constituents"], found["with_data"], found["unprofitable"]) == (len(members), len(ttm), unprofitable)


def test_volatility_recomputed_with_pandas_rolling(default_market):
    truths = default_market.truths["volatility_at_audit"]
    log_returns = {role: np.log(_close(default_market, s)).diff() for role, s in (("small", "IWM"), ("large", "SPY"))}
    vol = {role: r.rolling(63, min_periods=60).std() * np.sqrt(252) for role, r in log_returns.items()}
    assert truths["small_vol_63d"] == pytest.approx(vol["small"][AUDIT_DATE], rel=1e-9)
    assert truths["large_vol_63d"] == pytest.approx(vol["large"][AUDIT_DATE], rel=1e-9)
    ratio = (vol["small"] / vol["large"])[AUDIT_DATE - pd.DateOffset(years=5) + pd.Timedelta(days=1) : AUDIT_DATE]
    assert (truths["days"], truths["share_days_above_1"]) == (len(ratio), pytest.approx((ratio > 1).mean()))


def test_liquidity_recomputed_from_the_adjusted_closes(default_market):
    """Dollar volume and Amihud from wide tables and the file's adj_close (the truths use
    close x split multiple: equal but for the rounding of the closes)."""
    prices, universe = default_market.tables["prices"], default_market.tables["universe"]
    window = prices[(prices["date"] > AUDIT_DATE - pd.DateOffset(months=6)) & (prices["date"] <= AUDIT_DATE)]
    wide = window.assign(dollar_volume=window["close"] * window["volume"]).pivot(index="date", columns="symbol")
    dollar_volume = wide["dollar_volume"].tail(63)
    moves = wide["adj_close"].pct_change(fill_method=None).abs().tail(63)
    impact = moves / dollar_volume.where(dollar_volume > 0)
    for role, index_id in (("small", "R2000"), ("large", "SP500")):
        snapshot = universe[(universe["index_id"] == index_id) & (universe["as_of_date"] <= AUDIT_DATE)]
        members = snapshot[snapshot["as_of_date"] == snapshot["as_of_date"].max()]["symbol"]
        counted = [m for m in members if m in dollar_volume and (dollar_volume[m] > 0).sum() >= 42]
        found = default_market.truths["liquidity_at_audit"][role]
        assert found["members_with_volume"] == len(counted) > 0
        assert found["median_dollar_volume"] == pytest.approx(dollar_volume[counted].mean().median(), rel=1e-9)
        assert found["median_amihud"] == pytest.approx(impact[counted].mean().median() * 1e6, rel=1e-3)


def test_universe_changes_are_the_ipos_deals_failures_and_migrations(default_market):
    """Additions in the audit year are the IPOs joining at its snapshots; removals are the
    companies delisted since the snapshot before them and the migrations to the large index."""
    truths = default_market.truths
    year = [
        c
        for c in truths["universe_changes"]
        if AUDIT_DATE - pd.DateOffset(months=12) < pd.Timestamp(c["as_of_date"]) <= AUDIT_DATE
    ]
    first, last = pd.Timestamp(year[0]["previous_as_of_date"]), pd.Timestamp(year[-1]["as_of_date"])
    ipos = [i for i in truths["ipos"] if i["joined_universe"] and first < pd.Timestamp(i["joined_universe"]) <= last]
    delisted = [d for d in truths["delisted"] if first <= pd.Timestamp(d["last_trade_date"]) < last]
    migrated = [m for m in truths["migrations"] if first < pd.Timestamp(m["first_large_snapshot"]) <= last]
    found = truths["universe_at_audit"]
    assert (found["additions"], found["removals"]) == (len(ipos), len(delisted) + len(migrated))
    assert found["snapshots"] == len(year) == 4
    # Deals' targets are among the removals (the "M&A deals" of the claim).
    assert 0 < found["removals_mna"] <= sum(d["reason"] == "acquired" for d in delisted)


def test_sector_returns_recomputed_and_as_planted(default_market):
    """Buy-and-hold from the 6-month start with the file's adj_close (rounded to 6 decimals, the
    truths use the 4-decimal close x split multiple); the leaders' relative
    return is the one planted (the generator's plan, corrected until it is reached)."""
    tables, sectors = default_market.tables, default_market.truths["sector_returns_at_audit"]
    start = pd.Timestamp(sectors["start_6m"])
    universe = tables["universe"][tables["universe"]["index_id"] == "R2000"]
    snapshot = universe[universe["as_of_date"] <= start]["as_of_date"].max()
    members = universe[universe["as_of_date"] == snapshot].set_index("symbol")
    closes = tables["prices"][tables["prices"]["symbol"].isin(members.index)]
    closes = closes.pivot(index="date", columns="symbol", values="adj_close").ffill()
    weight = members["weight"] * closes.loc[start] / closes.loc[snapshot]
    growth = closes.loc[AUDIT_DATE] / closes.loc[start] - 1
    index_return = (weight * growth).sum() / weight.sum()
    assert sectors["index_return_6m"] == pytest.approx(index_return, abs=1e-5)
    for sector, rows in members.groupby("sector"):
        w = weight[rows.index]
        assert sectors[sector]["relative_6m"] == pytest.approx(
            (w * growth[rows.index]).sum() / w.sum() - index_return, abs=1e-5
        )
    planted = plan_sector_lead(build_timeline(SampleParams()), component_stream(SampleParams(), "sector lead"))
    for name in SECTOR_LEADERS:
        assert sectors[name]["relative_6m"] == pytest.approx(planted.target[SECTORS.index(name)], abs=1e-3)


def test_drawdown_episodes_walked_day_by_day(default_market):
    level = (1 + _close(default_market, "IWM").pct_change().fillna(0)).cumprod()
    episodes, peak, trough = [], None, None
    for day, value in level.items():
        if peak is None or value >= level[peak]:
            if trough is not None and level[trough] / level[peak] - 1 <= -0.20:
                episodes.append((peak, trough, day))
            peak, trough = day, None
        elif trough is None or value < level[trough]:
            trough = day
    if trough is not None and level[trough] / level[peak] - 1 <= -0.20:
        episodes.append((peak, trough, None))
    found = default_market.truths["drawdown_episodes_small"]
    assert [(e["peak_date"], e["trough_date"], e["recovery_date"]) for e in found] == [
        (p.date().isoformat(), t.date().isoformat(), r.date().isoformat() if r is not None else None)
        for p, t, r in episodes
    ]
    for e, (peak, trough, _) in zip(found, episodes, strict=True):
        assert e["depth"] == pytest.approx(level[trough] / level[peak] - 1, rel=1e-9)
        horizon = trough + pd.DateOffset(months=6)
        rebound = level[:horizon].iloc[-1] / level[trough] - 1 if level.index[-1] >= horizon else None
        assert e["rebound_6m"] == (pytest.approx(rebound, rel=1e-9) if rebound is not None else None)
    known = [e for e in found if e["rebound_date"] and pd.Timestamp(e["rebound_date"]) <= AUDIT_DATE]
    rebounds = default_market.truths["rebounds_at_audit"]
    assert (rebounds["episodes"], rebounds["positive"]) == (len(known), sum(e["rebound_6m"] > 0 for e in known))


def test_policy_decisions_follow_the_fomc(default_market):
    decisions = {d["effective_date"]: d["change_bp"] for d in default_market.truths["policy_decisions"]}
    assert decisions["2020-03-16"] == -100 and decisions["2024-09-19"] == -50 and decisions["2022-03-17"] == 25
    assert decisions["2025-12-11"] == -25
    assert max(decisions) == "2025-12-11"  # held through the end


# --- the planted scenario ---------------------------------------------------------------


def test_planted_scenario_at_the_default_size(default_market):
    assert planted_problems(default_market.truths) == []
    assert default_market.truths["share_unprofitable_at_audit"]["constituents"] >= 290
    assert default_market.truths["dominance_streak"]["current"] == len(default_market.truths["calendar_year_returns"])


def test_planted_scenario_at_a_small_size(small_market):
    assert planted_problems(small_market.truths) == []


def test_too_short_a_history_is_refused():
    with pytest.raises(ValueError, match="plants the article's scenario"):
        generate_market(replace(SMALL, years=0.5))


# --- the landing cache ------------------------------------------------------------------


def test_sample_source_lands_once_and_reuses(tmp_path, monkeypatch):
    settings = Settings(warehouse_dir=tmp_path, sample_small=40, sample_large=12)
    generated = []

    def counting(params):
        generated.append(params)
        return generate_market(params)

    monkeypatch.setattr(sample_source, "generate_market", counting)
    source, lines = sample_source.SampleSource(settings), []
    first = {name: source.land(name, settings.landing_dir, lines.append) for name in DATASETS}
    assert len(generated) == 1
    assert all("SYNTHETIC" in line for line in lines) and len(lines) == len(DATASETS)
    folder = sample_source.truths_path(settings).parent
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["synthetic"] and set(manifest["datasets"]) == set(DATASETS)
    assert json.loads(sample_source.truths_path(settings).read_text())["synthetic"] is True
    for name, landed in first.items():
        assert landed.files == [folder / name / f"{name}.parquet"] and landed.files[0].is_file()
    stamps = {name: landed.files[0].stat().st_mtime_ns for name, landed in first.items()}

    again = sample_source.SampleSource(settings).land("prices", settings.landing_dir, lines.append)
    assert again.files == first["prices"].files and len(generated) == 1
    assert again.files[0].stat().st_mtime_ns == stamps["prices"]

    (folder / "manifest.json").unlink()  # as if a run died half-way
    sample_source.SampleSource(settings).land("prices", settings.landing_dir, lines.append)
    assert len(generated) == 2 and (folder / "manifest.json").is_file()


def test_landed_parquet_has_contract_types(tmp_path):
    import pyarrow.parquet as pq

    settings = Settings(warehouse_dir=tmp_path, sample_small=40, sample_large=12)
    landed = sample_source.SampleSource(settings).land("earnings", settings.landing_dir, lambda _: None)
    schema = pq.read_schema(landed.files[0])
    assert [f.name for f in schema] == list(DATASETS["earnings"].column_names)
    assert str(schema.field("report_date").type) == "date32[day]"


# --- by hand: the benchmark-size timing ---------------------------------------------------


def print_benchmark_timing() -> None:
    params = SampleParams(n_small=2000, n_large=1000, years=10)
    started = time.perf_counter()
    market = generate_market(params)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"generate_market(n_small=2000, n_large=1000, years=10): {elapsed:.1f} s, "
        f"{len(market.tables['prices']):,} price rows, peak RSS {peak_mb:,.0f} MB"
    )


if __name__ == "__main__":
    print_benchmark_timing()
