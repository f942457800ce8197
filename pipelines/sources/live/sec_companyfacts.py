"""SEC EDGAR companyfacts -> the `earnings` dataset: quarterly facts, point in time.

A companyfacts response lists, per concept and unit, every value the company ever filed:
`{start, end, val, accn, fy, fp, form, filed, frame}`. The same period comes back in later
filings as a comparative, and fp/fy describe the filing, not the period (a 10-Q may carry
fp "FY"), so the period a row covers is read from its start and end only:

* a row spanning about a quarter is that quarter's value;
* a row spanning more (six or nine months year to date, or the full year in a 10-K) gives
  the quarter ending with it by difference: the span minus the year-to-date row with the
  same start ending a quarter earlier, or minus the quarters that tile that stretch. The
  fourth quarter therefore comes from the 10-K: the year minus the first nine months.

Values are replayed filing date by filing date, so each quarterly value carries the date
it became public and the form that made it so. A later filing that changes a value, or an
amendment (10-K/A, 10-Q/A) that restates it, adds a row with its own report_date; nothing
is overwritten. Diluted EPS derived by difference is an approximation (share counts move
within a year) and is flagged. A company with no us-gaap facts (an IFRS filer) is not
covered; it is never reported as zero.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

import pyarrow as pa

from pipelines.sources.base import Landed
from pipelines.sources.live.context import LiveContext
from pipelines.sources.live.members import companies_to_fetch
from pipelines.sources.live.sec_tickers import ticker_key, ticker_map
from pipelines.sources.live.store import atomic_write, safe_name

SERVICE = "sec"
STATE = "sec_companyfacts"

# Concepts per field, most specific first; per quarter the first concept that has it is used.
NET_INCOME = ("NetIncomeLoss", "ProfitLoss", "NetIncomeLossAvailableToCommonStockholdersBasic")
REVENUE = ("Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax",
           "RevenueFromContractWithCustomerIncludingAssessedTax", "SalesRevenueNet", "RevenuesNetOfInterestExpense")
EPS_DILUTED = ("EarningsPerShareDiluted", "EarningsPerShareBasicAndDiluted")
SHARES = "EntityCommonStockSharesOutstanding"

# A quarter spans 13 weeks (91 days), give or take a 52/53-week calendar's extra week.
QUARTER_DAYS = range(80, 101)
LONGEST_SPAN_DAYS = 380

EXTRA = {"cik": pa.string(), "fiscal_period_start": pa.date32(), "form": pa.string(), "accession": pa.string(),
         "net_income_derived": pa.bool_(), "eps_derived": pa.bool_(), "revenue_derived": pa.bool_()}


@dataclass(frozen=True)
class Fact:
    start: date | None
    end: date
    val: float
    filed: date
    form: str
    accn: str


@dataclass(frozen=True)
class QuarterValue:
    """One version of one fiscal quarter's value: as first published, or as later changed."""

    start: date
    end: date
    value: float
    filed: date
    form: str
    accn: str
    derived: bool


def _facts(rows: Iterable[dict]) -> list[Fact]:
    return [
        Fact(date.fromisoformat(r["start"]) if r.get("start") else None, date.fromisoformat(r["end"]), float(r["val"]),
             date.fromisoformat(r["filed"]), str(r.get("form", "")), str(r.get("accn", "")))
        for r in rows
    ]


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _quarters(visible: dict[tuple[date, date], Fact]) -> dict[date, QuarterValue]:
    """Quarter end -> value, from the facts visible at one moment."""
    out: dict[date, QuarterValue] = {}
    for (s, e), f in visible.items():
        if _days(s, e) in QUARTER_DAYS:
            out[e] = QuarterValue(s, e, f.val, f.filed, f.form, f.accn, derived=False)
    spans = sorted((k for k in visible if _days(*k) > QUARTER_DAYS.stop - 1 and _days(*k) <= LONGEST_SPAN_DAYS),
                   key=lambda k: (k[1], k[0]))
    for s, e in spans:
        if e in out:
            continue  # reported directly: the direct value wins
        base = _year_to_date_before(visible, out, s, e)
        if base is None:
            continue
        base_value, q_start, used = base
        whole = visible[(s, e)]
        newest = max([whole, *used], key=lambda f: (f.filed, f.accn))
        out[e] = QuarterValue(q_start, e, round(whole.val - base_value, 6), newest.filed, newest.form, newest.accn,
                              derived=True)
    return out


def _year_to_date_before(visible, quarters: dict[date, QuarterValue], s: date, e: date):
    """(value, quarter start, facts used) of the stretch from s to one quarter before e, if known."""
    earlier = [k for k in visible if k[0] == s and k[1] < e and _days(k[1] + timedelta(days=1), e) in QUARTER_DAYS]
    if earlier:
        k = max(earlier, key=lambda k: k[1])
        return visible[k].val, k[1] + timedelta(days=1), [visible[k]]
    # Otherwise chain the quarters that start at s and follow one another.
    by_start = {q.start: q for q in quarters.values()}
    total, cursor, used = 0.0, s, []
    while cursor in by_start and by_start[cursor].end < e:
        q = by_start[cursor]
        total += q.value
        used.append(Fact(q.start, q.end, q.value, q.filed, q.form, q.accn))
        cursor = q.end + timedelta(days=1)
        if _days(cursor, e) in QUARTER_DAYS:
            return total, cursor, used
    return None


def quarterly_versions(rows: Iterable[dict]) -> dict[date, list[QuarterValue]]:
    """Quarter end -> its versions in filing order, replaying the facts filing date by filing date."""
    facts = [f for f in _facts(rows) if f.start is not None]
    versions: dict[date, list[QuarterValue]] = {}
    visible: dict[tuple[date, date], Fact] = {}
    for filed in sorted({f.filed for f in facts}):
        for f in sorted((f for f in facts if f.filed == filed), key=lambda f: f.accn):
            visible[(f.start, f.end)] = f
        for end, q in _quarters(visible).items():
            history = versions.setdefault(end, [])
            prev = history[-1] if history else None
            changed = prev is None or not _same(prev.value, q.value)
            restated = prev is not None and q.form.endswith("/A") and q.accn != prev.accn and q.filed == filed
            if changed or restated:
                history.append(q)
    return versions


def _unit_rows(concept: dict, per_share: bool) -> tuple[str, list[dict]] | None:
    units = concept.get("units", {})
    preferred = "USD/shares" if per_share else "USD"
    if preferred in units:
        return preferred, units[preferred]
    if len(units) == 1:
        return next(iter(units.items()))
    return None


def _merged(gaap: dict, concepts: tuple[str, ...], per_share: bool = False) -> tuple[dict[date, list[QuarterValue]], str | None]:
    merged: dict[date, list[QuarterValue]] = {}
    unit = None
    for name in concepts:
        found = _unit_rows(gaap[name], per_share) if name in gaap else None
        if not found:
            continue
        unit_name, rows = found
        for end, history in quarterly_versions(rows).items():
            if end not in merged:
                merged[end] = history
                unit = unit or unit_name
    return merged, unit


def _as_of(history: list[QuarterValue] | None, day: date) -> QuarterValue | None:
    seen = [v for v in history or [] if v.filed <= day]
    return seen[-1] if seen else None


def _shares_by_filing(dei: dict) -> list[tuple[date, str, float]]:
    """(filed, accession, shares) from the cover page; classes reported apart are added up."""
    concept = dei.get(SHARES, {}).get("units", {}).get("shares", [])
    per_filing: dict[tuple[date, str, str], set[float]] = {}
    for r in concept:
        per_filing.setdefault((date.fromisoformat(r["filed"]), r["accn"], r["end"]), set()).add(float(r["val"]))
    return sorted((filed, accn, sum(vals)) for (filed, accn, _end), vals in per_filing.items())


@dataclass
class CompanyEarnings:
    cik: int
    covered: bool
    reason: str
    rows: list[dict]


def parse_companyfacts(text: str, symbol: str) -> CompanyEarnings:
    doc = json.loads(text)
    cik = int(doc["cik"])
    facts = doc.get("facts", {})
    gaap = facts.get("us-gaap")
    if not gaap:
        other = sorted(k for k in facts if k not in ("dei", "srt"))
        reason = ("files IFRS (ifrs-full) only, no us-gaap facts" if "ifrs-full" in facts
                  else f"no us-gaap facts (taxonomies: {', '.join(other) or 'none'})")
        return CompanyEarnings(cik, False, reason, [])
    net_income, currency = _merged(gaap, NET_INCOME)
    if not net_income:
        return CompanyEarnings(cik, False, "no quarterly us-gaap net income", [])
    eps, _ = _merged(gaap, EPS_DILUTED, per_share=True)
    revenue, _ = _merged(gaap, REVENUE)
    shares = _shares_by_filing(facts.get("dei", {}))
    rows = []
    for end, ni_history in sorted(net_income.items()):
        first = ni_history[0].filed
        days = sorted({v.filed for h in (ni_history, eps.get(end), revenue.get(end)) for v in h or [] if v.filed >= first})
        for day in days:
            ni, e, r = _as_of(ni_history, day), _as_of(eps.get(end), day), _as_of(revenue.get(end), day)
            source = next(v for v in (ni, e, r) if v is not None and v.filed == day)
            same_filing = [s for f, a, s in shares if a == source.accn]
            earlier = [s for f, a, s in shares if f <= day]
            rows.append({
                "symbol": symbol, "fiscal_period_end": end, "report_date": day, "net_income": ni.value,
                "eps_diluted": e.value if e else None, "revenue": r.value if r else None,
                "shares_outstanding": same_filing[-1] if same_filing else (earlier[-1] if earlier else None),
                "currency": (currency or "USD").split("/")[0], "cik": f"{cik:010d}",
                "fiscal_period_start": ni.start, "form": source.form, "accession": source.accn,
                "net_income_derived": ni.derived, "eps_derived": e.derived if e else None,
                "revenue_derived": r.derived if r else None,
            })
    return CompanyEarnings(cik, True, f"{len(net_income)} quarters", rows)


def _fresh(mark: dict, ctx: LiveContext) -> bool:
    fetched = mark.get("fetched_on")
    return bool(fetched) and ctx.today - date.fromisoformat(fetched) < timedelta(days=ctx.config.sec_refresh_days)


def _contract_path(ctx: LiveContext, symbol: str):
    return ctx.area.contract_dir("earnings") / f"{safe_name(symbol)}.parquet"


def _contract_ok(ctx: LiveContext, symbol: str, mark: dict) -> bool:
    return mark.get("status") != "covered" or _contract_path(ctx, symbol).exists()


def land_earnings(ctx: LiveContext) -> Landed:
    if not ctx.config.offline:
        ctx.config.require_sec_contact()
    companies = companies_to_fetch(ctx)
    registrants = ticker_map(ctx)
    state = ctx.area.state(STATE)
    progress = ctx.progress("earnings (SEC companyfacts)", len(companies), "companies")
    coverage = []
    for index_id, symbol in companies:
        reg = registrants.get(ticker_key(symbol))
        mark = state.get(symbol)
        if reg is None:
            mark = {"status": "not_covered", "reason": "ticker not in SEC's ticker map"}
        elif ctx.config.offline or not _fresh(mark, ctx) or not _contract_ok(ctx, symbol, mark):
            mark = _company(ctx, symbol, reg.cik)
            if not ctx.config.offline:
                state.update(symbol, fetched_on=ctx.today, **mark)
        coverage.append({"symbol": symbol, "index_id": index_id, "cik": f"{reg.cik:010d}" if reg else "",
                         "status": mark.get("status", ""), "reason": mark.get("reason", ""),
                         "fetched_on": state.get(symbol).get("fetched_on", "")})
        progress.step(symbol)
    _write_coverage(ctx, coverage)
    files = ctx.area.contract_files("earnings")
    covered = sum(c["status"] == "covered" for c in coverage)
    ifrs = [c["symbol"] for c in coverage if "IFRS" in c["reason"]]
    note = (f"{covered} of {len(coverage)} companies covered by us-gaap quarterly facts"
            + (f"; IFRS-only, not covered: {', '.join(ifrs[:10])}" if ifrs else "")
            + "; per-company reasons in live/coverage/earnings.csv")
    return Landed("earnings", files, note=note)


def _company(ctx: LiveContext, symbol: str, cik: int) -> dict:
    """Fetch (or, offline, re-read) one company's facts and write its contract file."""
    name = f"companyfacts/CIK{cik:010d}.json"
    contract = _contract_path(ctx, symbol)
    if ctx.config.offline:
        path = ctx.area.raw_path(SERVICE, name)
        if not path.exists():
            return {"status": "not_covered", "reason": "no stored companyfacts response"}
        result = parse_companyfacts(path.read_text(encoding="utf-8"), symbol)
    else:
        fetched = ctx.client(SERVICE).get(f"{ctx.config.sec_data_base_url}/api/xbrl/companyfacts/CIK{cik:010d}.json",
                                          accept=(404,))
        if fetched.status == 404:
            return {"status": "not_covered", "reason": "SEC has no XBRL companyfacts for this CIK"}
        result = ctx.keep(SERVICE, name, fetched.body, lambda p: parse_companyfacts(p.read_text(encoding="utf-8"), symbol))
    if result.rows:
        ctx.area.write_contract("earnings", contract.stem, result.rows, EXTRA)
    else:
        contract.unlink(missing_ok=True)
    return {"status": "covered" if result.covered else "not_covered", "reason": result.reason}


def _write_coverage(ctx: LiveContext, rows: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["symbol", "index_id", "cik", "status", "reason", "fetched_on"])
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(ctx.area.coverage_path("earnings.csv"), out.getvalue().encode())
