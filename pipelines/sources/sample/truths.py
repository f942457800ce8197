"""What the synthetic market holds, measured from its finished tables.

Every number here is recomputed with pandas from the frames, by the definitions in
../shared/spec/metrics.md, without looking at how generator.py built them: a warehouse
loaded with the sample must reproduce these values (planted_truths.json). The only input
that is not measured is the yield loadings the returns were generated with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.sources.sample.calendar import trading_days

AUDIT_DATE = pd.Timestamp("2025-12-09")  # the article's date
SURGE_THRESHOLD = 0.085
SURGE_LOOKBACK_DAYS = 30
RALLY_THRESHOLD = 0.10
YIELD_WINDOW = 63
FED_WINDOW = (pd.Timestamp("2025-12-09"), pd.Timestamp("2026-03-31"))
MNA_HOT_RATIO, MNA_TEPID_RATIO = 1.2, 0.8
# The issue #19 claims (docs/metrics.md, "Volatility, liquidity, universe changes, sectors,
# drawdowns"): the dbt vars' defaults, each under its var's name.
VOLATILITY_WINDOW = 63  # volatility_window_days
VOLATILITY_MIN_OBS = 60  # volatility_min_obs
TRADING_DAYS_PER_YEAR = 252  # annualizes the daily standard deviation
CLAIM_VOLATILITY_YEARS = 5  # claim_volatility_years
CLAIM_VOLATILITY_MIN_DAYS = 252  # claim_volatility_min_days
LIQUIDITY_WINDOW = 63  # liquidity_window_days
LIQUIDITY_MIN_DAYS = 42  # liquidity_min_days
AMIHUD_SCALE = 1e6  # Amihud illiquidity per million dollars traded
UNIVERSE_MNA_LOOKBACK_MONTHS = 12  # universe_mna_lookback_months
CLAIM_UNIVERSE_MONTHS = 12  # claim_universe_months
CLAIM_UNIVERSE_MIN_SNAPSHOTS = 2  # claim_universe_min_snapshots
SECTOR_WINDOWS_MONTHS = (3, 6)  # sector_short_months, sector_long_months
# claim_sectors: each named sector and the sector names standing for it, first match wins.
CLAIM_SECTORS = {
    "defense": ("Aerospace & Defense", "Industrials"),
    "technology": ("Information Technology", "Technology"),
    "healthcare": ("Health Care",),
}
DRAWDOWN_MIN_DEPTH = 0.20  # drawdown_min_depth
DRAWDOWN_REBOUND_MONTHS = 6  # drawdown_rebound_months


def iso(when) -> str:
    return pd.Timestamp(when).date().isoformat()


def _float(x) -> float | None:
    return None if x is None or pd.isna(x) else float(x)


# ---------------------------------------------------------------------------------------
# Benchmark performance
# ---------------------------------------------------------------------------------------


def benchmark_closes(prices: pd.DataFrame, symbols: list[str]) -> dict[str, pd.Series]:
    """Each symbol's close by date: the adjusted close where present (total return)."""
    rows = prices[prices["symbol"].isin(symbols)]
    closes = {}
    for symbol, one in rows.groupby("symbol"):
        value = one["adj_close"].where(one["adj_close"].notna(), one["close"])
        closes[symbol] = pd.Series(value.to_numpy(), index=pd.DatetimeIndex(one["date"])).sort_index()
    return closes


def close_on(close: pd.Series, when: pd.Timestamp) -> float:
    return float(close[close.index <= when].iloc[-1])


def ytd_return(close: pd.Series, when: pd.Timestamp) -> float:
    last_of_previous_year = close[close.index.year < when.year].iloc[-1]
    return close_on(close, when) / float(last_of_previous_year) - 1


def surge_5d(close: pd.Series, audit: pd.Timestamp) -> dict:
    """The best 5-trading-day return ending within the lookback before the audit date."""
    r5 = close / close.shift(5) - 1
    window = r5[(r5.index >= audit - pd.Timedelta(days=SURGE_LOOKBACK_DAYS)) & (r5.index <= audit)].dropna()
    best = window.idxmax()
    return {
        "end_date": iso(best),
        "return": float(window[best]),
        "threshold": SURGE_THRESHOLD,
        "windows_at_or_above_threshold": int((window >= SURGE_THRESHOLD).sum()),
    }


def weekly_closes(close: pd.Series) -> pd.DataFrame:
    """Last close of each Monday-to-Sunday week (indexed by that day) and the WoW return."""
    monday = close.index - pd.to_timedelta(close.index.weekday, unit="D")
    last = close.groupby(monday).tail(1)
    return pd.DataFrame({"close": last, "wow": last / last.shift(1) - 1})


def rally_week(close: pd.Series) -> dict | None:
    weekly = weekly_closes(close)
    hits = weekly.index[weekly["wow"] >= RALLY_THRESHOLD]
    if len(hits) == 0:
        return None
    at = weekly.index.get_loc(hits[0])
    # Sustained: two weeks later the close is still the threshold above the close before the rally.
    sustained = 1 <= at < len(weekly) - 2 and (
        weekly["close"].iloc[at + 2] / weekly["close"].iloc[at - 1] - 1 >= RALLY_THRESHOLD
    )
    return {
        "week_end_date": iso(hits[0]),
        "wow_return": float(weekly["wow"].iloc[at]),
        "sustained": bool(sustained),
        "weeks_at_or_above_threshold": len(hits),
    }


def _last_trading_day(year: int) -> pd.Timestamp:
    return trading_days(f"{year}-12-15", f"{year}-12-31")[-1]


def calendar_year_returns(small: pd.Series, large: pd.Series) -> dict[str, dict]:
    """Complete calendar years only: a close in the year before and the year's last trading day held."""
    years = {}
    for year in range(small.index[0].year + 1, small.index[-1].year + 1):
        if small.index[-1] < _last_trading_day(year):
            continue
        years[str(year)] = {
            role: float(close[close.index.year == year].iloc[-1] / close[close.index.year < year].iloc[-1] - 1)
            for role, close in (("small", small), ("large", large))
        }
    return years


def dominance_streak(years: dict[str, dict]) -> dict:
    """Consecutive complete years, ending with the latest, in which large beat small; and the longest run."""
    current = longest = run = 0
    for year in sorted(years):
        run = run + 1 if years[year]["large"] > years[year]["small"] else 0
        longest = max(longest, run)
    current = run
    return {"current": current, "longest": longest}


# ---------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------


def _series(rates: pd.DataFrame, series_id: str) -> pd.Series:
    rows = rates[(rates["series_id"] == series_id) & rates["value"].notna()]  # blank = holiday
    return pd.Series(rows["value"].to_numpy(), index=pd.DatetimeIndex(rows["date"])).sort_index()


def policy_decisions(rates: pd.DataFrame) -> list[dict]:
    upper = _series(rates, "DFEDTARU")
    change = upper.diff().round(4)
    decisions = []
    for when in upper.index[change.fillna(0) != 0]:
        before = float(upper[upper.index < when].iloc[-1])
        decisions.append(
            {
                "effective_date": iso(when),
                "upper_before": before,
                "upper_after": float(upper[when]),
                "change_bp": float(round((upper[when] - before) * 100)),
            }
        )
    return decisions


def fed_cut_in_window(decisions: list[dict]) -> dict | None:
    first, last = FED_WINDOW
    for d in decisions:
        if d["change_bp"] < 0 and first < pd.Timestamp(d["effective_date"]) <= last:
            return {"effective_date": d["effective_date"], "change_bp": d["change_bp"]}
    return None


def _ols(x: np.ndarray, y: np.ndarray) -> dict:
    xc, yc = x - x.mean(), y - y.mean()
    beta = float(xc @ yc / (xc @ xc))
    resid = yc - beta * xc
    se = np.sqrt(resid @ resid / (len(x) - 2) / (xc @ xc))
    corr = float(xc @ yc / np.sqrt((xc @ xc) * (yc @ yc)))
    return {"beta": beta, "t_stat": float(beta / se), "correlation": corr, "r_squared": corr**2, "n_obs": len(x)}


def yield_sensitivity(small: pd.Series, large: pd.Series, rates: pd.DataFrame, when: pd.Timestamp) -> dict:
    """Regressions on the daily DGS10 change (pp), over the last YIELD_WINDOW days where both exist."""
    returns = pd.DataFrame({"small": small.pct_change(), "large": large.pct_change()})
    returns["spread"] = returns["small"] - returns["large"]
    change = _series(rates, "DGS10").diff().rename("dgs10_change")
    joined = returns.join(change, how="inner").dropna()
    window = joined[joined.index <= when].tail(YIELD_WINDOW)
    x = window["dgs10_change"].to_numpy()
    return {subject: _ols(x, window[subject].to_numpy()) for subject in ("small", "large", "spread")}


# ---------------------------------------------------------------------------------------
# Company fundamentals, point in time
# ---------------------------------------------------------------------------------------


def members_at(universe: pd.DataFrame, index_id: str, when: pd.Timestamp) -> pd.DataFrame:
    """The index's latest snapshot at or before `when`."""
    rows = universe[(universe["index_id"] == index_id) & (universe["as_of_date"] <= when)]
    return rows[rows["as_of_date"] == rows["as_of_date"].max()]


class PointInTimeFacts:
    """Earnings as they were visible on a date (report_date <= date, latest restatement)."""

    def __init__(self, earnings: pd.DataFrame):
        by_quarter = earnings.sort_values(["symbol", "fiscal_period_end", "report_date"], ignore_index=True)
        self.symbol = by_quarter["symbol"].to_numpy()
        self.period = by_quarter["fiscal_period_end"].to_numpy()
        self.report = by_quarter["report_date"].to_numpy()
        self.income = by_quarter["net_income"].to_numpy(dtype=float)
        period = by_quarter["fiscal_period_end"]
        self.month = (period.dt.year * 12 + period.dt.month).to_numpy()
        same_quarter_next = np.r_[(self.symbol[1:] == self.symbol[:-1]) & (self.period[1:] == self.period[:-1]), False]
        self.last_filing_of_quarter = ~same_quarter_next
        by_report = earnings.sort_values(["symbol", "report_date", "fiscal_period_end"], ignore_index=True)
        self.filing_symbol = by_report["symbol"].to_numpy()
        self.filing_report = by_report["report_date"].to_numpy()
        self.filing_period = by_report["fiscal_period_end"].to_numpy()
        self.filing_shares = by_report["shares_outstanding"].to_numpy(dtype=float)

    def latest_quarters(self, when: pd.Timestamp) -> np.ndarray:
        """Positions of each quarter's latest filing visible at `when`."""
        visible = self.report <= np.datetime64(when)
        # Filings of a quarter are in report order, so the visible ones come first.
        return np.flatnonzero(visible & (self.last_filing_of_quarter | ~np.r_[visible[1:], False]))

    def ttm(self, when: pd.Timestamp) -> pd.Series:
        """TTM net income by symbol: the latest four visible quarters, when they are consecutive."""
        rows = self.latest_quarters(when)
        symbol, month, income = self.symbol[rows], self.month[rows], self.income[rows]
        last = np.flatnonzero(np.r_[symbol[1:] != symbol[:-1], True])
        fourth = (last - 3).clip(0)
        ok = (last >= 3) & (symbol[fourth] == symbol[last]) & (month[last] - month[fourth] == 9)
        total = np.r_[0.0, np.cumsum(income)]
        return pd.Series((total[last + 1] - total[fourth])[ok], index=symbol[last][ok])

    def latest_shares(self, when: pd.Timestamp) -> pd.DataFrame:
        """Shares outstanding of each symbol's latest filing visible at `when`, with its period end."""
        visible = self.filing_report <= np.datetime64(when)
        symbol = self.filing_symbol
        last = visible & ~np.r_[visible[1:] & (symbol[1:] == symbol[:-1]), False]
        return pd.DataFrame(
            {"shares": self.filing_shares[last], "period_end": self.filing_period[last]}, index=symbol[last]
        )


def share_unprofitable(universe: pd.DataFrame, facts: PointInTimeFacts, index_id: str, when: pd.Timestamp) -> dict:
    members = members_at(universe, index_id, when)["symbol"]
    ttm = facts.ttm(when)
    with_data = ttm[ttm.index.isin(members)]
    unprofitable = int((with_data < 0).sum())
    return {
        "index_id": index_id,
        "as_of_date": iso(when),
        "constituents": int(len(members)),
        "with_data": int(len(with_data)),
        "unprofitable": unprofitable,
        "share": unprofitable / len(with_data) if len(with_data) else None,
    }


def _split_adjustment(splits: pd.DataFrame, shares: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Splits between a filing's period end and `when` multiply the shares it reported."""
    factor = pd.Series(1.0, index=shares.index)
    for split in splits.itertuples():
        if split.symbol in factor.index and shares.at[split.symbol, "period_end"] < split.date <= when:
            factor[split.symbol] *= split.ratio
    return factor


def market_caps(closes: pd.Series, facts: PointInTimeFacts, splits: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Close at `when` x the latest shares outstanding visible then (split-adjusted)."""
    shares = facts.latest_shares(when)
    shares = shares[shares.index.isin(closes.index)]
    return closes.reindex(shares.index) * shares["shares"] * _split_adjustment(splits, shares, when)


def pe_ex_losses(
    universe: pd.DataFrame,
    facts: PointInTimeFacts,
    closes: pd.Series,
    splits: pd.DataFrame,
    index_id: str,
    when: pd.Timestamp,
) -> float | None:
    members = members_at(universe, index_id, when)["symbol"]
    ttm = facts.ttm(when)
    ttm = ttm[ttm.index.isin(members) & (ttm > 0)]
    cap = market_caps(closes, facts, splits, when).reindex(ttm.index)
    known = cap.notna()
    return float(cap[known].sum() / ttm[known].sum()) if known.any() else None


def valuation_gap(
    tables: dict, facts: PointInTimeFacts, params: dict, history_dates: pd.DatetimeIndex, audit: pd.Timestamp
) -> dict:
    """Relative P/E ex losses (small / large) at the audit date against its month-end history."""
    prices = tables["prices"]
    rows = prices[prices["date"].isin(history_dates)]
    closes = rows.pivot(index="date", columns="symbol", values="close")
    relative = {}
    for when in history_dates:
        pe = {
            role: pe_ex_losses(
                tables["universe"], facts, closes.loc[when].dropna(), tables["splits"], params[f"{role}_index"], when
            )
            for role in ("small", "large")
        }
        relative[when] = (pe["small"] / pe["large"] if pe["small"] and pe["large"] else np.nan, pe)
    now, pe_now = relative[audit]
    history = pd.Series({d: r for d, (r, _) in relative.items()}).dropna()
    return {
        "as_of_date": iso(audit),
        "small_pe_ex_losses": _float(pe_now["small"]),
        "large_pe_ex_losses": _float(pe_now["large"]),
        "relative": _float(now),
        "history_median": float(history.median()),
        "history_percentile": float((history <= now).mean()),
        "history_points": int(len(history)),
    }


def month_end_days(close: pd.Series, until: pd.Timestamp) -> pd.DatetimeIndex:
    """Each month's last trading day up to `until`, plus `until` itself."""
    days = close.index[close.index <= until]
    month = days.to_period("M")
    ends = days[np.r_[month[1:] != month[:-1], True]]
    return ends.union(pd.DatetimeIndex([until]))


def eps_growth(earnings: pd.DataFrame, members: pd.Series) -> dict[str, float | None]:
    """Same-company aggregate YoY net-income growth by calendar quarter (latest restatement)."""
    latest = earnings[earnings["symbol"].isin(members)].sort_values("report_date")
    latest = latest.drop_duplicates(["symbol", "fiscal_period_end"], keep="last")
    period = latest["fiscal_period_end"]
    quarter = (period.dt.year * 4 + period.dt.quarter - 1).to_numpy()
    income = pd.DataFrame(
        {"symbol": latest["symbol"].to_numpy(), "quarter": quarter, "net_income": latest["net_income"].to_numpy()}
    )
    wide = income.pivot(index="symbol", columns="quarter", values="net_income")
    growth = {}
    for q in wide.columns:
        if q - 4 not in wide.columns:
            continue
        both = wide[q].notna() & wide[q - 4].notna()
        if not both.any():
            continue
        base = wide.loc[both, q - 4].sum()
        growth[f"{q // 4}Q{q % 4 + 1}"] = float(wide.loc[both, q].sum() / base - 1) if base > 0 else None
    return growth


# ---------------------------------------------------------------------------------------
# Funds, M&A, corporate events
# ---------------------------------------------------------------------------------------


def fund_total_return_index(navs: pd.DataFrame, distributions: pd.DataFrame) -> pd.DataFrame:
    """date x fund: NAV + distributions reinvested at the ex-date NAV (metrics: fund return basis),
    TR_t = TR_{t-1} * (nav_t + dist_t) / nav_{t-1}; a distribution counts on its ex-date's NAV."""
    nav = navs.pivot(index="date", columns="fund_id", values="nav").sort_index()
    paid = distributions.groupby(["ex_date", "fund_id"])["amount"].sum().unstack()
    paid = paid.reindex(index=nav.index, columns=nav.columns).fillna(0.0)
    return ((nav + paid) / nav.shift(1)).fillna(1.0).cumprod()


def funds_ytd(
    funds: pd.DataFrame, navs: pd.DataFrame, when: pd.Timestamp, distributions: pd.DataFrame | None = None
) -> dict:
    """YTD per fund on the warehouse's basis: NAV + distributions for funds with distributions,
    else the adjusted NAV, else the NAV."""
    value = navs["adj_nav"].where(navs["adj_nav"].notna(), navs["nav"])
    wide = navs.assign(value=value).pivot(index="date", columns="fund_id", values="value")
    if distributions is not None and len(distributions):
        paying = sorted(set(distributions["fund_id"]) & set(wide.columns))
        wide[paying] = fund_total_return_index(navs, distributions)[paying]
    start = wide[wide.index.year < when.year].ffill().iloc[-1]
    now = wide[wide.index <= when].ffill().iloc[-1]
    ytd = (now / start - 1).dropna()
    ytd = ytd[ytd.index.isin(funds["fund_id"])]
    return {
        "as_of_date": iso(when),
        "funds_tracked": int(len(ytd)),
        "funds_with_loss": int((ytd < 0).sum()),
        "worst_fund_id": str(ytd.idxmin()),
        "worst_return": float(ytd.min()),
        "median_return": float(ytd.median()),
    }


def mna_activity(mna: pd.DataFrame, universe: pd.DataFrame, small_index: str, end: pd.Timestamp) -> dict:
    """Deals whose target was a small constituent when announced: last 3 months vs the trailing 12."""
    small = universe[universe["index_id"] == small_index]
    snapshot_dates = np.sort(small["as_of_date"].unique())
    position = np.searchsorted(snapshot_dates, mna["announce_date"].to_numpy(), side="right") - 1
    snapshot = pd.Series(snapshot_dates[position.clip(0)], index=mna.index).where(position >= 0)
    members = set(zip(small["as_of_date"], small["symbol"], strict=True))
    is_small = [(s, t) in members for s, t in zip(snapshot, mna["target_symbol"], strict=True)]
    months = pd.period_range(mna["announce_date"].min().to_period("M"), end.to_period("M"), freq="M")
    counts = mna.loc[is_small, "announce_date"].dt.to_period("M").value_counts().reindex(months, fill_value=0)
    last3, average = int(counts.iloc[-3:].sum()), float(counts.iloc[-12:].mean())
    ratio = last3 / (3 * average) if average else None
    status = (
        "accelerating"
        if ratio is not None and ratio > MNA_HOT_RATIO
        else "tepid"
        if ratio is not None and ratio < MNA_TEPID_RATIO
        else "steady"
    )
    return {
        "latest_month": str(months[-1]),
        "last_3_months_deals": last3,
        "trailing_12m_avg": average,
        "ratio": _float(ratio),
        "status": status,
    }


def delistings(prices: pd.DataFrame, mna: pd.DataFrame, benchmarks: list[str]) -> list[dict]:
    span = prices.groupby("symbol", sort=True)["date"].agg(["min", "max"])
    gone = span[(span["max"] < span["max"].max()) & ~span.index.isin(benchmarks)]
    acquired = set(mna.loc[mna["status"] == "completed", "target_symbol"])
    return [
        {"symbol": s, "last_trade_date": iso(row["max"]), "reason": "acquired" if s in acquired else "failed"}
        for s, row in gone.sort_values("max").iterrows()
    ]


def ipos(prices: pd.DataFrame, universe: pd.DataFrame) -> list[dict]:
    span = prices.groupby("symbol", sort=True)["date"].min()
    late = span[span > span.min()].sort_values()
    joined = universe.groupby("symbol")["as_of_date"].min()
    return [
        {"symbol": s, "first_trade_date": iso(d), "joined_universe": iso(joined[s]) if s in joined.index else None}
        for s, d in late.items()
    ]


def migrations(universe: pd.DataFrame, small_index: str, large_index: str) -> list[dict]:
    first_large = universe[universe["index_id"] == large_index].groupby("symbol")["as_of_date"].min()
    was_small = set(universe.loc[universe["index_id"] == small_index, "symbol"])
    return [
        {"symbol": s, "first_large_snapshot": iso(d)} for s, d in first_large.sort_values().items() if s in was_small
    ]


# ---------------------------------------------------------------------------------------
# Volatility, liquidity, universe changes, sector returns, drawdowns (issue #19)
# ---------------------------------------------------------------------------------------


def market_days(prices: pd.DataFrame, large_symbol: str) -> pd.DatetimeIndex:
    """The warehouse's market calendar: the large benchmark's dates."""
    return pd.DatetimeIndex(np.sort(prices.loc[prices["symbol"] == large_symbol, "date"].unique()))


def daily_returns(prices: pd.DataFrame, symbol: str) -> pd.Series:
    """A benchmark's return_1d: from the adjusted closes when both ends have one, else the closes."""
    one = prices[prices["symbol"] == symbol].sort_values("date")
    adj, close = one["adj_close"].to_numpy(dtype=float), one["close"].to_numpy(dtype=float)
    both = ~np.isnan(adj[1:]) & ~np.isnan(adj[:-1])
    returns = np.where(both, adj[1:] / adj[:-1] - 1, close[1:] / close[:-1] - 1)
    return pd.Series(np.r_[np.nan, returns], index=pd.DatetimeIndex(one["date"]))


def rolling_vol(log_returns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annualized sample standard deviation over each VOLATILITY_WINDOW-day window ending at a
    day (NaN with fewer than VOLATILITY_MIN_OBS returns), and the returns counted."""
    padded = np.r_[np.full(VOLATILITY_WINDOW - 1, np.nan), log_returns]
    windows = np.lib.stride_tricks.sliding_window_view(padded, VOLATILITY_WINDOW)
    obs = (~np.isnan(windows)).sum(axis=1)
    enough = obs >= VOLATILITY_MIN_OBS
    vol = np.full(len(log_returns), np.nan)
    vol[enough] = np.nanstd(windows[enough], axis=1, ddof=1) * np.sqrt(TRADING_DAYS_PER_YEAR)
    return vol, obs


def volatility(prices: pd.DataFrame, small_symbol: str, large_symbol: str) -> pd.DataFrame:
    """marts.volatility: per trading day, each role's 63-day volatility and small / large."""
    days = market_days(prices, large_symbol)
    frame = pd.DataFrame(index=days)
    for role, symbol in (("small", small_symbol), ("large", large_symbol)):
        log_returns = np.log1p(daily_returns(prices, symbol).reindex(days).to_numpy())
        frame[f"{role}_vol_63d"], frame[f"{role}_obs"] = rolling_vol(log_returns)
    frame["ratio"] = frame["small_vol_63d"] / frame["large_vol_63d"]
    has_vol = frame["small_vol_63d"].notna() | frame["large_vol_63d"].notna()
    return frame[has_vol.cummax()]


def volatility_claim(vol: pd.DataFrame, when: pd.Timestamp) -> dict:
    """more_volatile at `when`: the ratio there, and how often it was above 1 in the 5 years before."""
    at = vol.loc[when] if when in vol.index else None
    since = when - pd.DateOffset(years=CLAIM_VOLATILITY_YEARS)
    ratios = vol.loc[(vol.index > since) & (vol.index <= when), "ratio"].dropna()
    share = float((ratios > 1).mean()) if len(ratios) else None
    ratio = None if at is None else _float(at["ratio"])
    if ratio is None or len(ratios) < CLAIM_VOLATILITY_MIN_DAYS:
        verdict = "insufficient_data"
    else:
        verdict = "supported" if ratio > 1 and share > 0.5 else "contradicted"
    return {
        "as_of_date": iso(when),
        "small_vol_63d": None if at is None else _float(at["small_vol_63d"]),
        "large_vol_63d": None if at is None else _float(at["large_vol_63d"]),
        "ratio": ratio,
        "share_days_above_1": share,
        "days": int(len(ratios)),
        "verdict": verdict,
    }


def split_multiples(splits: pd.DataFrame, symbols: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Per row: the product of the symbol's split ratios with a date on or before the row's
    date (int_split_multiples), which puts a traded close on the first share basis."""
    multiple = np.ones(len(symbols))
    for split in splits.itertuples():
        multiple[(symbols == split.symbol) & (dates >= np.datetime64(split.date))] *= split.ratio
    return multiple


# Bars are read from this long before the first date a measure needs: a member's previous bar
# or latest close is then always among them (the sample's companies trade every session).
BARS_LOOKBACK = pd.Timedelta(days=31)


def company_bars(prices: pd.DataFrame, splits: pd.DataFrame, symbols, since, until) -> pd.DataFrame:
    """The symbols' bars from `since` to `until` in symbol and date order, with the close on one
    share basis (`adjusted`: close x multiple(split_basis_date, else date)) and the return on
    the previous bar (`ret`; none on the first bar)."""
    date = prices["date"].to_numpy()
    bars = prices[(date >= np.datetime64(since)) & (date <= np.datetime64(until))]
    bars = bars[bars["symbol"].isin(set(symbols))].sort_values(["symbol", "date"], ignore_index=True)
    symbol = bars["symbol"].to_numpy()
    basis = bars["split_basis_date"].fillna(bars["date"]).to_numpy()
    adjusted = bars["close"].to_numpy(dtype=float) * split_multiples(splits, symbol, basis)
    first = np.r_[True, symbol[1:] != symbol[:-1]]
    previous = np.r_[np.nan, adjusted[:-1]]
    return bars.assign(adjusted=adjusted, ret=np.where(first, np.nan, adjusted / previous - 1))


def liquidity(bars: pd.DataFrame, members: pd.Series, since: pd.Timestamp, index_id: str) -> dict:
    """marts.liquidity for one index at one date: each member's average dollar volume and
    Amihud illiquidity over its bars since `since` (63 sessions), and their medians over the
    members with at least LIQUIDITY_MIN_DAYS bars with volume."""
    window = bars[bars["symbol"].isin(set(members)) & (bars["date"] >= since)]
    dollar_volume = window["close"] * window["volume"]
    per_bar = pd.DataFrame(
        {
            "symbol": window["symbol"],
            "has_volume": (window["volume"] > 0) & window["close"].notna(),
            "dollar_volume": dollar_volume,
            "impact": (window["ret"].abs() / dollar_volume).where(dollar_volume > 0),
        }
    )
    per_member = per_bar.groupby("symbol").agg(
        days=("has_volume", "sum"), avg_dollar_volume=("dollar_volume", "mean"), amihud=("impact", "mean")
    )
    counted = per_member[per_member["days"] >= LIQUIDITY_MIN_DAYS]
    return {
        "index_id": index_id,
        "members": int(members.nunique()),
        "members_with_volume": int(len(counted)),
        "median_dollar_volume": _float(counted["avg_dollar_volume"].median()) if len(counted) else None,
        "median_amihud": _float((counted["amihud"] * AMIHUD_SCALE).median()) if len(counted) else None,
    }


def liquidity_claim(small: dict, large: dict, when: pd.Timestamp) -> dict:
    if not small["members_with_volume"] or not large["members_with_volume"]:
        verdict = "insufficient_data"
    else:
        challenged = (
            small["median_dollar_volume"] < large["median_dollar_volume"]
            and small["median_amihud"] > large["median_amihud"]
        )
        verdict = "supported" if challenged else "contradicted"
    return {"as_of_date": iso(when), "small": small, "large": large, "verdict": verdict}


def universe_changes(universe: pd.DataFrame, mna: pd.DataFrame, index_id: str) -> list[dict]:
    """marts.universe_changes for one index: each snapshot against the one before it."""
    rows = universe[universe["index_id"] == index_id]
    snapshots = {d: set(g["symbol"]) for d, g in rows.groupby("as_of_date")}
    changes, previous = [], None
    for when in sorted(snapshots):
        members = snapshots[when]
        row = {
            "as_of_date": iso(when),
            "previous_as_of_date": None if previous is None else iso(previous),
            "members": len(members),
            "additions": None,
            "removals": None,
            "removals_mna": None,
        }
        if previous is not None:
            removed = snapshots[previous] - members
            since = when - pd.DateOffset(months=UNIVERSE_MNA_LOOKBACK_MONTHS)
            deals = mna[(mna["announce_date"] > since) & (mna["announce_date"] <= when)]
            row["additions"] = len(members - snapshots[previous])
            row["removals"] = len(removed)
            row["removals_mna"] = len(removed & set(deals["target_symbol"]))
        changes.append(row)
        previous = when
    return changes


def universe_claim(changes: list[dict], when: pd.Timestamp) -> dict:
    """universe_replenished at `when`: additions and removals over the snapshots of the 12 months before."""
    since = when - pd.DateOffset(months=CLAIM_UNIVERSE_MONTHS)
    inside = [c for c in changes if since < pd.Timestamp(c["as_of_date"]) <= when]
    compared = [c for c in inside if c["previous_as_of_date"] is not None]
    additions = sum(c["additions"] for c in compared)
    removals = sum(c["removals"] for c in compared)
    if len(inside) < CLAIM_UNIVERSE_MIN_SNAPSHOTS:
        verdict = "insufficient_data"
    else:
        verdict = "supported" if additions >= removals else "contradicted"
    return {
        "as_of_date": iso(when),
        "snapshots": len(compared),
        "additions": additions,
        "removals": removals,
        "removals_mna": sum(c["removals_mna"] for c in compared),
        "verdict": verdict,
    }


SECTOR_START_MAX_STALE_DAYS = 7  # dbt var sector_start_max_stale_days


def _close_on_or_before(bars: pd.DataFrame, when: pd.Timestamp, max_stale_days: int | None = None) -> pd.Series:
    """Each symbol's latest one-basis close on or before `when` (none when older than max_stale_days)."""
    latest = bars[bars["date"] <= when].groupby("symbol")[["date", "adjusted"]].last()
    if max_stale_days is not None:
        latest = latest[latest["date"] >= when - pd.Timedelta(days=max_stale_days)]
    return latest["adjusted"]


def window_start(days: pd.DatetimeIndex, when: pd.Timestamp, months: int) -> pd.Timestamp:
    """The last trading day on or before `when` minus the window."""
    return days[days <= when - pd.DateOffset(months=months)][-1]


def sector_window(bars: pd.DataFrame, universe: pd.DataFrame, index_id: str, start, when) -> dict:
    """One window of marts.sector_returns: the buy-and-hold return from `start` to `when` of the
    members of the snapshot in force at `start`, per sector and for all of them, weighted by the
    snapshot's weights drifted with each member's price to `start`."""
    members = members_at(universe, index_id, start)
    closes = pd.DataFrame(
        {
            "end": _close_on_or_before(bars, when),
            "start": _close_on_or_before(bars, start, SECTOR_START_MAX_STALE_DAYS),
            "snapshot": _close_on_or_before(bars, members["as_of_date"].iloc[0]),
        }
    )
    kept = members.set_index("symbol")[["sector", "weight"]].join(closes, how="inner")
    kept = kept.dropna(subset=["weight", "start", "snapshot"])
    kept["sector"] = kept["sector"].fillna("UNKNOWN")
    kept["w"] = kept["weight"] * kept["start"] / kept["snapshot"]
    kept["wr"] = kept["w"] * (kept["end"] / kept["start"] - 1)
    by_sector = kept.groupby("sector").agg(members=("w", "size"), w=("w", "sum"), wr=("wr", "sum"))
    return {
        "start": start,
        "members": by_sector["members"],
        "sector": by_sector["wr"] / by_sector["w"],
        "index": float(kept["wr"].sum() / kept["w"].sum()),
    }


def sector_returns(windows: dict[int, dict], when: pd.Timestamp) -> dict:
    """marts.sector_returns' row of each sector at `when` (its members: the 6-month window's)."""
    short, long_ = (windows[m] for m in SECTOR_WINDOWS_MONTHS)
    sectors = {}
    for sector in sorted(long_["sector"].index):
        sectors[sector] = {
            "members": int(long_["members"][sector]),
            "return_3m": _float(short["sector"].get(sector)),
            "return_6m": float(long_["sector"][sector]),
            "relative_3m": _float(short["sector"].get(sector, np.nan) - short["index"]),
            "relative_6m": float(long_["sector"][sector] - long_["index"]),
        }
    return {
        "as_of_date": iso(when),
        "start_6m": iso(long_["start"]),
        "index_return_3m": short["index"],
        "index_return_6m": long_["index"],
        "sectors": sectors,
    }


def sector_claim(returns: dict) -> dict:
    """sector_leaders: each named sector's relative_6m (the first of its names with a row)."""
    named = {}
    for claim_sector, names in CLAIM_SECTORS.items():
        found = next((n for n in names if n in returns["sectors"]), None)
        named[claim_sector] = {
            "sector": found,
            "relative_6m": None if found is None else returns["sectors"][found]["relative_6m"],
        }
    relative = [n["relative_6m"] for n in named.values()]
    leading = None if any(r is None for r in relative) else sum(r > 0 for r in relative)
    if leading is None:
        verdict = "insufficient_data"
    else:
        verdict = "supported" if leading == len(relative) else "contradicted" if leading == 0 else "mixed"
    return {
        **returns["sectors"],
        "index_return_6m": returns["index_return_6m"],
        "as_of_date": returns["as_of_date"],
        "start_6m": returns["start_6m"],
        "named": named,
        "named_leading": leading,
        "verdict": verdict,
    }


def drawdown_episodes(returns: pd.Series) -> list[dict]:
    """marts.drawdown_episodes for one role: peak to recovery on the chained level of the daily
    returns, the trough the lowest level in between, only the episodes of DRAWDOWN_MIN_DEPTH or more."""
    days = returns.index
    level = np.exp(np.cumsum(np.log1p(returns.fillna(0.0).to_numpy())))
    under = level < np.maximum.accumulate(level)
    starts = np.flatnonzero(under & ~np.r_[False, under[:-1]])
    ends = np.flatnonzero(under & ~np.r_[under[1:], False])  # last day under water
    episodes = []
    for first, last in zip(starts, ends, strict=True):
        peak = first - 1
        trough = first + int(np.argmin(level[first : last + 1]))
        depth = level[trough] / level[peak] - 1
        if depth > -DRAWDOWN_MIN_DEPTH:
            continue
        horizon = days[trough] + pd.DateOffset(months=DRAWDOWN_REBOUND_MONTHS)
        rebound_at = None if days[-1] < horizon else int(np.searchsorted(days, horizon, side="right")) - 1
        recovered = last + 1 < len(days)
        episodes.append(
            {
                "peak_date": iso(days[peak]),
                "trough_date": iso(days[trough]),
                "depth": float(depth),
                "rebound_6m": None if rebound_at is None else float(level[rebound_at] / level[trough] - 1),
                "rebound_date": None if rebound_at is None else iso(days[rebound_at]),
                "recovery_date": iso(days[last + 1]) if recovered else None,
                "is_recovered": bool(recovered),
                "trading_days_to_trough": int(trough - peak),
            }
        )
    return episodes


def rebound_claim(episodes: list[dict], when: pd.Timestamp) -> dict:
    """correction_rebounds at `when`: the episodes whose 6-month rebound was known by then."""
    known = [e for e in episodes if e["rebound_date"] is not None and pd.Timestamp(e["rebound_date"]) <= when]
    positive = sum(e["rebound_6m"] > 0 for e in known)
    verdict = "insufficient_data" if not known else "supported" if positive > len(known) / 2 else "contradicted"
    return {
        "as_of_date": iso(when),
        "episodes": len(known),
        "positive": positive,
        "share_positive": positive / len(known) if known else None,
        "worst_depth": min((e["depth"] for e in known), default=None),
        "verdict": verdict,
    }


# ---------------------------------------------------------------------------------------
# All of it
# ---------------------------------------------------------------------------------------


def compute_truths(tables: dict[str, pd.DataFrame], params: dict, planted: dict) -> dict:
    small_symbol, large_symbol = params["small_symbol"], params["large_symbol"]
    closes = benchmark_closes(tables["prices"], [small_symbol, large_symbol])
    small, large = closes[small_symbol], closes[large_symbol]
    end = small.index[-1]
    audit = AUDIT_DATE
    facts = PointInTimeFacts(tables["earnings"])
    decisions = policy_decisions(tables["rates"])
    years = calendar_year_returns(small, large)
    ytd_small, ytd_large = ytd_return(small, audit), ytd_return(large, audit)
    universe = tables["universe"]
    end_members = members_at(universe, params["small_index"], end)["symbol"]
    return {
        "synthetic": True,
        "note": "SYNTHETIC sample market: generated data, not real prices or filings.",
        "params": params,
        "audit_date": iso(audit),
        "end_date": iso(end),
        "surge_5d": surge_5d(small, audit),
        "ytd_at_audit": {"small": ytd_small, "large": ytd_large, "spread": ytd_small - ytd_large},
        "share_unprofitable_at_audit": share_unprofitable(universe, facts, params["small_index"], audit),
        "share_unprofitable_large_at_audit": share_unprofitable(universe, facts, params["large_index"], audit),
        "valuation_at_audit": valuation_gap(tables, facts, params, month_end_days(small, audit), audit),
        "funds_ytd_at_audit": funds_ytd(tables["funds"], tables["fund_navs"], audit, tables["fund_distributions"]),
        "rally_week": rally_week(small),
        "policy_decisions": decisions,
        "fed_cut_in_window": fed_cut_in_window(decisions),
        "calendar_year_returns": years,
        "dominance_streak": dominance_streak(years),
        "yield_beta_true": planted["yield_beta_true"],
        "yield_sensitivity_at_audit": yield_sensitivity(small, large, tables["rates"], audit),
        "eps_growth_small": eps_growth(tables["earnings"], end_members),
        "mna_activity": mna_activity(tables["mna_events"], universe, params["small_index"], end),
        "splits": [
            {"symbol": r.symbol, "date": iso(r.date), "ratio": float(r.ratio)} for r in tables["splits"].itertuples()
        ],
        "delisted": delistings(tables["prices"], tables["mna_events"], [small_symbol, large_symbol]),
        "ipos": ipos(tables["prices"], universe),
        "migrations": migrations(universe, params["small_index"], params["large_index"]),
        **issue_19_truths(tables, params, audit),
    }


def issue_19_truths(tables: dict[str, pd.DataFrame], params: dict, audit: pd.Timestamp) -> dict:
    small_symbol, large_symbol = params["small_symbol"], params["large_symbol"]
    universe = tables["universe"]
    benchmarks = tables["prices"][tables["prices"]["symbol"].isin([small_symbol, large_symbol])]
    days = market_days(benchmarks, large_symbol)
    when = days[days <= audit][-1]  # data_as_of of the article_date audit point
    liquidity_since = days[max(days.get_loc(when) - LIQUIDITY_WINDOW + 1, 0)]
    starts = {months: window_start(days, when, months) for months in SECTOR_WINDOWS_MONTHS}
    members = {
        "small": members_at(universe, params["small_index"], when)["symbol"],
        "large": members_at(universe, params["large_index"], when)["symbol"],
    }
    sector_members = {m: members_at(universe, params["small_index"], start) for m, start in starts.items()}
    # One read of the bars every measure below needs.
    earliest = min([liquidity_since] + [f["as_of_date"].min() for f in sector_members.values()])
    symbols = set(members["small"]) | set(members["large"])
    symbols |= set().union(*(set(f["symbol"]) for f in sector_members.values()))
    bars = company_bars(tables["prices"], tables["splits"], symbols, earliest - BARS_LOOKBACK, when)
    liquid = {role: liquidity(bars, members[role], liquidity_since, params[f"{role}_index"]) for role in members}
    windows = {m: sector_window(bars, universe, params["small_index"], start, when) for m, start in starts.items()}
    changes = universe_changes(universe, tables["mna_events"], params["small_index"])
    episodes = drawdown_episodes(daily_returns(benchmarks, small_symbol))
    return {
        "volatility_at_audit": volatility_claim(volatility(benchmarks, small_symbol, large_symbol), when),
        "liquidity_at_audit": liquidity_claim(liquid["small"], liquid["large"], when),
        "universe_changes": changes,
        "universe_at_audit": universe_claim(changes, when),
        "sector_returns_at_audit": sector_claim(sector_returns(windows, when)),
        "drawdown_episodes_small": episodes,
        "rebounds_at_audit": rebound_claim(episodes, when),
    }
