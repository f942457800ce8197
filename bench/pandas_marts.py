"""The core marts in pandas alone: the analyst's script of issue #18, re-measured in every `make bench`.

    python -m bench.pandas_marts <files_dir> [--out DIR]

Reads the bench's input folder (`<files_dir>/<dataset>/*.parquet`, as bench/run.py's write_market and
the sample source write it) with pandas only and computes what the warehouse's core marts hold, by the
same rules (the dbt models named below, the vars of dbt_project/dbt_project.yml, the roles of
pipelines.config):

- benchmark_daily: each benchmark's 5-day return (marts.benchmark_daily.return_5d, is_surge);
- calendar_year_returns: both benchmarks' complete calendar years (marts.calendar_year_returns);
- profitability: per index role and as-of date, members, members with a TTM net income and the share
  of those with TTM < 0 (marts.profitability, sector 'ALL'; int_company_asof, int_company_ttm);
- valuation: the aggregate P/E with and without losses, sum of market caps / sum of TTM net income
  (marts.valuation).

Point in time as in the models: the as-of dates are the large benchmark's month-end trading days, its
latest day and the day in force at audit_date; the members are the latest universe snapshot on or
before the date; a company's filings are those with report_date <= the date, each fiscal quarter in
its latest version then; TTM net income sums the latest four quarters when they are consecutive
(ttm_quarter_*_days, ttm_span_*_days) and is dropped when its latest quarter is older than
ttm_max_age_days or reported in another currency than USD; market cap = the close at the date (at
most price_max_stale_days old) x the latest visible shares outstanding, both on the date's share basis
(splits); an issuer's share classes count once.

Simplified, against the warehouse:
- no quality gates: no row is quarantined, and no flagged stretch (marts.series_flags) voids a
  return; the warehouse sets a return reaching across one to NULL;
- duplicate keys: the last row wins, files read in name order (the warehouse: the latest loaded file);
- Parquet only (the warehouse also reads CSV and publishers' own formats);
- only the sector 'ALL' rows of profitability, and only the columns above (no return bases per
  column, YTD, EPS, forward P/E, median P/E, bounds).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.config import load_settings  # noqa: E402

DAY = pd.Timedelta(days=1)


def model_vars() -> dict:
    """dbt_project.yml's vars with the run's roles on top, as the pipeline passes them to dbt."""
    project = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())
    return {**project["vars"], **load_settings().dbt_vars()}


def read_dataset(files_dir: Path, dataset: str, columns: list[str]) -> pd.DataFrame:
    """Every Parquet file of a dataset's folder, stacked; optional columns a file lacks come as NULL."""
    frames = []
    for path in sorted((files_dir / dataset).glob("*.parquet")):
        present = set(pq.read_schema(path).names)
        frame = pd.read_parquet(path, columns=[c for c in columns if c in present])
        frames.append(frame.reindex(columns=columns))
    if not frames:
        raise SystemExit(f"{files_dir / dataset}: no Parquet file")
    return pd.concat(frames, ignore_index=True)


def clean_text(s: pd.Series, upper: bool = True) -> pd.Series:
    """Trimmed (and upper-cased) text, blank as NULL: what the staging models do to keys and codes."""
    s = s.astype("string").str.strip()
    s = s.str.upper() if upper else s
    return s.mask(s == "").astype(object)


def to_dates(frame: pd.DataFrame, *columns: str) -> None:
    for c in columns:
        frame[c] = pd.to_datetime(frame[c])


def load_inputs(files_dir: Path) -> dict[str, pd.DataFrame]:
    prices = read_dataset(files_dir, "prices", ["symbol", "date", "close", "adj_close", "split_basis_date"])
    prices["symbol"] = clean_text(prices["symbol"])
    to_dates(prices, "date", "split_basis_date")
    prices = prices.drop_duplicates(["symbol", "date"], keep="last")

    earnings = read_dataset(
        files_dir,
        "earnings",
        [
            "symbol",
            "fiscal_period_end",
            "report_date",
            "net_income",
            "shares_outstanding",
            "currency",
            "shares_as_of",
            "issuer_id",
        ],
    )
    earnings["symbol"] = clean_text(earnings["symbol"])
    earnings["currency"] = clean_text(earnings["currency"])
    # The contract's defaults for the optional columns (stg_earnings).
    earnings["issuer_id"] = clean_text(earnings["issuer_id"], upper=False).fillna(earnings["symbol"])
    to_dates(earnings, "fiscal_period_end", "report_date", "shares_as_of")
    earnings["shares_as_of"] = earnings["shares_as_of"].fillna(earnings["fiscal_period_end"])
    earnings = earnings.drop_duplicates(["symbol", "fiscal_period_end", "report_date"], keep="last")

    universe = read_dataset(files_dir, "universe", ["index_id", "symbol", "as_of_date", "sector", "weight"])
    universe["index_id"] = clean_text(universe["index_id"])
    universe["symbol"] = clean_text(universe["symbol"])
    universe["sector"] = clean_text(universe["sector"], upper=False)
    to_dates(universe, "as_of_date")
    universe = universe.drop_duplicates(["index_id", "symbol", "as_of_date"], keep="last")

    split_dir = files_dir / "splits"
    if split_dir.is_dir() and any(split_dir.glob("*.parquet")):
        splits = read_dataset(files_dir, "splits", ["symbol", "date", "ratio"])
    else:
        splits = pd.DataFrame({"symbol": pd.Series(dtype=object), "date": [], "ratio": []})
    splits["symbol"] = clean_text(splits["symbol"])
    to_dates(splits, "date")
    splits = splits.drop_duplicates(["symbol", "date"], keep="last")
    return {"prices": prices, "earnings": earnings, "universe": universe, "splits": splits}


# --- Share basis (int_split_multiples) --------------------------------------------------------------


def split_multiples(splits: pd.DataFrame) -> pd.DataFrame:
    """Per symbol and split date, the product of its split ratios up to that date."""
    s = splits.sort_values(["symbol", "date"])
    return pd.DataFrame(
        {"symbol": s["symbol"], "split_date": s["date"], "multiple": s.groupby("symbol")["ratio"].cumprod()}
    )


def multiple_at(frame: pd.DataFrame, date_column: str, multiples: pd.DataFrame) -> np.ndarray:
    """The share multiple of each row's symbol at its date: that of the latest split on or before it, else 1."""
    left = frame[["symbol", date_column]].reset_index(drop=True)
    left["_row"] = np.arange(len(left))
    left = left.sort_values(date_column)
    found = pd.merge_asof(
        left,
        multiples.sort_values("split_date"),
        left_on=date_column,
        right_on="split_date",
        by="symbol",
        direction="backward",
    )
    out = np.ones(len(frame))
    out[found["_row"].to_numpy()] = found["multiple"].fillna(1.0).to_numpy()
    return out


# --- Benchmarks (int_benchmark_prices, marts.benchmark_daily, marts.calendar_year_returns) ----------


def period_return(close_end, adj_end, close_start, adj_start) -> pd.Series:
    """Total return when both ends have an adjusted close, else price return (macro period_return)."""
    total = adj_end.notna() & adj_start.notna()
    return (adj_end / adj_start - 1).where(total, close_end / close_start - 1)


def benchmark_prices(prices: pd.DataFrame, v: dict) -> pd.DataFrame:
    roles = pd.DataFrame({"role": ["small", "large"], "symbol": [v["small_symbol"].upper(), v["large_symbol"].upper()]})
    bench = prices.merge(roles, on="symbol")[["role", "symbol", "date", "close", "adj_close"]]
    return bench.sort_values(["role", "date"], ignore_index=True)


def benchmark_daily(bench: pd.DataFrame, v: dict) -> pd.DataFrame:
    window = int(v["surge_window_trading_days"])
    lagged = bench.groupby("role")[["close", "adj_close"]].shift(window)
    out = bench.copy()
    out["return_5d"] = period_return(bench["close"], bench["adj_close"], lagged["close"], lagged["adj_close"])
    out["is_surge"] = (out["return_5d"] >= float(v["surge_5d_threshold"])).where(out["return_5d"].notna())
    return out


def calendar_year_returns(bench: pd.DataFrame) -> pd.DataFrame:
    b = bench.assign(year=bench["date"].dt.year)
    year_ends = b.groupby(["role", "year"]).tail(1)  # sorted by date within the role
    previous = year_ends.assign(year=year_ends["year"] + 1)
    yearly = year_ends.merge(previous, on=["role", "symbol", "year"], suffixes=("", "_prev"))
    last_date = b.groupby("role")["date"].max().rename("last_date")
    yearly = yearly.join(last_date, on="role")
    # A complete year: the series goes on after its last close, or that close is on 31 December.
    complete = (yearly["last_date"] > yearly["date"]) | (
        (yearly["date"].dt.month == 12) & (yearly["date"].dt.day == 31)
    )
    yearly = yearly[complete].assign(
        year_return=period_return(yearly["close"], yearly["adj_close"], yearly["close_prev"], yearly["adj_close_prev"])
    )
    cols = ["year", "symbol", "year_return", "date"]
    small = yearly.loc[yearly["role"] == "small", cols].rename(
        columns={"symbol": "small_symbol", "year_return": "small_return", "date": "small_year_end_date"}
    )
    large = yearly.loc[yearly["role"] == "large", cols].rename(
        columns={"symbol": "large_symbol", "year_return": "large_return", "date": "large_year_end_date"}
    )
    out = small.merge(large, on="year")
    out["large_won"] = out["large_return"] > out["small_return"]
    return out.sort_values("year", ignore_index=True)


# --- As-of dates and membership (int_trading_days, int_as_of_dates, int_index_membership) -----------


def as_of_dates(bench: pd.DataFrame, v: dict) -> pd.DatetimeIndex:
    days = pd.Series(bench.loc[bench["role"] == "large", "date"].drop_duplicates().sort_values().to_numpy())
    month_end = days.groupby(days.dt.to_period("M")).transform("max") == days
    audit = days[days <= pd.Timestamp(v["audit_date"])]
    picked = days[month_end | (days == days.max()) | (days == (audit.max() if len(audit) else pd.NaT))]
    return pd.DatetimeIndex(picked.unique())


def membership(universe: pd.DataFrame, dates: pd.DatetimeIndex, v: dict) -> pd.DataFrame:
    """The members of each role's latest snapshot on or before each as-of date."""
    roles = pd.DataFrame(
        {"index_role": ["small", "large"], "index_id": [v["small_index"].upper(), v["large_index"].upper()]}
    )
    uni = universe.merge(roles, on="index_id")
    snapshots = uni[["index_role", "as_of_date"]].drop_duplicates().rename(columns={"as_of_date": "snapshot_date"})
    frames = pd.DataFrame(
        {"index_role": np.repeat(roles["index_role"].to_numpy(), len(dates)), "as_of_date": np.tile(dates, len(roles))}
    )
    in_force = pd.merge_asof(
        frames.sort_values("as_of_date"),
        snapshots.sort_values("snapshot_date"),
        left_on="as_of_date",
        right_on="snapshot_date",
        by="index_role",
        direction="backward",
    ).dropna(subset=["snapshot_date"])
    members = in_force.merge(uni.rename(columns={"as_of_date": "snapshot_date"}), on=["index_role", "snapshot_date"])
    members["sector"] = members["sector"].fillna("UNKNOWN")
    return members[["index_role", "index_id", "as_of_date", "snapshot_date", "symbol", "sector", "weight"]]


# --- Point-in-time fundamentals (int_earnings_versions, int_company_ttm, int_company_asof) ----------


def ttm_at(earnings: pd.DataFrame, date: pd.Timestamp, v: dict) -> pd.DataFrame:
    """Per symbol, the TTM facts public at `date`. `earnings` is sorted by symbol, period end, report date."""
    visible = earnings[earnings["report_date"] <= date]
    # The latest version of each fiscal quarter filed by the date.
    quarters = visible.drop_duplicates(["symbol", "fiscal_period_end"], keep="last")
    shares = quarters[quarters["shares_unsplit"].notna()].drop_duplicates("symbol", keep="last")
    # The latest five: the four a TTM sums and the one before, which dates the first one's start.
    five = quarters.groupby("symbol").tail(5)
    by_symbol = five.groupby("symbol")
    recency = by_symbol.cumcount(ascending=False) + 1
    days = (five["fiscal_period_end"] - by_symbol["fiscal_period_end"].shift(1)).dt.days
    four = five[recency <= 4]
    q_min, q_max = int(v["ttm_quarter_min_days"]), int(v["ttm_quarter_max_days"])
    span_min, span_max = int(v["ttm_span_min_days"]), int(v["ttm_span_max_days"])
    # The latest three quarters' lengths are known from the quarter before each (four are required).
    later_ok = days.between(q_min, q_max)[recency <= 3].groupby(five["symbol"]).all()
    g = four.groupby("symbol")
    ttm = pd.DataFrame(
        {
            "latest_period_end": g["fiscal_period_end"].max(),
            "earliest_period_end": g["fiscal_period_end"].min(),
            "quarters_visible": g.size(),
            # The latest quarter's non-NULL value, as DuckDB's max_by gives it.
            "issuer_id": g["issuer_id"].last(),
            "currency": g["currency"].last(),
            "net_income_4q": g["net_income"].sum(min_count=1),
        }
    )
    ttm["later_quarters_ok"] = later_ok.reindex(ttm.index, fill_value=False)
    ttm["first_quarter_days"] = days[recency == 4].groupby(five["symbol"]).first().reindex(ttm.index)
    ends_span = (ttm["latest_period_end"] - ttm["earliest_period_end"]).dt.days
    first_known = ttm["first_quarter_days"] <= q_max
    with_first = (ttm["first_quarter_days"] >= q_min) & (ends_span + ttm["first_quarter_days"]).between(
        span_min, span_max
    )
    # Unknown first length: the later quarters must leave room for a first one of allowed length.
    without_first = ends_span.between(span_min - q_max, span_max - q_min)
    ttm["is_consecutive"] = (
        (ttm["quarters_visible"] == 4) & ttm["later_quarters_ok"] & with_first.where(first_known, without_first)
    )
    ttm["ttm_net_income"] = ttm["net_income_4q"].where(ttm["is_consecutive"])
    ttm = ttm.join(shares.set_index("symbol")[["shares_unsplit"]], how="outer")
    return ttm.reset_index()[
        ["symbol", "issuer_id", "currency", "latest_period_end", "ttm_net_income", "shares_unsplit"]
    ]


def company_asof(inputs: dict[str, pd.DataFrame], members: pd.DataFrame, v: dict) -> pd.DataFrame:
    multiples = split_multiples(inputs["splits"])
    earnings = inputs["earnings"].copy()
    earnings["shares_unsplit"] = earnings["shares_outstanding"] / multiple_at(earnings, "shares_as_of", multiples)
    earnings = earnings.sort_values(["symbol", "fiscal_period_end", "report_date"], ignore_index=True)

    parts = []
    for date, group in members.groupby("as_of_date", sort=True):
        facts = ttm_at(earnings[earnings["symbol"].isin(group["symbol"].unique())], date, v)
        parts.append(group.merge(facts, on="symbol", how="left"))
    companies = pd.concat(parts, ignore_index=True)

    # The close at the date (latest on or before it, at most price_max_stale_days old).
    stale = pd.Timedelta(days=int(v["price_max_stale_days"]))
    prices = inputs["prices"]
    dates = np.sort(companies["as_of_date"].unique())
    next_date = np.searchsorted(dates, prices["date"].to_numpy(), side="left")
    usable = next_date < len(dates)
    usable[usable] = dates[next_date[usable]] - prices["date"].to_numpy()[usable] <= stale
    closes = prices.loc[usable, ["symbol", "date", "close", "split_basis_date"]]
    companies = pd.merge_asof(
        companies.sort_values("as_of_date"),
        closes.sort_values("date").rename(columns={"date": "close_date", "close": "close_raw"}),
        left_on="as_of_date",
        right_on="close_date",
        by="symbol",
        direction="backward",
        tolerance=stale,
    )
    companies["close_basis_date"] = companies["split_basis_date"].fillna(companies["close_date"])
    # A member without a close gets no close: any date serves its (unused) multiple.
    basis = companies.assign(d=companies["close_basis_date"].fillna(companies["as_of_date"]))
    close_multiple = multiple_at(basis, "d", multiples)
    as_of_multiple = multiple_at(companies, "as_of_date", multiples)
    companies["close"] = companies["close_raw"] * close_multiple / as_of_multiple
    companies["shares_outstanding"] = companies["shares_unsplit"] * as_of_multiple
    companies["market_cap"] = companies["close"] * companies["shares_outstanding"]

    usable_ttm = (companies["latest_period_end"] >= companies["as_of_date"] - int(v["ttm_max_age_days"]) * DAY) & (
        companies["currency"].fillna("USD") == "USD"
    )
    companies["ttm_net_income"] = companies["ttm_net_income"].where(usable_ttm)
    companies["issuer"] = companies["issuer_id"].fillna(companies["symbol"])

    # One row per issuer: the class with a close, then the largest index weight, then the first symbol.
    companies["_no_close"] = companies["close"].isna()
    companies["_weight"] = (-companies["weight"]).fillna(np.inf)
    companies = companies.sort_values(["index_role", "as_of_date", "issuer", "_no_close", "_weight", "symbol"])
    companies = companies.drop_duplicates(["index_role", "as_of_date", "issuer"], keep="first")
    return companies.drop(columns=["_no_close", "_weight"]).reset_index(drop=True)


# --- Marts (marts.profitability, marts.valuation) ---------------------------------------------------


def ratio(num: pd.Series, den: pd.Series, positive: bool = False) -> pd.Series:
    ok = den > 0 if positive else den != 0
    return (num / den).where(ok)


def profitability(companies: pd.DataFrame) -> pd.DataFrame:
    c = companies.assign(
        has_ttm=companies["ttm_net_income"].notna(),
        loss=companies["ttm_net_income"] < 0,
        cap_with_data=companies["market_cap"].where(companies["ttm_net_income"].notna()),
        cap_unprofitable=companies["market_cap"].where(companies["ttm_net_income"] < 0),
    )
    out = c.groupby(["index_role", "as_of_date"]).agg(
        constituents=("symbol", "size"),
        with_data=("has_ttm", "sum"),
        unprofitable=("loss", "sum"),
        cap_with_data=("cap_with_data", lambda s: s.sum(min_count=1)),
        cap_unprofitable=("cap_unprofitable", "sum"),
    )
    out["share_unprofitable"] = ratio(out["unprofitable"], out["with_data"])
    out["share_unprofitable_cap_weighted"] = ratio(out["cap_unprofitable"], out["cap_with_data"])
    out["coverage"] = ratio(out["with_data"], out["constituents"])
    return out.drop(columns=["cap_with_data", "cap_unprofitable"]).reset_index().assign(sector="ALL")


def valuation(companies: pd.DataFrame) -> pd.DataFrame:
    frames = companies[["index_role", "as_of_date"]].drop_duplicates()
    priced = companies[companies["market_cap"].notna()]
    has_ttm, profitable = priced["ttm_net_income"].notna(), priced["ttm_net_income"] > 0
    p = priced.assign(
        cap_with_data=priced["market_cap"].where(has_ttm),
        cap_profitable=priced["market_cap"].where(profitable),
        ttm_profitable=priced["ttm_net_income"].where(profitable),
        has_ttm=has_ttm,
    )

    def total(s: pd.Series) -> float:
        return s.sum(min_count=1)

    agg = p.groupby(["index_role", "as_of_date"]).agg(
        market_cap=("market_cap", total),
        priced_companies=("symbol", "size"),
        with_data=("has_ttm", "sum"),
        cap_with_data=("cap_with_data", total),
        ttm_net_income=("ttm_net_income", total),
        cap_profitable=("cap_profitable", total),
        ttm_net_income_profitable=("ttm_profitable", total),
    )
    agg["pe_incl_losses"] = ratio(agg["cap_with_data"], agg["ttm_net_income"], positive=True)
    agg["pe_ex_losses"] = ratio(agg["cap_profitable"], agg["ttm_net_income_profitable"], positive=True)
    agg["earnings_yield"] = ratio(agg["ttm_net_income"], agg["cap_with_data"])
    out = frames.merge(agg.reset_index(), on=["index_role", "as_of_date"], how="left")
    out[["priced_companies", "with_data"]] = out[["priced_companies", "with_data"]].fillna(0).astype(int)
    cols = ["index_role", "as_of_date", "market_cap", "pe_incl_losses", "pe_ex_losses", "earnings_yield"]
    return out[[*cols, "priced_companies", "with_data"]].sort_values(["index_role", "as_of_date"], ignore_index=True)


def compute(files_dir: Path) -> dict[str, pd.DataFrame]:
    v = model_vars()
    inputs = load_inputs(files_dir)
    bench = benchmark_prices(inputs["prices"], v)
    members = membership(inputs["universe"], as_of_dates(bench, v), v)
    companies = company_asof(inputs, members, v)
    return {
        "benchmark_daily": benchmark_daily(bench, v),
        "calendar_year_returns": calendar_year_returns(bench),
        "profitability": profitability(companies),
        "valuation": valuation(companies),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files_dir", type=Path, help="the bench's input folder: <dataset>/<dataset>.parquet")
    p.add_argument("--out", type=Path, default=Path("pandas_out"), help="one Parquet file per mart is written here")
    a = p.parse_args(argv)
    started = time.perf_counter()
    marts = compute(a.files_dir)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, frame in marts.items():
        frame.to_parquet(a.out / f"{name}.parquet", index=False)
        print(f"{name}: {len(frame):,} rows")
    print(f"pandas marts in {time.perf_counter() - started:.1f} s -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
