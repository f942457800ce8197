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
it became public and the form that made it so. A later filing that changes a value (beyond
rounding), or an amendment (10-K/A, 10-Q/A) that restates it, adds a row with its own
report_date; nothing is overwritten. Only periodic reports are read (no 8-K, no proxy).

Per-share values are put on one basis, the latest filing's (`eps_basis_date`), with the
splits the document itself shows (the same period's EPS or share count filed before and
after a split differs by a clean ratio), before anything is compared or subtracted: a
re-basing is not a restatement, and a fourth quarter never mixes bases. A difference is not
taken when one side was restated and the other not filed again since (Apple's 10-K/A of
2010): the quarter keeps its previous version. Share counts come from the cover page, else
the balance sheet, else the weighted diluted count, with their source and the date they
refer to. Diluted EPS derived by difference is an approximation (share counts move within
a year) and is flagged. A company with no us-gaap facts (an IFRS filer) is not covered; it
is never reported as zero. docs/live-data.md states every rule.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

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
REVENUE = (
    "Revenues",
    "RevenueFromContractWithCustomerExcludingAssessedTax",
    "RevenueFromContractWithCustomerIncludingAssessedTax",
    "SalesRevenueNet",
    "RevenuesNetOfInterestExpense",
)
EPS_DILUTED = ("EarningsPerShareDiluted", "EarningsPerShareBasicAndDiluted")
SHARES = "EntityCommonStockSharesOutstanding"
BALANCE_SHEET_SHARES = "CommonStockSharesOutstanding"
WEIGHTED_DILUTED = "WeightedAverageNumberOfDilutedSharesOutstanding"
# Where a split shows: the same period's per-share figure or share count in two filings.
SPLIT_EVIDENCE_PER_SHARE = ("EarningsPerShareDiluted", "EarningsPerShareBasic", "EarningsPerShareBasicAndDiluted")
SPLIT_EVIDENCE_SHARES = (WEIGHTED_DILUTED, "WeightedAverageNumberOfSharesOutstandingBasic")
SPLIT_RATIOS = (2, 3, 4, 5, 6, 7, 8, 10, 15, 20, 25, 30, 40, 50, 100)

# Only periodic reports are read: an 8-K re-casting old years or a proxy statement's
# pay-versus-performance table is not a filing of the period's figures.
PERIODIC_FORMS = frozenset({"10-K", "10-Q", "10-K/A", "10-Q/A", "10-KT", "10-QT", "10-KT/A", "10-QT/A"})

# A quarter spans 13 weeks (91 days), give or take a 52/53-week calendar's extra week.
QUARTER_DAYS = range(80, 101)
LONGEST_SPAN_DAYS = 380
# A period whose start or end is this close to a better-attested period's is that period mis-tagged.
MISTAGGED_DAYS = 3

EXTRA = {
    "cik": pa.string(),
    "fiscal_period_start": pa.date32(),
    "form": pa.string(),
    "accession": pa.string(),
    "net_income_derived": pa.bool_(),
    "eps_derived": pa.bool_(),
    "revenue_derived": pa.bool_(),
    "eps_split_factor": pa.float64(),
    "eps_diluted_as_reported": pa.float64(),
    "shares_source": pa.string(),
    "as_comparative": pa.bool_(),
}


@dataclass(frozen=True)
class Fact:
    start: date | None
    end: date
    val: float
    filed: date
    form: str
    accn: str
    unit: float = 0.0  # rounding step of val (on the basis val is expressed in)


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
    unit: float = 0.0
    sources: tuple = ()  # the (start, end) spans the value was read or derived from


@dataclass(frozen=True)
class SplitEvent:
    """A split seen inside the document: filings up to `last_old` are on the old basis, from `first_new` on the new."""

    ratio: float  # new shares per old share (0.1 for a 1-for-10 reverse split)
    last_old: date
    first_new: date
    evidence: int


def _money_unit(v: float) -> float:
    """Rounding step of an amount as filed: 247,000,000 -> 1,000,000 (capped at millions)."""
    if v != round(v):
        return 0.01
    n, u = abs(int(round(v))), 1
    while u < 1_000_000 and n and n % (u * 10) == 0:
        u *= 10
    return float(u)


def _per_share_unit(v: float) -> float:
    """Rounding step of a per-share figure: cents at least (0.5 is 0.50), finer when more decimals are filed."""
    text = f"{abs(v):.6f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 10.0 ** -max(2, decimals)


def _facts(rows: Iterable[dict], per_share: bool = False) -> list[Fact]:
    unit = _per_share_unit if per_share else _money_unit
    return [
        Fact(
            date.fromisoformat(r["start"]) if r.get("start") else None,
            date.fromisoformat(r["end"]),
            float(r["val"]),
            date.fromisoformat(r["filed"]),
            str(r.get("form", "")),
            str(r.get("accn", "")),
            unit(float(r["val"])),
        )
        for r in rows
        if str(r.get("form", "")) in PERIODIC_FORMS or not r.get("form")
    ]


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _same(a: float, b: float, unit_a: float = 0.0, unit_b: float = 0.0, per_share: bool = False) -> bool:
    """The same figure, allowing for rounding: a per-share figure within both rounding half-steps (4.93
    re-based by a 10:1 split is 0.493, filed later as 0.49); an amount within one step of the coarser
    rounding (246 M in a 10-Q, 247 M in the 10-K)."""
    diff, exact = abs(a - b), 1e-9 * max(1.0, abs(a), abs(b))
    if diff <= exact:
        return True
    if per_share:
        return diff < (unit_a + unit_b) / 2 - 1e-12
    return diff <= max(unit_a, unit_b) + exact


def _consistent(visible, first, since, whole, parts, per_share: bool) -> bool:
    """Can `whole` minus `parts` give a quarter? Not when one side was restated and the other was not
    filed again since: a 10-K/A restating the year without its quarters, or a year-ago nine months
    restated in a 10-Q while the year stands as first filed."""

    def changed(span):
        f, f0 = visible[span], first[span]
        return not _same(f.val, f0.val, f.unit, f0.unit, per_share)

    for part in parts:
        if changed(whole) and not changed(part) and visible[part].filed < since[whole]:
            return False
        if changed(part) and not changed(whole) and visible[whole].filed < since[part]:
            return False
    return True


def _quarters(visible, first=None, since=None, per_share: bool = False) -> dict[date, QuarterValue]:
    """Quarter end -> value, from the facts visible at one moment."""
    first = first if first is not None else visible
    since = since if since is not None else {k: f.filed for k, f in visible.items()}
    out: dict[date, QuarterValue] = {}
    for (s, e), f in visible.items():
        if _days(s, e) in QUARTER_DAYS:
            out[e] = QuarterValue(s, e, f.val, f.filed, f.form, f.accn, False, f.unit, ((s, e),))
    spans = sorted(
        (k for k in visible if _days(*k) > QUARTER_DAYS.stop - 1 and _days(*k) <= LONGEST_SPAN_DAYS),
        key=lambda k: (k[1], k[0]),
    )
    for s, e in spans:
        if e in out:
            continue  # reported directly: the direct value wins
        whole = visible[(s, e)]
        for base_value, q_start, used, parts in _bases_before(visible, out, s, e):
            if not _consistent(visible, first, since, (s, e), parts, per_share):
                continue
            newest = max([whole, *used], key=lambda f: (f.filed, f.accn))
            unit = whole.unit + sum(f.unit for f in used)
            out[e] = QuarterValue(
                q_start,
                e,
                round(whole.val - base_value, 6),
                newest.filed,
                newest.form,
                newest.accn,
                True,
                unit,
                ((s, e), *parts),
            )
            break
    return out


def _bases_before(visible, quarters: dict[date, QuarterValue], s: date, e: date):
    """(value, quarter start, facts used, spans used) of the stretch from s to one quarter before e: the
    year-to-date figure with the same start, then the quarters that tile the stretch."""
    earlier = [k for k in visible if k[0] == s and k[1] < e and _days(k[1] + timedelta(days=1), e) in QUARTER_DAYS]
    if earlier:
        k = max(earlier, key=lambda k: k[1])
        yield visible[k].val, k[1] + timedelta(days=1), [visible[k]], (k,)
    by_start = {q.start: q for q in quarters.values()}
    total, cursor, used, parts = 0.0, s, [], []
    while cursor in by_start and by_start[cursor].end < e:
        q = by_start[cursor]
        total += q.value
        used.append(Fact(q.start, q.end, q.value, q.filed, q.form, q.accn, q.unit))
        parts.extend(q.sources)
        cursor = q.end + timedelta(days=1)
        if _days(cursor, e) in QUARTER_DAYS:
            yield total, cursor, used, tuple(dict.fromkeys(parts))
            return


def _replay(facts: list[Fact], per_share: bool = False) -> dict[date, list[QuarterValue]]:
    facts = [f for f in facts if f.start is not None]
    versions: dict[date, list[QuarterValue]] = {}
    visible: dict[tuple[date, date], Fact] = {}
    first: dict[tuple[date, date], Fact] = {}
    since: dict[tuple[date, date], date] = {}  # since when the span's current value stands
    for filed in sorted({f.filed for f in facts}):
        for f in sorted((f for f in facts if f.filed == filed), key=lambda f: f.accn):
            key = (f.start, f.end)
            prev = visible.get(key)
            if prev is None or not _same(prev.val, f.val, prev.unit, f.unit, per_share):
                since[key] = f.filed
            first.setdefault(key, f)
            visible[key] = f
        for end, q in _quarters(visible, first, since, per_share).items():
            history = versions.setdefault(end, [])
            prev = history[-1] if history else None
            changed = prev is None or not _same(prev.value, q.value, prev.unit, q.unit, per_share)
            restated = prev is not None and q.form.endswith("/A") and q.accn != prev.accn and q.filed == filed
            if changed or restated:
                history.append(q)
    return versions


def quarterly_versions(rows: Iterable[dict], per_share: bool = False) -> dict[date, list[QuarterValue]]:
    """Quarter end -> its versions in filing order, replaying the facts filing date by filing date."""
    return _replay(_facts(rows, per_share), per_share)


def _unit_rows(concept: dict, per_share: bool) -> tuple[str, list[dict]] | None:
    units = concept.get("units", {})
    preferred = "USD/shares" if per_share else "USD"
    if preferred in units:
        return preferred, units[preferred]
    if len(units) == 1:
        return next(iter(units.items()))
    return None


# --- periods mis-tagged by a day or two ------------------------------------------------------


def _period_map(fact_lists: Iterable[list[Fact]]) -> dict[tuple[date, date], tuple[date, date]]:
    """(start, end) -> the period it stands for. A span filed by fewer filings whose start (or end) is
    the same as a better-attested span's and whose other end is within a few days of it is that span
    mis-tagged (NVIDIA's 10-K of 2012 puts its quarter ended 2010-08-01 at 2010-07-31)."""
    support: dict[tuple[date, date], set[str]] = {}
    for facts in fact_lists:
        for f in facts:
            if f.start is not None:
                support.setdefault((f.start, f.end), set()).add(f.accn)
    by_start: dict[date, list[tuple[date, date]]] = {}
    by_end: dict[date, list[tuple[date, date]]] = {}
    for k in support:
        by_start.setdefault(k[0], []).append(k)
        by_end.setdefault(k[1], []).append(k)
    out = {}
    for k, accns in support.items():
        near = [o for o in by_start[k[0]] if 0 < abs((o[1] - k[1]).days) <= MISTAGGED_DAYS]
        near += [o for o in by_end[k[1]] if 0 < abs((o[0] - k[0]).days) <= MISTAGGED_DAYS]
        best = max(near, key=lambda o: (len(support[o]), o), default=None)
        if best is not None and len(support[best]) > len(accns):
            out[k] = best
    return out


def _remap(facts: list[Fact], periods: dict) -> list[Fact]:
    out = []
    for f in facts:
        s, e = periods.get((f.start, f.end), (f.start, f.end)) if f.start is not None else (f.start, f.end)
        out.append(Fact(s, e, f.val, f.filed, f.form, f.accn, f.unit))
    return out


# --- splits ------------------------------------------------------------------------------------


def _split_ratio(old: Fact, new: Fact, per_share: bool) -> float | None:
    """The split between two filings of the same period's figure, if they differ by a clean ratio."""
    if old.val == 0 or new.val == 0 or (old.val > 0) != (new.val > 0):
        return None
    a, b = abs(old.val), abs(new.val)
    for k in SPLIT_RATIOS:
        for ratio in (k, 1 / k):
            if per_share:
                # Old figure / ratio = new figure, within both roundings; small figures say too little.
                if min(a / ratio, b) < 0.10:
                    continue
                if abs(a / ratio - b) < (old.unit / ratio + new.unit) / 2 - 1e-12:
                    return ratio
            elif abs(a * ratio - b) <= 0.005 * b:
                return ratio
    return None


def split_events(gaap: dict) -> list[SplitEvent]:
    """Splits inferred from the document: the same period's per-share figure (or weighted share count)
    filed before and after differs by a clean ratio. Each pair bounds the split between the two
    filing dates; pairs with one ratio and overlapping bounds are one split. Two pairs at least."""
    windows: dict[float, list[tuple[date, date]]] = {}
    for names, per_share, unit in (
        (SPLIT_EVIDENCE_PER_SHARE, True, "USD/shares"),
        (SPLIT_EVIDENCE_SHARES, False, "shares"),
    ):
        for name in names:
            rows = gaap.get(name, {}).get("units", {}).get(unit, [])
            by_span: dict[tuple, list[Fact]] = {}
            for f in _facts(rows, per_share):
                by_span.setdefault((f.start, f.end), []).append(f)
            for facts in by_span.values():
                facts.sort(key=lambda f: (f.filed, f.accn))
                for old, new in pairwise(facts):
                    ratio = _split_ratio(old, new, per_share) if new.filed > old.filed else None
                    if ratio is not None:
                        windows.setdefault(ratio, []).append((old.filed, new.filed))
    events = []
    for ratio, spans in windows.items():
        groups: list[list] = []
        for lo, hi in sorted(spans, key=lambda w: (w[1], w[0])):
            g = groups[-1] if groups else None
            if g is not None and lo < g[1] and hi > g[0]:
                g[0], g[1], g[2] = max(g[0], lo), min(g[1], hi), g[2] + 1
            else:
                groups.append([lo, hi, 1])
        events += [SplitEvent(ratio, lo, hi, n) for lo, hi, n in groups if n >= 2]
    return sorted(events, key=lambda e: e.first_new)


def _split_factor(events: list[SplitEvent], filed: date) -> float:
    """New shares per share of a filing made on `filed`, to the latest basis: splits it does not yet show."""
    factor = 1.0
    for ev in events:
        if filed < ev.first_new:
            factor *= ev.ratio
    return factor


def _rebased(facts: list[Fact], events: list[SplitEvent]) -> list[Fact]:
    """Per-share facts on the latest basis: each divided by the splits after its filing."""
    out = []
    for f in facts:
        k = _split_factor(events, f.filed)
        out.append(f if k == 1 else Fact(f.start, f.end, f.val / k, f.filed, f.form, f.accn, f.unit / k))
    return out


# --- a field from its concepts --------------------------------------------------------------


def _concept_facts(gaap: dict, concepts: tuple[str, ...], per_share: bool) -> list[tuple[str, str, list[Fact]]]:
    out = []
    for name in concepts:
        found = _unit_rows(gaap[name], per_share) if name in gaap else None
        if found:
            out.append((name, found[0], _facts(found[1], per_share)))
    return out


def _merged(
    per_concept: list[tuple[str, str, list[Fact]]], per_share: bool = False
) -> tuple[dict[date, list[QuarterValue]], str | None]:
    """Quarter end -> versions, from the concepts pooled: per filing and period, the first concept (in
    order of preference) that the filing used. A company that moved from SalesRevenueNet to Revenues
    keeps the quarters it filed under the old name, and a year filed under the new name less nine
    months filed under the old one still gives the fourth quarter."""
    pooled: dict[tuple, Fact] = {}
    for _, _, facts in per_concept:
        for f in facts:
            pooled.setdefault((f.accn, f.start, f.end), f)
    unit = per_concept[0][1] if per_concept else None
    return _replay(list(pooled.values()), per_share), unit


def _as_of(history: list[QuarterValue] | None, day: date) -> QuarterValue | None:
    seen = [v for v in history or [] if v.filed <= day]
    return seen[-1] if seen else None


# --- share counts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ShareCount:
    filed: date
    accn: str
    as_of: date
    shares: float
    source: str


def _cover_counts(dei: dict) -> list[ShareCount]:
    """Cover-page counts per filing, at the date the cover gives; classes reported apart are added up."""
    rows = dei.get(SHARES, {}).get("units", {}).get("shares", [])
    per_filing: dict[tuple[date, str, date], list[float]] = {}
    for r in rows:
        if str(r.get("form", "")) not in PERIODIC_FORMS:
            continue
        key = (date.fromisoformat(r["filed"]), r["accn"], date.fromisoformat(r["end"]))
        per_filing.setdefault(key, []).append(float(r["val"]))
    out = []
    for (filed, accn, end), vals in sorted(per_filing.items()):
        distinct = sorted(set(vals))
        out.append(
            ShareCount(
                filed, accn, end, sum(distinct), "dei_cover_classes_summed" if len(distinct) > 1 else "dei_cover"
            )
        )
    return out


def _first_filed(rows: list[dict], instant: bool) -> dict[date, tuple[date, float]]:
    """Period end -> (first filing date, value as first filed) of a share count."""
    out: dict[date, tuple[date, float]] = {}
    for f in sorted(_facts(rows), key=lambda f: (f.filed, f.accn)):
        if instant == (f.start is None) and (instant or _days(f.start, f.end) in QUARTER_DAYS):
            out.setdefault(f.end, (f.filed, f.val))
    return out


class _Shares:
    """The share count for a row: the cover page of the row's filing (else the latest cover filed
    before), at the date the cover states; without any cover count (Alphabet tags its classes only
    with dimensions, which companyfacts leaves out), the balance sheet's shares outstanding at the
    quarter end, else the quarter's weighted average diluted shares, each as first filed."""

    def __init__(self, facts: dict):
        gaap, dei = facts.get("us-gaap", {}), facts.get("dei", {})
        self.cover = _cover_counts(dei)
        self.balance = _first_filed(gaap.get(BALANCE_SHEET_SHARES, {}).get("units", {}).get("shares", []), True)
        self.weighted = _first_filed(gaap.get(WEIGHTED_DILUTED, {}).get("units", {}).get("shares", []), False)

    def at(self, accn: str, day: date, end: date) -> tuple[float | None, date | None, str | None]:
        same = [c for c in self.cover if c.accn == accn]
        earlier = [c for c in self.cover if c.filed <= day]
        pick = same[-1] if same else (earlier[-1] if earlier else None)
        if pick is not None:
            return pick.shares, pick.as_of, pick.source
        for table, source in ((self.balance, "balance_sheet"), (self.weighted, "weighted_diluted")):
            hit = table.get(end)
            if hit is not None and hit[0] <= day:
                return hit[1], end, source
        return None, None, None


@dataclass
class CompanyEarnings:
    cik: int
    covered: bool
    reason: str
    rows: list[dict]
    splits: tuple[SplitEvent, ...] = ()
    eps_basis_date: date | None = None


def _own_periods(per_concept_lists) -> dict[str, date]:
    """Accession -> the last day of the period the filing is about (its latest duration fact's end)."""
    out: dict[str, date] = {}
    for per_concept in per_concept_lists:
        for _, _, facts in per_concept:
            for f in facts:
                if (
                    f.start is not None
                    and _days(f.start, f.end) <= LONGEST_SPAN_DAYS
                    and f.end > out.get(f.accn, date.min)
                ):
                    out[f.accn] = f.end
    return out


def parse_companyfacts(text: str, symbol: str) -> CompanyEarnings:
    doc = json.loads(text)
    cik = int(doc["cik"])
    facts = doc.get("facts", {})
    gaap = facts.get("us-gaap")
    if not gaap:
        other = sorted(k for k in facts if k not in ("dei", "srt"))
        reason = (
            "files IFRS (ifrs-full) only, no us-gaap facts"
            if "ifrs-full" in facts
            else f"no us-gaap facts (taxonomies: {', '.join(other) or 'none'})"
        )
        return CompanyEarnings(cik, False, reason, [])
    ni_facts = _concept_facts(gaap, NET_INCOME, False)
    eps_facts = _concept_facts(gaap, EPS_DILUTED, True)
    rev_facts = _concept_facts(gaap, REVENUE, False)
    periods = _period_map(f for group in (ni_facts, eps_facts, rev_facts) for _, _, f in group)
    splits = split_events(gaap)
    ni_facts = [(n, u, _remap(f, periods)) for n, u, f in ni_facts]
    rev_facts = [(n, u, _remap(f, periods)) for n, u, f in rev_facts]
    eps_facts = [(n, u, _rebased(_remap(f, periods), splits)) for n, u, f in eps_facts]
    net_income, currency = _merged(ni_facts)
    if not net_income:
        return CompanyEarnings(cik, False, "no quarterly us-gaap net income", [], tuple(splits))
    eps, _ = _merged(eps_facts, per_share=True)
    revenue, _ = _merged(rev_facts)
    own_period = _own_periods((ni_facts, eps_facts, rev_facts))
    # Per-share values are on the basis of the latest filing in the document.
    basis_date = max(
        (f.filed for group in (ni_facts, eps_facts, rev_facts) for _, _, fs in group for f in fs), default=None
    )
    shares = _Shares(facts)
    rows = []
    for end, ni_history in sorted(net_income.items()):
        first = ni_history[0].filed
        days = sorted(
            {v.filed for h in (ni_history, eps.get(end), revenue.get(end)) for v in h or [] if v.filed >= first}
        )
        for day in days:
            ni, e, r = _as_of(ni_history, day), _as_of(eps.get(end), day), _as_of(revenue.get(end), day)
            source = next(v for v in (ni, e, r) if v is not None and v.filed == day)
            count, as_of, how = shares.at(source.accn, day, end)
            factor = _split_factor(splits, day)
            rows.append(
                {
                    "symbol": symbol,
                    "fiscal_period_end": end,
                    "report_date": day,
                    "net_income": ni.value,
                    "eps_diluted": _round_eps(e.value) if e else None,
                    "revenue": r.value if r else None,
                    "shares_outstanding": count,
                    "currency": (currency or "USD").split("/")[0],
                    "cik": f"{cik:010d}",
                    "issuer_id": f"{cik:010d}",
                    "fiscal_period_start": ni.start,
                    "form": source.form,
                    "accession": source.accn,
                    "net_income_derived": ni.derived,
                    "eps_derived": e.derived if e else None,
                    "revenue_derived": r.derived if r else None,
                    "eps_basis_date": basis_date if e else None,
                    "eps_split_factor": factor if e else None,
                    "eps_diluted_as_reported": _round_eps(e.value * factor) if e else None,
                    "shares_as_of": as_of,
                    "shares_source": how,
                    "as_comparative": own_period.get(source.accn, end) > end,
                }
            )
    return CompanyEarnings(cik, True, f"{len(net_income)} quarters", rows, tuple(splits), basis_date)


def _round_eps(v: float) -> float:
    return round(v, 6)


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
        coverage.append(
            {
                "symbol": symbol,
                "index_id": index_id,
                "cik": f"{reg.cik:010d}" if reg else "",
                "status": mark.get("status", ""),
                "reason": mark.get("reason", ""),
                "fetched_on": state.get(symbol).get("fetched_on", ""),
            }
        )
        progress.step(symbol)
    _write_coverage(ctx, coverage)
    files = ctx.area.contract_files("earnings")
    covered = sum(c["status"] == "covered" for c in coverage)
    ifrs = [c["symbol"] for c in coverage if "IFRS" in c["reason"]]
    note = (
        f"{covered} of {len(coverage)} companies covered by us-gaap quarterly facts"
        + (f"; IFRS-only, not covered: {', '.join(ifrs[:10])}" if ifrs else "")
        + "; per-company reasons in live/coverage/earnings.csv"
    )
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
        fetched = ctx.client(SERVICE).get(
            f"{ctx.config.sec_data_base_url}/api/xbrl/companyfacts/CIK{cik:010d}.json", accept=(404,)
        )
        if fetched.status == 404:
            return {"status": "not_covered", "reason": "SEC has no XBRL companyfacts for this CIK"}
        result = ctx.keep(
            SERVICE, name, fetched.body, lambda p: parse_companyfacts(p.read_text(encoding="utf-8"), symbol)
        )
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
