"""Daily prices and fund NAVs -> `prices`, `fund_navs`, `funds` and `splits`.

Two providers, chosen by configuration:

* Yahoo Finance's chart API (v8/finance/chart/<symbol>), JSON: timestamps, a `quote`
  block (open/high/low/close/volume, close adjusted for splits only) and an `adjclose`
  block (adjusted for splits and distributions), plus split events. For mutual funds the
  close is the NAV and the adjusted close the NAV with distributions reinvested.
* Stooq's CSV download (q/d/l/?s=<symbol>.us&i=d): Date,Open,High,Low,Close,Volume, one
  close only, so adj_close stays empty and returns are price returns; no split events.

The CSV parser also reads Yahoo's own CSV downloads (Date,Open,High,Low,Close,Adj Close,
Volume, with `null` rows) and yfinance's saved CSVs, so a user's saved files read alike.

Providers re-base history when a split or a distribution happens (every earlier adjusted
close moves; after a split every close does). The overlap re-fetched each run is compared
with what is held; when they disagree the symbol's whole history is fetched again, so the
series never mixes two bases.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.sources.base import Landed
from pipelines.sources.formats.daily_bars import bar_columns
from pipelines.sources.live.context import LiveContext
from pipelines.sources.live.members import companies_to_fetch
from pipelines.sources.live.sec_tickers import Registrant, ticker_key, ticker_map
from pipelines.sources.live.store import atomic_write, chunk_name, chunks, has_window, safe_name

PRICE_EXTRA = {"provider": pa.string()}
NAV_EXTRA = {"provider": pa.string()}
_FIELDS = ("open", "high", "low", "close", "adj_close", "volume")


class NoData(Exception):
    """The provider knows no data for the symbol (unknown, delisted): recorded, not fatal."""


@dataclass
class Series:
    bars: dict[date, dict] = field(default_factory=dict)  # date -> {open, high, low, close, adj_close, volume}
    splits: dict[date, float] = field(default_factory=dict)  # ex-date -> new shares per old share

    def update(self, other: Series) -> None:
        self.bars.update(other.bars)
        self.splits.update(other.splits)


def _num(text: str | None) -> float | None:
    text = (text or "").strip()
    if text.lower() in ("", "null", "nan", "-"):
        return None
    return float(text)


def parse_daily_csv(text: str) -> Series:
    """Stooq's, Yahoo's and yfinance's daily CSVs (header names matched loosely)."""
    text = text.lstrip("\ufeff")
    if text.strip().lower().startswith("no data"):
        raise NoData("the provider answered 'No data'")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    col = bar_columns(header)
    if col is None:
        raise ValueError(f"not a daily price CSV: header {','.join(header)[:80]!r}")
    at = col.pop("date")
    series = Series()
    for row in reader:
        if len(row) <= at or not row[at].strip():
            continue
        values = {name: _num(row[i]) if i < len(row) else None for name, i in col.items()}
        if values.get("close") is None:
            continue  # Yahoo writes a whole row of `null` for a day without a price
        series.bars[date.fromisoformat(row[at].strip()[:10])] = {k: values.get(k) for k in _FIELDS}
    return series


def parse_yahoo_chart(text: str) -> Series:
    doc = json.loads(text)
    chart = doc["chart"]
    if chart.get("error"):
        raise NoData(f"{chart['error'].get('code')}: {chart['error'].get('description')}")
    result = chart["result"][0]
    meta = result.get("meta", {})
    tz = ZoneInfo(meta["exchangeTimezoneName"]) if meta.get("exchangeTimezoneName") else UTC
    quote = result["indicators"]["quote"][0]
    adj = (result["indicators"].get("adjclose") or [{}])[0].get("adjclose")
    series = Series()
    # Bars are stamped at the session's start in exchange time; the local date is the trading day.
    for i, ts in enumerate(result.get("timestamp") or []):
        close = quote["close"][i]
        if close is None:
            continue
        day = datetime.fromtimestamp(ts, tz).date()
        series.bars[day] = {
            "open": quote["open"][i],
            "high": quote["high"][i],
            "low": quote["low"][i],
            "close": close,
            "adj_close": adj[i] if adj else None,
            "volume": quote["volume"][i],
        }
    for ev in (result.get("events") or {}).get("splits", {}).values():
        series.splits[datetime.fromtimestamp(ev["date"], tz).date()] = ev["numerator"] / ev["denominator"]
    return series


def provider_symbol(provider: str, symbol: str, registrants: dict[str, Registrant]) -> str:
    """The symbol as the provider spells it: SEC's class punctuation (BRK-B), Stooq's .us suffix."""
    reg = registrants.get(ticker_key(symbol))
    spelled = reg.ticker if reg else symbol.replace(".", "-").replace("/", "-")
    if provider == "stooq":
        return spelled.lower() if spelled.startswith("^") else f"{spelled.lower()}.us"
    return spelled


def _epoch(day: date) -> int:
    return int(datetime.combine(day, time(), UTC).timestamp())


def _fetch(ctx: LiveContext, provider: str, symbol: str, psym: str, start: date, end: date | None) -> Series:
    cfg = ctx.config
    last = end or ctx.today
    if provider == "yahoo":
        url = f"{cfg.yahoo_base_url}/v8/finance/chart/{psym}"
        params = {
            "period1": str(_epoch(start)),
            "period2": str(_epoch(last + timedelta(days=1))),
            "interval": "1d",
            "events": "div,splits",
            "includeAdjustedClose": "true",
        }
        ext, parse = "json", parse_yahoo_chart
    else:
        url = f"{cfg.stooq_base_url}/q/d/l/"
        params = {"s": psym, "i": "d", "d1": start.strftime("%Y%m%d"), "d2": last.strftime("%Y%m%d")}
        ext, parse = "csv", parse_daily_csv
    fetched = ctx.client(provider).get(url, params, accept=(404,))
    return ctx.keep(
        provider,
        chunk_name(symbol, ctx.today, start, end, ext),
        fetched.body,
        lambda p: parse(p.read_text(encoding="utf-8")),
    )


def _replay(ctx: LiveContext, provider: str, symbol: str) -> Series:
    series = Series()
    for chunk in chunks(ctx.area.service_dir(provider), symbol):
        text = chunk.path.read_text(encoding="utf-8")
        try:
            series.update(parse_yahoo_chart(text) if chunk.path.suffix == ".json" else parse_daily_csv(text))
        except NoData:
            continue
    return series


def _rebased(held: Series, fresh: Series, before: date) -> bool:
    """True when the provider's history moved: a new split, or held days now priced differently."""
    if any(d not in held.splits for d in fresh.splits):
        return True
    for day, bar in fresh.bars.items():
        old = held.bars.get(day)
        if day >= before or old is None:
            continue  # the last held day may have been a partial session
        for k in ("close", "adj_close"):
            a, b = old.get(k), bar.get(k)
            if a is not None and b is not None and abs(a - b) > 1e-6 * max(1.0, abs(a)):
                return True
    return False


@dataclass(frozen=True)
class Target:
    """Where one symbol's series goes: dataset, contract file, and how its rows are spelled."""

    dataset: str  # prices or fund_navs
    symbol: str

    @property
    def name(self) -> str:
        return safe_name(self.symbol)


def _rows(target: Target, provider: str, series: Series) -> list[dict]:
    if target.dataset == "fund_navs":
        return [
            {"fund_id": target.symbol, "date": d, "nav": b["close"], "adj_nav": b["adj_close"], "provider": provider}
            for d, b in series.bars.items()
        ]
    # Both providers' closes are split-adjusted to the day they were fetched; the last bar
    # stands for it (a re-based history is fetched and written again whole).
    basis = max(series.bars, default=None)
    return [
        {"symbol": target.symbol, "date": d, **b, "split_basis_date": basis, "provider": provider}
        for d, b in series.bars.items()
    ]


def _held(ctx: LiveContext, target: Target) -> Series:
    series = Series()
    path = ctx.area.contract_dir(target.dataset) / f"{target.name}.parquet"
    if path.exists():
        for r in pq.read_table(path).to_pylist():
            if target.dataset == "fund_navs":
                series.bars[r["date"]] = {"close": r["nav"], "adj_close": r["adj_nav"]}
            else:
                series.bars[r["date"]] = {k: r[k] for k in _FIELDS}
    splits = ctx.area.contract_dir("splits") / f"{target.name}.parquet"
    if target.dataset == "prices" and splits.exists():
        series.splits = {r["date"]: r["ratio"] for r in pq.read_table(splits).to_pylist()}
    return series


def _write(ctx: LiveContext, target: Target, provider: str, series: Series) -> None:
    extra = NAV_EXTRA if target.dataset == "fund_navs" else PRICE_EXTRA
    ctx.area.write_contract(target.dataset, target.name, _rows(target, provider, series), extra)
    if series.splits and target.dataset == "prices":
        ctx.area.write_contract(
            "splits", target.name, [{"symbol": target.symbol, "date": d, "ratio": r} for d, r in series.splits.items()]
        )


def _update(ctx: LiveContext, target: Target, provider: str, psym: str) -> dict:
    """Bring one symbol's contract file up to date; returns its coverage entry."""
    cfg = ctx.config
    state = ctx.area.state(f"{target.dataset}_{provider}")
    mark = state.get(target.symbol)
    contract = ctx.area.contract_dir(target.dataset) / f"{target.name}.parquet"
    if cfg.offline:
        series = _replay(ctx, provider, target.symbol)
        if series.bars:
            _write(ctx, target, provider, series)
        return {
            "status": "ok" if series.bars else "not_available",
            "reason": "" if series.bars else "no stored response",
        }
    backfill_due = cfg.backfill_start is not None and not has_window(
        ctx.area.service_dir(provider), target.symbol, cfg.backfill_start, cfg.backfill_end
    )
    done_today = mark.get("fetched_on") == ctx.today.isoformat() and (contract.exists() or mark.get("status") != "ok")
    if done_today and not backfill_due:
        return mark
    held = _held(ctx, target)
    last = date.fromisoformat(mark["last_date"]) if mark.get("last_date") and held.bars else None
    try:
        if backfill_due:
            held.update(_fetch(ctx, provider, target.symbol, psym, cfg.backfill_start, cfg.backfill_end))
        # Re-ask a couple of weeks already held: late corrections, and the check for a re-based history.
        start = last - timedelta(days=cfg.overlap_days) if last else cfg.history_start
        fresh = _fetch(ctx, provider, target.symbol, psym, start, None)
        if last and _rebased(held, fresh, before=last):
            ctx.log(
                f"{target.dataset}: {target.symbol}: history re-based by {provider} (split or distribution); "
                "fetching it whole again"
            )
            held = _fetch(ctx, provider, target.symbol, psym, cfg.history_start, None)
        held.update(fresh)
        if not held.bars:
            raise NoData("no daily bars in the response")
    except NoData as e:
        entry = {"status": "not_available", "reason": str(e), "provider_symbol": psym}
        state.update(target.symbol, fetched_on=ctx.today, **entry)
        return entry
    _write(ctx, target, provider, held)
    entry = {"status": "ok", "reason": "", "provider_symbol": psym, "last_date": max(held.bars).isoformat()}
    state.update(target.symbol, fetched_on=ctx.today, **entry)
    return entry


def _write_coverage(ctx: LiveContext, name: str, rows: list[dict]) -> None:
    out = io.StringIO()
    w = csv.DictWriter(
        out, fieldnames=["symbol", "provider_symbol", "status", "reason", "last_date"], extrasaction="ignore"
    )
    w.writeheader()
    w.writerows(rows)
    atomic_write(ctx.area.coverage_path(name), out.getvalue().encode())


def _registrants(ctx: LiveContext) -> dict[str, Registrant]:
    # The SEC map only improves spelling (BRKB -> BRK-B); without an SEC contact, do without.
    return ticker_map(ctx) if ctx.config.sec_user_agent or ctx.config.offline else {}


def land_prices(ctx: LiveContext) -> Landed:
    cfg, s = ctx.config, ctx.settings
    provider = cfg.price_provider
    members = [sym for _, sym in companies_to_fetch(ctx)]
    symbols = list(dict.fromkeys([s.small_symbol, s.large_symbol, *members]))
    registrants = _registrants(ctx) if members else {}
    coverage = _run(ctx, "prices", provider, symbols, registrants)
    _write_coverage(ctx, "prices.csv", coverage)
    ok = sum(c["status"] == "ok" for c in coverage)
    return Landed(
        "prices",
        ctx.area.contract_files("prices"),
        note=f"{ok} of {len(symbols)} symbols from {provider}; "
        + ("adj_close beside close" if provider == "yahoo" else "Stooq gives one close: adj_close empty"),
    )


def land_fund_navs(ctx: LiveContext) -> Landed:
    provider = ctx.config.fund_provider
    funds = [f.fund_id for f in ctx.config.funds]
    coverage = _run(ctx, "fund_navs", provider, funds, {})
    _write_coverage(ctx, "fund_navs.csv", coverage)
    ok = sum(c["status"] == "ok" for c in coverage)
    return Landed("fund_navs", ctx.area.contract_files("fund_navs"), note=f"{ok} of {len(funds)} funds from {provider}")


def _run(ctx: LiveContext, dataset: str, provider: str, symbols: list[str], registrants: dict) -> list[dict]:
    progress = ctx.progress(f"{dataset} ({provider})", len(symbols), "symbols")
    coverage = []
    for symbol in symbols:
        psym = provider_symbol(provider, symbol, registrants)
        entry = _update(ctx, Target(dataset, symbol), provider, psym)
        coverage.append({"symbol": symbol, "provider_symbol": psym, **entry})
        progress.step(symbol)
    return coverage


def land_funds(ctx: LiveContext) -> Landed:
    rows = [
        {
            "fund_id": f.fund_id,
            "name": f.name,
            "category": f.category,
            "share_class": f.share_class,
            "domicile": f.domicile,
        }
        for f in ctx.config.funds
    ]
    path = ctx.area.write_contract("funds", "funds", rows)
    return Landed("funds", [path], note=f"{len(rows)} funds from configuration")


def land_splits(ctx: LiveContext) -> Landed:
    if ctx.config.price_provider != "yahoo":
        return Landed("splits", [], note="the price provider (Stooq) reports no split events")
    # Splits arrive with the price responses: landing prices first is a no-op once done today.
    land_prices(ctx)
    files = ctx.area.contract_files("splits")
    return Landed(
        "splits",
        files,
        note=f"split events of {len(files)} symbol(s) from Yahoo chart events"
        if files
        else "no split reported by Yahoo for the symbols held",
    )
