"""Where the live source keeps things under $WAREHOUSE_DIR/landing/live/.

    live/<service>/...          every response body as received, before any parsing
    live/contract/<dataset>/... Parquet files in the landing contract, built from those bodies
    live/coverage/...           what could not be covered and why (e.g. IFRS-only filers)
    live/parsed/...             small extracts of large responses (the EDGAR form indexes)
    live/state/<service>.json   watermarks: what was fetched, up to when, on which day

Every write goes to a temporary file first and is renamed into place, so a run that dies
half-way leaves only whole files behind; the next run starts from them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.datasets import DATASETS

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "DATE": pa.date32(),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
}


def atomic_write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def safe_name(key: str) -> str:
    """A file-name-safe, reversible spelling of a symbol or series id (^RUT -> %5ERUT)."""
    return quote(key, safe="")


def unsafe_name(name: str) -> str:
    return unquote(name)


class LandingArea:
    def __init__(self, landing_dir: Path):
        self.root = landing_dir / "live"

    def service_dir(self, service: str) -> Path:
        return self.root / service

    def raw_path(self, service: str, name: str) -> Path:
        return self.service_dir(service) / name

    def save_raw(self, service: str, name: str, body: bytes) -> Path:
        return atomic_write(self.raw_path(service, name), body)

    def contract_dir(self, dataset: str) -> Path:
        return self.root / "contract" / dataset

    def contract_files(self, dataset: str) -> list[Path]:
        folder = self.contract_dir(dataset)
        return sorted(folder.glob("*.parquet")) if folder.is_dir() else []

    def write_contract(self, dataset: str, name: str, rows: list[dict], extra: Mapping[str, pa.DataType] = {}) -> Path:
        return write_parquet(self.contract_dir(dataset) / f"{name}.parquet", dataset, rows, extra)

    def coverage_path(self, name: str) -> Path:
        return self.root / "coverage" / name

    def parsed_path(self, name: str) -> Path:
        return self.root / "parsed" / name

    def state(self, service: str) -> Watermarks:
        return Watermarks(self.root / "state" / f"{service}.json")


def write_parquet(path: Path, dataset: str, rows: list[dict], extra: Mapping[str, pa.DataType] = {}) -> Path:
    """Rows as a contract-format Parquet file: the dataset's columns with their types, then extras.

    Rows are sorted by the dataset's key so the same data always gives the same bytes.
    """
    ds = DATASETS[dataset]
    fields = [pa.field(c.name, _ARROW_TYPES[c.sql_type]) for c in ds.columns]
    fields += [pa.field(name, typ) for name, typ in extra.items()]
    ordered = sorted(rows, key=lambda r: tuple("" if r.get(k) is None else str(r.get(k)) for k in ds.key))
    table = pa.Table.from_pylist([{f.name: r.get(f.name) for f in fields} for r in ordered], schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return atomic_write(path, sink.getvalue().to_pybytes())


class Watermarks:
    """A JSON map key -> {field: value}, saved after every update so progress survives a crash."""

    def __init__(self, path: Path):
        self.path = path
        self._data: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}

    def get(self, key: str) -> dict[str, Any]:
        return dict(self._data.get(key, {}))

    def update(self, key: str, **fields: Any) -> None:
        entry = self._data.setdefault(key, {})
        entry.update({k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()})
        atomic_write(self.path, json.dumps(self._data, indent=1, sort_keys=True).encode())


# Responses to date-windowed requests (FRED, prices) are kept, one file per request:
#   <key>_fetched-<day>_from-<first day asked>[_to-<last day asked>].<ext>
# They are replayed in the order fetched, a later window overriding an earlier one.
_CHUNK_RE = re.compile(
    r"^(?P<key>.+)_fetched-(?P<fetched>\d{4}-\d{2}-\d{2})_from-(?P<start>\d{4}-\d{2}-\d{2})"
    r"(?:_to-(?P<end>\d{4}-\d{2}-\d{2}))?\.(?P<ext>\w+)$"
)


@dataclass(frozen=True)
class Chunk:
    path: Path
    fetched: date
    start: date
    end: date | None


def chunk_name(key: str, fetched: date, start: date, end: date | None, ext: str) -> str:
    return f"{safe_name(key)}_fetched-{fetched}_from-{start}" + (f"_to-{end}" if end else "") + f".{ext}"


def chunks(folder: Path, key: str) -> list[Chunk]:
    """The stored windows for one series or symbol, oldest fetch first."""
    found = []
    if folder.is_dir():
        for path in folder.glob(f"{safe_name(key)}_fetched-*"):
            m = _CHUNK_RE.match(path.name)
            if m and unsafe_name(m["key"]) == key:
                found.append(
                    Chunk(
                        path,
                        date.fromisoformat(m["fetched"]),
                        date.fromisoformat(m["start"]),
                        date.fromisoformat(m["end"]) if m["end"] else None,
                    )
                )
    return sorted(found, key=lambda c: (c.fetched, c.start, c.path.name))


def has_window(folder: Path, key: str, start: date, end: date | None) -> bool:
    """Whether this exact window was fetched before: a backfill is asked for once."""
    return any(c.start == start and c.end == end for c in chunks(folder, key))
