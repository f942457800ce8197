"""The dashboard's data: the ready-made BI queries in bi/sql, run read-only on serving.duckdb.

The dashboard and a BI tool answer each question with the same SQL file, so a number on the
page can always be reproduced in DBeaver, Superset, Metabase or Evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipelines.resources import PROJECT_ROOT

BI_SQL_DIR = PROJECT_ROOT / "bi" / "sql"


@dataclass(frozen=True)
class Provenance:
    """Which published run the page shows, and whether its data is the synthetic sample."""

    run_id: str
    published_at: str
    source: str
    synthetic: bool
    checks: int
    checks_passed: int
    failed_errors: int
    failed_warnings: int


def bi_queries() -> dict[str, str]:
    """Every ready-made query by name ('01_trigger_board' -> its SQL)."""
    return {path.stem: path.read_text() for path in sorted(BI_SQL_DIR.glob("*.sql"))}


def load_results(serving_path: Path) -> dict[str, pd.DataFrame]:
    """Each ready-made query's rows, read from one consistent snapshot of the published file."""
    with duckdb.connect(str(serving_path), read_only=True) as con:
        return {name: con.sql(sql).df() for name, sql in bi_queries().items()}


def provenance(results: dict[str, pd.DataFrame]) -> Provenance:
    row = results["13_data_quality"].iloc[0]
    return Provenance(
        run_id=str(row.run_id),
        published_at=str(row.published_at)[:19],
        source=str(row.source),
        synthetic=bool(row.synthetic),
        checks=int(row.checks),
        checks_passed=int(row.passed),
        failed_errors=int(row.failed_errors),
        failed_warnings=int(row.failed_warnings),
    )
