"""dbt unit tests (`unit_tests:` in the model YAML), run here rather than in every pipeline run.

The pipeline's `dbt build` excludes them (they check SQL, not data); this test runs all of
them with `dbt test` against a copy of the sample warehouse, whose tables give dbt the
input column types, and requires every one to pass.
"""

from __future__ import annotations

import json
import shutil

from pipelines.assets.dbt import DBT_PROJECT_DIR, build_args
from pipelines.config import load_settings
from tests.conftest import run_dbt


def _manifest_unit_tests() -> set[str]:
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return set(manifest.get("unit_tests", {}))


def test_pipeline_build_leaves_unit_tests_to_the_test_suite():
    args = build_args("{}")
    assert args[0] == "build"
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"


def test_every_dbt_unit_test_passes(sample_warehouse, tmp_path):
    expected = _manifest_unit_tests()
    assert len(expected) >= 20, "the tricky SQL of the marts has its unit tests"
    wh = tmp_path / "wh"
    wh.mkdir()
    shutil.copyfile(sample_warehouse / "warehouse.duckdb", wh / "warehouse.duckdb")
    target = tmp_path / "target"
    dbt_vars = json.dumps(load_settings({}).dbt_vars())
    run_dbt(wh, "test", "--select", "test_type:unit", "--vars", dbt_vars, "--target-path", str(target))
    results = json.loads((target / "run_results.json").read_text())["results"]
    # The project's on-run-start hook (it registers Spark's inputs; nothing on DuckDB) is an operation, not a test.
    ran = {r["unique_id"]: r["status"] for r in results if not r["unique_id"].startswith("operation.")}
    assert set(ran) == expected
    assert set(ran.values()) == {"pass"}
