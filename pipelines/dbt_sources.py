"""Render dbt_project/models/staging/_sources.yml from the dataset contract.

The raw tables' columns are defined once, in pipelines/datasets.py; the dbt sources file
is derived from it (`python -m pipelines.dbt_sources`) and a test keeps the two in step.
Each source table names the Dagster asset that loads it, so the lineage is one graph.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipelines.datasets import DATASETS, LINEAGE_COLUMNS

SOURCES_YML = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "staging" / "_sources.yml"


def render() -> str:
    tables = []
    for d in DATASETS.values():
        columns = []
        for c in d.columns:
            columns.append({"name": c.name, "description": c.description, "data_type": c.sql_type.lower()})
        columns += [
            {"name": n, "description": "Lineage added by the raw loader.", "data_type": t.lower()}
            for n, t in LINEAGE_COLUMNS
        ]
        tables.append(
            {
                "name": d.name,
                "description": d.description + f" Key: {', '.join(d.key)}.",
                "meta": {"dagster": {"asset_key": ["raw", d.name]}},
                "columns": columns,
            }
        )
    doc = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Raw tables written by the Dagster ingestion assets, one per landed dataset.",
                "tables": tables,
            }
        ],
    }
    header = (
        "# Generated from pipelines/datasets.py by `python -m pipelines.dbt_sources`; edit the contract there.\n"
        "# No not_null tests here: the raw gate's contract suite checks every required column of every new\n"
        "# batch before dbt runs, and a failure stops the build. The staging views only rename and cast\n"
        "# those columns, so they are not tested again (a test would re-scan the whole table each run).\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, width=110)


if __name__ == "__main__":
    SOURCES_YML.write_text(render())
    print(f"wrote {SOURCES_YML}")
