"""The `files` source: a user's folder that follows ../shared/spec/landing.md.

Besides contract files (.csv, .csv.gz, .parquet), publishers' own downloads are read as
they are (pipelines/sources/formats/): their landed file is the downloaded bytes. Other
files (a README, a spreadsheet, an unrecognized JSON, hidden files) are not landed; they
are returned as `skipped` with the reason, so the run says so; so is a symbolic link whose
target lies outside the folder, which is never read.

Each file is copied into the landing folder as received, under a name that carries a
digest of its content, so an edited file lands beside its earlier version instead of over
it (every quarantined row stays traceable to the bytes it came from).

fund_distributions also lands the yfinance bars files of fund_navs/ that carry Dividends /
Capital Gains columns (under `from_fund_navs/`): a fund's NAV file then gives its
distributions without a separate file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.datasets import DATASETS
from pipelines.raw_loader import file_digest
from pipelines.sources.base import Landed, Log
from pipelines.sources.formats import daily_bars, registry
from pipelines.sources.formats.base import FormatError, head_lines, norm, parse_header

# Extensions read as they are; a .json file is read when its structure is a format the
# dataset recognizes (pipelines/sources/formats/registry.py).
READABLE = (".csv", ".csv.gz", ".parquet")


def _extension(name: str) -> str:
    low = name.lower()
    return next((ext for ext in (*READABLE, ".json") if low.endswith(ext)), "")


class FilesSource:
    name = "files"

    def __init__(self, files_dir: Path):
        if not files_dir.is_dir():
            raise FileNotFoundError(f"WAREHOUSE_FILES_DIR={files_dir} is not a folder")
        self.files_dir = files_dir
        self._root = files_dir.resolve()

    def _dataset_dir(self, dataset: str) -> Path | None:
        # Folder names are matched case-insensitively, like column names.
        for child in self.files_dir.iterdir():
            if child.is_dir() and child.name.lower() == dataset:
                return child
        return None

    def _why_not(self, dataset: str, src: Path, folder: Path) -> str | None:
        """Why a file of the folder is not read (None: it is)."""
        if not src.resolve().is_relative_to(self._root):
            # A link out of the folder (to /etc/passwd, to another user's data) is never read,
            # copied or echoed: only what the user put in WAREHOUSE_FILES_DIR is loaded.
            return "a link to a file outside WAREHOUSE_FILES_DIR: refused, not read"
        if any(part.startswith(".") for part in src.relative_to(folder).parts):
            return "hidden file, not read"
        ext = _extension(src.name)
        if not ext:
            return f"not a .csv, .csv.gz, .parquet or recognized .json file, not read as {dataset}"
        if ext == ".json" and registry.json_kind(dataset, src) is None:
            return f"JSON that is not a format {dataset}/ recognizes, not read"
        return None

    @staticmethod
    def _copy(src: Path, folder: Path, target: Path) -> Path:
        ext = _extension(src.name)
        digest = file_digest(src)[:10]
        rel = src.relative_to(folder)
        dest = target / rel.parent / f"{src.name[: -len(ext)]}.{digest}{ext}"
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        return dest

    def _bars_with_distributions(self) -> tuple[Path | None, list[Path]]:
        """The fund_navs/ bars files (yfinance) that carry Dividends / Capital Gains columns."""
        folder = self._dataset_dir("fund_navs")
        if folder is None:
            return None, []
        found = []
        for src in sorted(p for p in folder.rglob("*") if p.is_file()):
            if self._why_not("fund_navs", src, folder) or _extension(src.name) not in (".csv", ".csv.gz"):
                continue
            try:
                head = head_lines(src, 1)
            except (FormatError, OSError):
                continue  # the fund_navs load names what is wrong with it
            header = parse_header(head[0]) if head else []
            if "fundid" not in {norm(h) for h in header} and daily_bars.distribution_columns(header):
                found.append(src)
        return folder, found

    def land(self, dataset: str, landing_dir: Path, log: Log) -> Landed:
        folder = self._dataset_dir(dataset)
        # A fund's yfinance bars in fund_navs/ carry its distributions: they are landed as
        # fund_distributions too (under from_fund_navs/), so NAVs and distributions come together.
        navs_folder, bars = self._bars_with_distributions() if dataset == "fund_distributions" else (None, [])
        if folder is None and not bars:
            return Landed(dataset, [], note=f"no {dataset}/ folder in {self.files_dir}")
        target = landing_dir / "files" / dataset
        target.mkdir(parents=True, exist_ok=True)
        landed: list[Path] = []
        skipped: list[tuple[str, str]] = []
        for src in sorted(p for p in folder.rglob("*") if p.is_file()) if folder is not None else []:
            why = self._why_not(dataset, src, folder)
            if why:
                skipped.append((str(src), why))
                continue
            landed.append(self._copy(src, folder, target))
        for src in bars:
            landed.append(self._copy(src, navs_folder, target / "from_fund_navs"))
        if bars:
            log(f"{dataset}: distributions of {len(bars)} fund_navs/ bars file(s) with Dividends / Capital Gains")
        if not landed:
            return Landed(dataset, [], note=f"{folder} holds no readable file", skipped=skipped)
        return Landed(dataset, landed, skipped=skipped)


def known_dataset_folders(files_dir: Path) -> list[str]:
    return sorted(p.name for p in files_dir.iterdir() if p.is_dir() and p.name.lower() in DATASETS)
