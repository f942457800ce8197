"""iShares fund holdings (IWM for the small role, IVV for the large) -> the `universe` dataset.

The download is the CSV the product page offers: a preamble (fund name, "Fund Holdings
as of", ...), a blank line, the holdings table with every number quoted and written with
thousands separators, another blank line, then a quoted legal footer. Each download is
the fund's holdings on its as-of date: a dated snapshot, kept beside the earlier ones so
membership stays point in time. A backfill range asks for month-end snapshots through the
page's asOfDate parameter.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from pipelines.sources.base import Landed
from pipelines.sources.formats.base import FormatError
from pipelines.sources.formats.ishares import read_holdings
from pipelines.sources.live.config import ISHARES_PRODUCTS
from pipelines.sources.live.context import LiveContext

SERVICE = "ishares"
# The holdings component of every iShares US product page.
HOLDINGS_AJAX = "1467271812596.ajax"
EXTRA = {
    "fund": pa.string(),
    "asset_class": pa.string(),
    "market_value": pa.float64(),
    "price": pa.float64(),
    "exchange": pa.string(),
    "location": pa.string(),
    "currency": pa.string(),
}


class HoldingsFormatError(ValueError):
    pass


@dataclass
class Holdings:
    fund_name: str
    as_of: date
    rows: list[dict]  # one per equity holding, contract columns (bar index_id) plus extras


def _number(text: str) -> float | None:
    text = text.strip().replace(",", "")
    if text in ("", "-"):
        return None
    return float(text)


def parse_holdings(text: str) -> Holdings:
    try:
        table = read_holdings(text)
    except FormatError as e:
        raise HoldingsFormatError(str(e)) from None
    if table.as_of is None:
        raise HoldingsFormatError("not an iShares holdings file: no 'Fund Holdings as of' line or no 'Ticker,' header")
    missing = {"Ticker", "Name", "Sector", "Asset Class", "Weight (%)", "Quantity"} - set(table.header)
    if missing:
        raise HoldingsFormatError(f"holdings header lacks {', '.join(sorted(missing))}")
    as_of = table.as_of
    by_symbol: dict[str, dict] = {}
    width = len(table.header)
    for line, cells in table.records:
        if len(cells) != width:
            raise HoldingsFormatError(f"line {line}: a holdings row has {len(cells)} fields, the header {width}")
        rec = dict(zip(table.header, cells, strict=True))
        symbol = (rec["Ticker"] or "").strip()
        # Cash, futures and money-market lines are not members; nor are unlisted lines without a ticker.
        if rec["Asset Class"].strip() != "Equity" or symbol in ("", "-"):
            continue
        weight = _number(rec["Weight (%)"])
        row = {
            "symbol": symbol,
            "as_of_date": as_of,
            "name": rec["Name"].strip(),
            "sector": rec["Sector"].strip(),
            "weight": None if weight is None else weight / 100.0,
            "shares_outstanding": _number(rec["Quantity"]),
            "asset_class": "Equity",
            "market_value": _number(rec.get("Market Value") or ""),
            "price": _number(rec.get("Price") or ""),
            "exchange": (rec.get("Exchange") or "").strip() or None,
            "location": (rec.get("Location") or "").strip() or None,
            "currency": (rec.get("Currency") or "").strip() or None,
        }
        if symbol in by_symbol:
            # One company held through two lines (rare): one member, its weight and shares summed.
            held = by_symbol[symbol]
            for k in ("weight", "shares_outstanding", "market_value"):
                if row[k] is not None:
                    held[k] = (held[k] or 0.0) + row[k]
        else:
            by_symbol[symbol] = row
    return Holdings(table.fund_name or "", as_of, list(by_symbol.values()))


def holdings_url(base_url: str, fund: str) -> str:
    return f"{base_url}{ISHARES_PRODUCTS[fund]}/{HOLDINGS_AJAX}"


def month_ends(start: date, end: date) -> list[date]:
    """The last weekday of each month in [start, end]: the days a monthly backfill asks for."""
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        d = date(y, m, calendar.monthrange(y, m)[1])
        while d.weekday() >= 5:
            d -= timedelta(days=1)
        if start <= d <= end:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


_RAW_RE = re.compile(r"^(?P<fund>[A-Z0-9]+)_holdings_")


def _fetch(ctx: LiveContext, fund: str, as_of: date | None) -> Holdings:
    params = {"fileType": "csv", "fileName": f"{fund}_holdings", "dataType": "fund"}
    if as_of:
        params["asOfDate"] = as_of.strftime("%Y%m%d")
    fetched = ctx.client(SERVICE).get(holdings_url(ctx.config.ishares_base_url, fund), params)
    name = f"{fund}_holdings_asof-{as_of}.csv" if as_of else f"{fund}_holdings_fetched-{ctx.today}.csv"
    return ctx.keep(SERVICE, name, fetched.body, lambda p: parse_holdings(p.read_text(encoding="utf-8-sig")))


# Snapshot files are named <index_id>_<fund>_<as-of date>.parquet.
def snapshot_of(path: Path) -> tuple[str, str, str]:
    index_id, fund, as_of = path.stem.rsplit("_", 2)
    return index_id, fund, as_of


def _write_snapshot(ctx: LiveContext, index_id: str, fund: str, holdings: Holdings) -> Path | None:
    if not holdings.rows:
        ctx.log(f"universe: {fund} holdings as of {holdings.as_of} list no equities; no snapshot written")
        return None
    rows = [{**r, "index_id": index_id, "fund": fund} for r in holdings.rows]
    return ctx.area.write_contract("universe", f"{index_id}_{fund}_{holdings.as_of}", rows, EXTRA)


def land_universe(ctx: LiveContext) -> Landed:
    cfg, s = ctx.config, ctx.settings
    roles = {cfg.small_holdings_fund: s.small_index, cfg.large_holdings_fund: s.large_index}
    state = ctx.area.state(SERVICE)
    if cfg.offline:
        _rebuild_all(ctx, roles)
    else:
        wanted = [(fund, None) for fund in roles]
        if cfg.backfill_start:
            days = month_ends(cfg.backfill_start, cfg.backfill_end or ctx.today)
            wanted += [(fund, d) for fund in roles for d in days if not state.get(f"{fund}@{d}")]
        progress = ctx.progress("universe (iShares holdings)", len(wanted), "downloads")
        for fund, as_of in wanted:
            key = f"{fund}@{as_of}" if as_of else fund
            mark = state.get(key)
            if as_of or mark.get("fetched_on") != ctx.today.isoformat():
                holdings = _fetch(ctx, fund, as_of)
                _write_snapshot(ctx, roles[fund], fund, holdings)
                state.update(key, fetched_on=ctx.today, as_of=holdings.as_of, members=len(holdings.rows))
            progress.step(key)
    files = ctx.area.contract_files("universe")
    snapshots = sorted({snapshot_of(f)[2] for f in files})
    note = f"{len(files)} holdings snapshot(s)" + (f", {snapshots[0]}..{snapshots[-1]}" if snapshots else "")
    return Landed("universe", files, note=note)


def _rebuild_all(ctx: LiveContext, roles: dict[str, str]) -> None:
    folder = ctx.area.service_dir(SERVICE)
    for path in sorted(folder.glob("*_holdings_*.csv")) if folder.is_dir() else []:
        m = _RAW_RE.match(path.name)
        if m and m["fund"] in roles:
            _write_snapshot(ctx, roles[m["fund"]], m["fund"], parse_holdings(path.read_text(encoding="utf-8-sig")))
