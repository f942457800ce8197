"""A warehouse file with every raw table, fed landing files through the real loader."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.datasets import DATASETS
from pipelines.raw_loader import ensure_tables, load_dataset


class Landing:
    def __init__(self, root: Path):
        # warehouse.duckdb: the file dbt's profile opens in WAREHOUSE_DIR.
        self.root, self.db = root, root / "warehouse.duckdb"
        root.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(self.db)) as con:
            for d in DATASETS.values():
                ensure_tables(con, d)

    def land(self, dataset: str, name: str, text: str | None) -> None:
        """Write (or, with None, remove) one CSV file of a dataset, then load the dataset's folder."""
        path = self.root / dataset / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            path.unlink()
        else:
            path.write_text(text)
        with duckdb.connect(str(self.db)) as con:
            load_dataset(con, dataset, sorted((self.root / dataset).glob("*.csv")), self.root)
