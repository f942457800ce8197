"""What every source delivers: files in the landing contract, kept as received.

A source puts files under the landing folder and says which of them hold each dataset.
The raw loader (pipelines/raw_loader.py) reads those files with DuckDB, checks them against
pipelines/datasets.py and writes the raw tables, so validation and lineage are the same
whichever source produced the files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Log = Callable[[str], None]


@dataclass
class Landed:
    """The outcome of landing one dataset."""

    dataset: str
    files: list[Path] = field(default_factory=list)  # contract-format CSV or Parquet, to load
    note: str = ""  # e.g. why the dataset is absent
    # (file, reason) of files found but not landed (not a readable format, hidden): the
    # raw asset logs them as warnings and the loader records them (raw_loader.landing_notes).
    skipped: list[tuple[str, str]] = field(default_factory=list)


class Source(Protocol):
    name: str

    def land(self, dataset: str, landing_dir: Path, log: Log) -> Landed:
        """Make the dataset's files present under landing_dir and return them.

        An empty `files` list means the source has no such dataset (allowed: the marts
        that need it say insufficient_data). Re-landing the same data must yield the same
        files (same names, same content) so that loading is idempotent.
        """
        ...
