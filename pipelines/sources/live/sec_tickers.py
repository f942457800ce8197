"""SEC's ticker-to-CIK map (www.sec.gov/files/company_tickers.json).

The file is `{"0": {"cik_str": 789019, "ticker": "MSFT", "title": "MICROSOFT CORP"}, ...}`.
Tickers are matched on a normalised spelling because publishers disagree on share-class
punctuation: iShares writes BRKB, SEC and Yahoo BRK-B, others BRK.B.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pipelines.sources.live.context import LiveContext

SERVICE = "sec"
_RAW_RE = re.compile(r"^company_tickers_fetched-(\d{4}-\d{2}-\d{2})\.json$")


@dataclass(frozen=True)
class Registrant:
    cik: int
    ticker: str  # as SEC spells it
    title: str


def ticker_key(ticker: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", ticker.upper())


def parse_ticker_map(text: str) -> dict[str, Registrant]:
    """Normalised ticker -> registrant; where two entries normalise alike, the first listed wins."""
    doc = json.loads(text)
    out: dict[str, Registrant] = {}
    for entry in doc.values():
        reg = Registrant(int(entry["cik_str"]), str(entry["ticker"]), str(entry["title"]))
        out.setdefault(ticker_key(reg.ticker), reg)
    if not out:
        raise ValueError("the ticker map is empty")
    return out


def _stored(ctx: LiveContext) -> list[tuple[date, Path]]:
    folder = ctx.area.service_dir(SERVICE)
    found = (
        [
            (date.fromisoformat(m[1]), p)
            for p in folder.glob("company_tickers_fetched-*.json")
            if (m := _RAW_RE.match(p.name))
        ]
        if folder.is_dir()
        else []
    )
    return sorted(found)


def ticker_map(ctx: LiveContext) -> dict[str, Registrant]:
    """The latest map, fetched again when the stored one is older than the SEC refresh period."""
    stored = _stored(ctx)
    fresh = stored and ctx.today - stored[-1][0] < timedelta(days=ctx.config.sec_refresh_days)
    if stored and (fresh or ctx.config.offline):
        return parse_ticker_map(stored[-1][1].read_text(encoding="utf-8"))
    fetched = ctx.client(SERVICE).get(f"{ctx.config.sec_www_base_url}/files/company_tickers.json")
    return ctx.keep(
        SERVICE,
        f"company_tickers_fetched-{ctx.today}.json",
        fetched.body,
        lambda p: parse_ticker_map(p.read_text(encoding="utf-8")),
    )
