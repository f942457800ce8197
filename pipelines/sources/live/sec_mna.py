"""M&A events from SEC EDGAR filing indexes -> the `mna_events` dataset (a proxy, see docs/live-data.md).

Two inputs, both documented EDGAR formats:

* the quarterly full index by form type (Archives/edgar/full-index/<year>/QTR<n>/form.idx),
  fixed-width text: a preamble, a column header, a dashed rule, then one line per filing
  and filer (`Form Type  Company Name  CIK  Date Filed  File Name`). Merger forms there
  (DEFM14A, SC TO-T, S-4 by default) are matched to universe companies by CIK;
* a company's submissions (data.sec.gov/submissions/CIK##########.json), whose `items`
  column says which 8-K items a filing reports: that is where an 8-K's item 2.01
  (completion of an acquisition) is identifiable.

Filings on one company close together (an S-4, then the proxy, then the completion 8-K)
are one deal: they form one event dated at the first filing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from pipelines.sources.base import Landed
from pipelines.sources.live.context import LiveContext
from pipelines.sources.live.ishares import land_universe
from pipelines.sources.live.members import all_members, companies_to_fetch
from pipelines.sources.live.sec_tickers import ticker_key, ticker_map
from pipelines.sources.live.store import atomic_write

SERVICE = "sec"
INDEX_STATE = "sec_full_index"
SUBMISSIONS_STATE = "sec_submissions"
# Filings keep arriving in a quarter's index for a few days after the quarter ends.
INDEX_SETTLE_DAYS = 7

EXTRA = {
    "cik": pa.string(),
    "company": pa.string(),
    "forms": pa.string(),
    "filings": pa.int64(),
    "first_accession": pa.string(),
}

# After the form type (which may itself hold single spaces, e.g. "SC TO-T"), at least two
# spaces, the company name, the CIK, the date (2024-01-15 in full indexes, 20240115 in
# daily ones) and the path. Anchored at the end, so runs of spaces inside names are safe.
_ROW = re.compile(
    r"^(?P<form>\S+(?: \S+)*?)\s{2,}(?P<company>.*?)\s+(?P<cik>\d+)\s+"
    r"(?P<filed>\d{4}-?\d{2}-?\d{2})\s+(?P<file>edgar/\S+)\s*$"
)


@dataclass(frozen=True)
class Filing:
    form: str
    company: str
    cik: int
    filed: date
    accession: str
    items: str = ""


def _date(text: str) -> date:
    return date.fromisoformat(text if "-" in text else f"{text[:4]}-{text[4:6]}-{text[6:]}")


def _accession(file_name: str) -> str:
    m = re.search(r"(\d{10}-\d{2}-\d{6})", file_name)
    return m.group(1) if m else file_name


def parse_form_index(text: str, forms: Iterable[str] | None = None) -> Iterator[Filing]:
    """Filings listed in a form.idx, optionally only those whose form type is in `forms`."""
    lines = text.splitlines()
    rule = next((i for i, ln in enumerate(lines) if ln.startswith("-----")), None)
    if rule is None:
        raise ValueError("not an EDGAR form index: no dashed rule under the column header")
    wanted = tuple(forms) if forms is not None else None
    for line in lines[rule + 1 :]:
        if wanted is not None and not line.startswith(wanted):
            continue  # cheap pre-filter: the index is sorted by form type and large
        m = _ROW.match(line)
        if not m or (wanted is not None and m["form"] not in wanted):
            continue
        yield Filing(m["form"], m["company"].strip(), int(m["cik"]), _date(m["filed"]), _accession(m["file"]))


def parse_submissions_8k(text: str, items: Iterable[str], since: date) -> list[Filing]:
    """The company's 8-Ks (originals) reporting any of `items`, filed on or after `since`."""
    doc = json.loads(text)
    recent = doc["filings"]["recent"]
    wanted = set(items)
    out = []
    for form, filed, accn, its in zip(
        recent["form"],
        recent["filingDate"],
        recent["accessionNumber"],
        recent.get("items", [""] * len(recent["form"])),
        strict=True,
    ):
        reported = {i.strip() for i in (its or "").split(",") if i.strip()}
        if form == "8-K" and reported & wanted and date.fromisoformat(filed) >= since:
            out.append(
                Filing(
                    "8-K",
                    str(doc.get("name", "")),
                    int(doc["cik"]),
                    date.fromisoformat(filed),
                    accn,
                    ",".join(sorted(reported)),
                )
            )
    return out


def index_quarters(start: date, today: date) -> list[tuple[int, int]]:
    out, y, q = [], start.year, (start.month - 1) // 3 + 1
    while (y, q) <= (today.year, (today.month - 1) // 3 + 1):
        out.append((y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def _quarter_end(y: int, q: int) -> date:
    return date(y + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)


# Parsed extracts are cached as small CSVs; their names carry the forms or items asked for,
# so changing the configuration re-reads the stored responses instead of using a stale extract.
def _tag(values: Iterable[str]) -> str:
    return hashlib.sha1(",".join(sorted(values)).encode()).hexdigest()[:8]


_FIELDS = ["form", "company", "cik", "filed", "accession", "items"]


def _write_extract(path: Path, filings: list[Filing]) -> None:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(_FIELDS)
    for f in filings:
        w.writerow([f.form, f.company, f.cik, f.filed.isoformat(), f.accession, f.items])
    atomic_write(path, out.getvalue().encode())


def _read_extract(path: Path) -> list[Filing]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            Filing(r["form"], r["company"], int(r["cik"]), date.fromisoformat(r["filed"]), r["accession"], r["items"])
            for r in csv.DictReader(fh)
        ]


def _index_filings(ctx: LiveContext, y: int, q: int) -> list[Filing]:
    cfg = ctx.config
    raw_name = f"full-index/{y}QTR{q}/form.idx"
    extract = ctx.area.parsed_path(f"sec_full_index/{y}QTR{q}_{_tag(cfg.mna_forms)}.csv")
    state = ctx.area.state(INDEX_STATE)
    key = f"{y}QTR{q}"
    mark = state.get(key)
    # A closed quarter's index is final. The open quarter's grows daily to tens of MB, so it is
    # fetched again only after the SEC refresh period: events arrive up to that many days late.
    fetched_on = mark.get("fetched_on")
    stale = not mark.get("complete") and (
        not fetched_on or ctx.today - date.fromisoformat(fetched_on) >= timedelta(days=cfg.sec_refresh_days)
    )
    if not cfg.offline and (stale or not ctx.area.raw_path(SERVICE, raw_name).exists()):
        fetched = ctx.client(SERVICE).get(
            f"{cfg.sec_www_base_url}/Archives/edgar/full-index/{y}/QTR{q}/form.idx", accept=(404,)
        )
        if fetched.status == 404:
            return []  # a quarter whose index is not published yet
        filings = ctx.keep(
            SERVICE,
            raw_name,
            fetched.body,
            lambda p: list(parse_form_index(p.read_text(encoding="latin-1"), cfg.mna_forms)),
        )
        _write_extract(extract, filings)
        state.update(
            key,
            fetched_on=ctx.today,
            complete=ctx.today > _quarter_end(y, q) + timedelta(days=INDEX_SETTLE_DAYS),
            merger_filings=len(filings),
        )
        return filings
    if not extract.exists():
        raw = ctx.area.raw_path(SERVICE, raw_name)
        if not raw.exists():
            return []
        _write_extract(extract, list(parse_form_index(raw.read_text(encoding="latin-1"), cfg.mna_forms)))
    return _read_extract(extract)


def _eight_k_filings(ctx: LiveContext, symbol: str, cik: int) -> list[Filing]:
    cfg = ctx.config
    raw_name = f"submissions/CIK{cik:010d}.json"
    extract = ctx.area.parsed_path(f"sec_8k/CIK{cik:010d}_{_tag(cfg.mna_8k_items)}.csv")
    state = ctx.area.state(SUBMISSIONS_STATE)
    fetched_on = state.get(symbol).get("fetched_on")
    fresh = fetched_on and ctx.today - date.fromisoformat(fetched_on) < timedelta(days=cfg.sec_refresh_days)
    if not cfg.offline and not fresh:
        fetched = ctx.client(SERVICE).get(f"{cfg.sec_data_base_url}/submissions/CIK{cik:010d}.json", accept=(404,))
        filings = (
            []
            if fetched.status == 404
            else ctx.keep(
                SERVICE,
                raw_name,
                fetched.body,
                lambda p: parse_submissions_8k(p.read_text(encoding="utf-8"), cfg.mna_8k_items, cfg.mna_start),
            )
        )
        _write_extract(extract, filings)
        state.update(symbol, fetched_on=ctx.today, cik=f"{cik:010d}", filings=len(filings))
        return filings
    if not extract.exists():
        raw = ctx.area.raw_path(SERVICE, raw_name)
        if not raw.exists():
            return []
        _write_extract(extract, parse_submissions_8k(raw.read_text(encoding="utf-8"), cfg.mna_8k_items, cfg.mna_start))
    return _read_extract(extract)


def events(filings_by_symbol: dict[str, list[Filing]], window_days: int) -> list[dict]:
    """One event per company per deal: filings within `window_days` of the event's first filing."""
    rows = []
    for symbol, filings in filings_by_symbol.items():
        group: list[Filing] = []
        for f in sorted(filings, key=lambda f: (f.filed, f.accession)):
            if group and (f.filed - group[0].filed).days > window_days:
                rows.append(_event(symbol, group))
                group = []
            group.append(f)
        if group:
            rows.append(_event(symbol, group))
    return rows


def _event(symbol: str, group: list[Filing]) -> dict:
    completed = any(f.form == "8-K" and "2.01" in f.items.split(",") for f in group)
    forms = sorted({f.form if f.form != "8-K" else f"8-K {f.items}" for f in group})
    return {
        "announce_date": group[0].filed,
        "target_symbol": symbol,
        "acquirer": None,
        "deal_value_usd": None,
        "status": "completed" if completed else "announced",
        "cik": f"{group[0].cik:010d}",
        "company": group[0].company,
        "forms": "; ".join(forms),
        "filings": len(group),
        "first_accession": group[0].accession,
    }


def land_mna(ctx: LiveContext) -> Landed:
    cfg = ctx.config
    if not cfg.offline:
        cfg.require_sec_contact()
    registrants = ticker_map(ctx)
    members = all_members(ctx)
    if not members:
        land_universe(ctx)
        members = all_members(ctx)
    by_cik: dict[int, str] = {}
    for symbol in members:
        reg = registrants.get(ticker_key(symbol))
        if reg:
            by_cik.setdefault(reg.cik, symbol)
    matched: dict[str, list[Filing]] = {}
    quarters = index_quarters(cfg.mna_start, ctx.today)
    progress = ctx.progress("mna_events (EDGAR form indexes)", len(quarters), "quarters")
    for y, q in quarters:
        for f in _index_filings(ctx, y, q):
            if f.cik in by_cik and f.filed >= cfg.mna_start:
                matched.setdefault(by_cik[f.cik], []).append(f)
        progress.step(f"{y}QTR{q}")
    if cfg.mna_8k_items:
        companies = [
            (s, registrants[ticker_key(s)].cik) for _, s in companies_to_fetch(ctx) if ticker_key(s) in registrants
        ]
        progress = ctx.progress("mna_events (8-K items from submissions)", len(companies), "companies")
        for symbol, cik in companies:
            found = _eight_k_filings(ctx, symbol, cik)
            if found:
                matched.setdefault(symbol, []).extend(found)
            progress.step(symbol)
    rows = events(matched, cfg.mna_event_window_days)
    path = ctx.area.write_contract("mna_events", "mna_events", rows, EXTRA)
    note = (
        f"{len(rows)} events from {sum(len(v) for v in matched.values())} filings "
        f"({', '.join(cfg.mna_forms)}; 8-K items {', '.join(cfg.mna_8k_items) or 'none'}) on "
        f"{len(matched)} universe companies since {cfg.mna_start}; a filing-based proxy, no deal values"
    )
    return Landed("mna_events", [path], note=note)
