"""FRED rates (DGS10, DGS2, DFEDTARU, DFEDTARL, DFF) -> the `rates` dataset.

Two documented ways in: the public graph CSV (fredgraph.csv?id=..., no key; header
`observation_date,<SERIES>`, older downloads `DATE,<SERIES>`) and, when FRED_API_KEY is
set, the JSON API (fred/series/observations). Both mark a missing value with '.' (the CSV
also with a blank): those are holidays and stay NULL, never 0.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from pipelines.sources.base import Landed
from pipelines.sources.formats.fred import series_of_header
from pipelines.sources.live.context import LiveContext
from pipelines.sources.live.store import chunk_name, chunks, has_window

SERVICE = "fred"


class FredFormatError(ValueError):
    pass


def _value(text: str) -> float | None:
    text = text.strip()
    return None if text in ("", ".") else float(text)


def parse_fredgraph_csv(text: str, series_id: str) -> list[tuple[date, float | None]]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in next(reader, [])]
    held = series_of_header(header)
    if held is None:
        raise FredFormatError(
            f"FRED {series_id}: expected a header 'observation_date,{series_id}', got {','.join(header)[:80]!r}"
        )
    if held.upper() != series_id.upper():
        raise FredFormatError(f"FRED {series_id}: the file holds series {held!r}")
    out = []
    for row in reader:
        if not row or not row[0].strip():
            continue
        out.append((date.fromisoformat(row[0].strip()), _value(row[1] if len(row) > 1 else "")))
    return out


def parse_observations_json(text: str, series_id: str) -> list[tuple[date, float | None]]:
    doc = json.loads(text)
    if "observations" not in doc:
        raise FredFormatError(f"FRED API {series_id}: no 'observations' in the response ({str(doc)[:120]})")
    return [(date.fromisoformat(o["date"]), _value(o["value"])) for o in doc["observations"]]


def parse_chunk(text: str, ext: str, series_id: str) -> list[tuple[date, float | None]]:
    return parse_observations_json(text, series_id) if ext == "json" else parse_fredgraph_csv(text, series_id)


def _fetch(ctx: LiveContext, series_id: str, start: date, end: date | None) -> None:
    """One window of one series, stored as received and parsed once to catch a bad body now."""
    cfg = ctx.config
    if cfg.fred_api_key:
        params = {
            "series_id": series_id,
            "api_key": cfg.fred_api_key,
            "file_type": "json",
            "observation_start": start.isoformat(),
        }
        if end:
            params["observation_end"] = end.isoformat()
        fetched = ctx.client("fred").get(f"{cfg.fred_api_base_url}/fred/series/observations", params)
        ext = "json"
    else:
        params = {"id": series_id, "cosd": start.isoformat()}
        if end:
            params["coed"] = end.isoformat()
        fetched = ctx.client("fred").get(f"{cfg.fred_base_url}/graph/fredgraph.csv", params)
        ext = "csv"
    ctx.keep(
        SERVICE,
        chunk_name(series_id, ctx.today, start, end, ext),
        fetched.body,
        lambda path: parse_chunk(path.read_text(encoding="utf-8"), ext, series_id),
    )


def _build(ctx: LiveContext, series_id: str) -> tuple[date | None, int]:
    """The series' contract file from every stored window; a later window wins a date."""
    merged: dict[date, float | None] = {}
    for chunk in chunks(ctx.area.service_dir(SERVICE), series_id):
        ext = chunk.path.suffix.lstrip(".")
        merged.update(parse_chunk(chunk.path.read_text(encoding="utf-8"), ext, series_id))
    if merged:
        rows = [{"series_id": series_id, "date": d, "value": v} for d, v in merged.items()]
        ctx.area.write_contract("rates", series_id, rows)
    return (max(merged) if merged else None), len(merged)


def land_rates(ctx: LiveContext) -> Landed:
    cfg = ctx.config
    state = ctx.area.state(SERVICE)
    progress = ctx.progress("rates (FRED)", len(cfg.fred_series), "series")
    for series_id in cfg.fred_series:
        mark = state.get(series_id)
        if not cfg.offline:
            if cfg.backfill_start and not has_window(
                ctx.area.service_dir(SERVICE), series_id, cfg.backfill_start, cfg.backfill_end
            ):
                _fetch(ctx, series_id, cfg.backfill_start, cfg.backfill_end)
            if mark.get("fetched_on") != ctx.today.isoformat():
                last = mark.get("last_date")
                # Re-ask a few weeks already held: FRED revises recent observations.
                start = date.fromisoformat(last) - timedelta(days=cfg.overlap_days) if last else cfg.history_start
                _fetch(ctx, series_id, start, None)
        last_date, n = _build(ctx, series_id)
        if not cfg.offline:
            state.update(series_id, last_date=last_date, fetched_on=ctx.today, observations=n)
        progress.step(series_id)
    files = [ctx.area.contract_dir("rates") / f"{s}.parquet" for s in cfg.fred_series]
    files = [f for f in files if f.exists()]
    via = "FRED API" if cfg.fred_api_key else "FRED graph CSV"
    return Landed("rates", files, note=f"{len(files)} FRED series via {via}")
