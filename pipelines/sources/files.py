"""The `files` source: a user's folder that follows ../shared/spec/landing.md.

Each file is copied into the landing folder as received, under a name that carries a
digest of its content, so an edited file lands beside its earlier version instead of over
it (every quarantined row stays traceable to the bytes it came from).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.datasets import DATASETS
from pipelines.raw_loader import file_digest
from pipelines.sources.base import Landed, Log

READABLE = (".csv", ".parquet")


class FilesSource:
    name = "files"

    def __init__(self, files_dir: Path):
        if not files_dir.is_dir():
            raise FileNotFoundError(f"WAREHOUSE_FILES_DIR={files_dir} is not a folder")
        self.files_dir = files_dir

    def _dataset_dir(self, dataset: str) -> Path | None:
        # Folder names are matched case-insensitively, like column names.
        for child in self.files_dir.iterdir():
            if child.is_dir() and child.name.lower() == dataset:
                return child
        return None

    def land(self, dataset: str, landing_dir: Path, log: Log) -> Landed:
        folder = self._dataset_dir(dataset)
        if folder is None:
            return Landed(dataset, [], note=f"no {dataset}/ folder in {self.files_dir}")
        target = landing_dir / "files" / dataset
        target.mkdir(parents=True, exist_ok=True)
        landed: list[Path] = []
        for src in sorted(p for p in folder.rglob("*") if p.is_file()):
            if src.suffix.lower() not in READABLE:
                log(f"{src}: not .csv or .parquet, left out of {dataset}")
                continue
            digest = file_digest(src)[:10]
            rel = src.relative_to(folder)
            dest = target / rel.parent / f"{rel.stem}.{digest}{src.suffix.lower()}"
            if not dest.exists():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
            landed.append(dest)
        if not landed:
            return Landed(dataset, [], note=f"{folder} holds no .csv or .parquet file")
        return Landed(dataset, landed)


def known_dataset_folders(files_dir: Path) -> list[str]:
    return sorted(p.name for p in files_dir.iterdir() if p.is_dir() and p.name.lower() in DATASETS)
