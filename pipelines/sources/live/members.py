"""Which companies the per-company adapters (earnings, prices, 8-K filings) work on.

Read from the universe's contract files, so the answer is the same whether the universe
was landed in this run or an earlier one; landed first when there is none yet.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from pipelines.sources.live.context import LiveContext
from pipelines.sources.live.ishares import land_universe, snapshot_of


def latest_members(ctx: LiveContext) -> dict[str, list[dict]]:
    """index_id -> members of its latest snapshot, largest weight first (read from the contract files)."""
    latest: dict[str, tuple[str, Path]] = {}
    for f in ctx.area.contract_files("universe"):
        index_id, _fund, as_of = snapshot_of(f)
        if index_id not in latest or latest[index_id][0] < as_of:
            latest[index_id] = (as_of, f)
    out = {}
    for index_id, (_as_of, f) in latest.items():
        rows = pq.read_table(f, columns=["symbol", "weight"]).to_pylist()
        out[index_id] = sorted(rows, key=lambda r: (-(r["weight"] or 0.0), r["symbol"]))
    return out


def all_members(ctx: LiveContext) -> dict[str, str]:
    """symbol -> index_id for every company in any snapshot held.

    Acquired companies leave the index, so matching events against the latest snapshot
    alone would miss exactly the deals that completed.
    """
    out: dict[str, str] = {}
    for f in ctx.area.contract_files("universe"):
        index_id = snapshot_of(f)[0]
        for symbol in pq.read_table(f, columns=["symbol"]).column("symbol").to_pylist():
            out.setdefault(symbol, index_id)
    return out


def companies_to_fetch(ctx: LiveContext) -> list[tuple[str, str]]:
    """(index_id, symbol) of the members whose filings are fetched: small role first, each capped."""
    members = latest_members(ctx)
    if not members:
        land_universe(ctx)
        members = latest_members(ctx)
    cap = ctx.config.max_companies_per_index
    out, seen = [], set()
    for index_id in (ctx.settings.small_index, ctx.settings.large_index):
        for m in members.get(index_id, [])[:cap]:
            if m["symbol"] not in seen:
                seen.add(m["symbol"])
                out.append((index_id, m["symbol"]))
    return out
