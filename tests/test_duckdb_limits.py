"""The DuckDB memory bound of a run (issue #18): one setting, applied to every connection the run opens."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.config import SettingsError, default_memory_limit, load_settings
from pipelines.resources import WarehouseResource, remove_spill_files

GB = 2**30


def test_default_is_a_quarter_of_the_machine_between_one_and_two_gigabytes():
    assert default_memory_limit(2 * GB) == "1024MB"
    assert default_memory_limit(6 * GB) == "1536MB"
    assert default_memory_limit(24 * GB) == "2048MB"
    assert default_memory_limit(256 * GB) == "2048MB"


def test_a_memory_size_is_read_and_a_wrong_one_named(tmp_path):
    s = load_settings({"WAREHOUSE_DIR": str(tmp_path), "WAREHOUSE_DUCKDB_MEMORY_LIMIT": " 3 GB"})
    assert s.memory_limit == "3GB" and s.duckdb_config() == {"memory_limit": "3GB"}
    assert load_settings({"WAREHOUSE_DIR": str(tmp_path)}).memory_limit == default_memory_limit()
    with pytest.raises(SettingsError, match="WAREHOUSE_DUCKDB_MEMORY_LIMIT='lots'"):
        load_settings({"WAREHOUSE_DIR": str(tmp_path), "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "lots"})


def _reported(limit: str) -> str:
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_the_runs_connections_open_under_the_limit_and_spill_where_told(tmp_path):
    env = {
        "WAREHOUSE_DIR": str(tmp_path / "wh"),
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "700MB",
        "WAREHOUSE_DUCKDB_TEMP_DIR": str(tmp_path / "spill"),
    }
    resource = WarehouseResource.from_settings(load_settings(env))
    with resource.connect() as con:
        limit, temp = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
    assert limit == _reported("700MB") != _reported(default_memory_limit())
    assert temp == str(tmp_path / "spill")
    # The dbt profile reads the same two values from the run's --vars.
    dbt_vars = load_settings(env).dbt_vars(warehouse=True)
    assert dbt_vars["duckdb_memory_limit"] == "700MB" and dbt_vars["duckdb_temp_dir"] == str(tmp_path / "spill")


def test_a_killed_runs_spill_files_go_and_nothing_else(tmp_path):
    settings = load_settings({"WAREHOUSE_DIR": str(tmp_path)})
    spill = settings.duckdb_temp_path
    spill.mkdir(parents=True)
    (spill / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"x" * 10)
    (spill / "notes.txt").write_text("a user's file")
    assert [p.name for p in remove_spill_files(settings)] == ["duckdb_temp_storage_DEFAULT-0.tmp"]
    assert [p.name for p in spill.iterdir()] == ["notes.txt"]
