"""The dataset contract is defined once; what is derived from it must stay in step."""

from __future__ import annotations

import yaml

from pipelines.datasets import DATASETS
from pipelines.dbt_sources import SOURCES_YML, render


def test_dbt_sources_file_is_rendered_from_the_contract():
    assert SOURCES_YML.read_text() == render(), (
        "run `python -m pipelines.dbt_sources` after editing pipelines/datasets.py"
    )


def test_every_dataset_is_a_dbt_source_mapped_to_its_raw_asset():
    tables = {t["name"]: t for t in yaml.safe_load(SOURCES_YML.read_text())["sources"][0]["tables"]}
    assert set(tables) == set(DATASETS)
    for name, table in tables.items():
        assert table["meta"]["dagster"]["asset_key"] == ["raw", name]
        assert [c["name"] for c in table["columns"]][: len(DATASETS[name].columns)] == list(DATASETS[name].column_names)
