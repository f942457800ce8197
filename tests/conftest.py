"""Shared fixtures: real pipeline runs in temporary folders, and the shared real data."""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REALDATA = SHARED / "realdata"


def pipeline_env(warehouse_dir: Path, **overrides: str) -> dict[str, str]:
    # Runs start from a clean WAREHOUSE_* environment, except the compat switch: the whole suite
    # can run with the shims off (`make test-no-shims`).
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_") or k == "WAREHOUSE_COMPAT_SHIMS"}
    env.update(
        {
            "WAREHOUSE_DIR": str(warehouse_dir),
            "DAGSTER_HOME": str(warehouse_dir / "dagster_home"),
            "DBT_PROFILES_DIR": str(REPO / "dbt_project"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    env.update(overrides)
    return env


def run_pipeline(warehouse_dir: Path, check: bool = True, **overrides: str) -> subprocess.CompletedProcess:
    """`python -m pipelines.run` in a child process, as `make demo` runs it."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipelines.run"],
        cwd=REPO,
        env=pipeline_env(warehouse_dir, **overrides),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"pipeline failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return proc


DBT = Path(sys.executable).parent / "dbt"


def run_dbt(warehouse_dir: Path, *args: str, **overrides: str) -> subprocess.CompletedProcess:
    """This environment's dbt CLI in the project folder, its profile on warehouse_dir."""
    proc = subprocess.run(
        [str(DBT), *args],
        cwd=REPO / "dbt_project",
        env=pipeline_env(warehouse_dir, **overrides),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"dbt {' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
        )
    return proc


def row_counts(db: Path, schemas: tuple[str, ...] = ("raw", "staging", "marts")) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
            f"({', '.join(repr(s) for s in schemas)})"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    """One full run of the graph on the default sample market, shared by the end-to-end tests."""
    wh = tmp_path_factory.mktemp("sample_wh")
    run_pipeline(wh)
    return wh


SMALL = {"WAREHOUSE_SAMPLE_SMALL": "60", "WAREHOUSE_SAMPLE_LARGE": "20"}


def files_warehouse(base: Path, fill) -> duckdb.DuckDBPyConnection:
    """A warehouse built by the files source from the folder `fill(folder)` writes: the run
    `make demo` makes on a user's files. Returns a read-only connection to it."""
    if not (REPO / "dbt_project" / "target" / "manifest.json").exists():
        pytest.fail("dbt manifest missing: run `make prepare` first")
    files = base / "files"
    fill(files)
    run_pipeline(base / "wh", WAREHOUSE_SOURCE="files", WAREHOUSE_FILES_DIR=str(files))
    return duckdb.connect(str(base / "wh" / "warehouse.duckdb"), read_only=True)


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory) -> Path:
    """One run on a small sample market (60 + 20 companies), built once: tests that need a built
    warehouse to work on take a copy (`copy_warehouse`), never this folder itself."""
    wh = tmp_path_factory.mktemp("small_wh")
    run_pipeline(wh, **SMALL)
    return wh


def copy_warehouse(built: Path, to: Path) -> Path:
    """A built warehouse copied whole (landing, Dagster home): runs on it behave as on the original."""
    shutil.copytree(built, to, ignore=shutil.ignore_patterns(".run.lock"))
    return to


# What `make test-fast` leaves out: tests that build or run a warehouse (a Dagster run, dbt, the
# UI, a benchmark), by the shared warehouse fixtures they use or by their module's own runs.
WAREHOUSE_FIXTURES = frozenset({"sample_warehouse", "small_warehouse"})
WAREHOUSE_MODULES = frozenset(
    {
        "test_as_of_plan",
        "test_bench_smoke",
        "test_bi_pooled",
        "test_bi_superset",
        "test_dagster_ui",
        "test_dashboard",
        "test_dbt_unit",
        "test_event_log",
        "test_fund_returns_realdata",
        "test_live_pipeline",
        "test_mart_values",
        "test_marts_realdata",
        "test_marts_sample",
        "test_pipeline",
        "test_point_in_time",
        "test_policy_runs",
        "test_publish",
        "test_realdata_pipeline",
        "test_reliability",
        "test_reproducible_marts",
        "test_share_basis_realdata",
        "test_spark_engine",
        "test_ui_stops",
        "test_universe_changes_realdata",
    }
)


# `make test` runs the suite on two pytest-xdist workers. A module fixture is built once per
# worker that runs one of the module's tests, so each module runs whole on one worker (a group).
# A session fixture is built once per worker that needs it: the two sample warehouses (a minute
# or less) may be built on both workers, which lets their many modules spread; the modules of the
# real-data run (two minutes) share a group. xdist's own `xdist_group` marks do not reach its
# scheduler under pytest 9 (whose node ids xdist can no longer suffix): the scheduler is below.
SHARED_RUN_FIXTURES = ("realdata_run",)
# Groups of several minutes go first, so that neither worker is left with a long one at the end.
LONG_FIRST = ("test_spark_engine", "test_reliability", "realdata_run", "test_point_in_time", "test_publish")


@functools.cache
def test_group(path: str) -> str:
    """The worker group of a test module (its path relative to the repository): the first shared
    run its source names, or the module itself."""
    source = (REPO / path).read_text() if (REPO / path).is_file() else ""
    shared = [f for f in SHARED_RUN_FIXTURES if re.search(rf"\b{f}\b", source)]
    return shared[0] if shared else Path(path).stem


def _group_rank(path: str) -> int:
    group = test_group(path)
    return LONG_FIRST.index(group) if group in LONG_FIRST else len(LONG_FIRST)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """Whole groups to a worker (test_group), the long ones first."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return test_group(nodeid.split("::", 1)[0])

    config.option.loadscopereorder = False  # keep the collection's order: long groups first
    return SharedRunScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in WAREHOUSE_MODULES or WAREHOUSE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.warehouse)
    # xdist sets `loadgroup` on its workers (their `dist` option reads "no"), where the order counts.
    if getattr(config.option, "loadgroup", False):
        # A stable sort: each module keeps its tests' order, and stays contiguous.
        items.sort(key=lambda item: _group_rank(item.nodeid.split("::", 1)[0]))


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"{REALDATA} is absent: real public data is only beside the repository in development and CI")
    return REALDATA


@pytest.fixture(scope="session")
def realdata_run(realdata, tmp_path_factory) -> Path:
    """One run of the whole graph on every real file of tests/helpers/realdata_folder.build, shared
    by the real-data test modules (a run takes a minute or two): its warehouse folder."""
    import time

    from tests.helpers.realdata_folder import build

    base = tmp_path_factory.mktemp("realdata_all")
    folder = build(base / "in", realdata)
    started = time.monotonic()
    proc = run_pipeline(base / "wh", check=False, WAREHOUSE_SOURCE="files", WAREHOUSE_FILES_DIR=str(folder))
    seconds = time.monotonic() - started
    assert proc.returncode == 0, f"the real-data run did not publish:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    wh = base / "wh"
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        print(f"\nreal-data run: {seconds:.0f} s")
        for row in con.execute("""
                SELECT l.dataset, sum(l.rows_loaded + l.rows_quarantined) AS rows_in, sum(l.rows_loaded) AS loaded,
                       sum(l.rows_quarantined) AS quarantined,
                       (SELECT count(*) FROM audit.series_flags f WHERE f.dataset = l.dataset) AS flagged
                FROM raw._loaded_files l GROUP BY 1 ORDER BY 1""").fetchall():
            print("  {:<12} in {:>9,}  loaded {:>9,}  quarantined {:>7,}  flagged stretches {:>5,}".format(*row))
    return wh


def _realdata_skips(terminalreporter) -> list[str]:
    """Tests that skipped for want of real data although ../shared/realdata is present."""
    if not REALDATA.is_dir():
        return []
    out = []
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if "realdata" in reason or "real data" in reason or "real public" in reason:
            out.append(f"{report.nodeid}: {reason}")
    return out


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # A real-data test that skips while the data is there would pass CI without testing anything.
    wrong = _realdata_skips(terminalreporter)
    if wrong:
        terminalreporter.section("real-data tests skipped although ../shared/realdata is present", red=True)
        for line in wrong:
            terminalreporter.line(line)
        config._warehouse_realdata_skipped = len(wrong)


def pytest_sessionfinish(session, exitstatus):
    session.config._warehouse_exit_status = int(exitstatus)


def _silence_stderr() -> None:
    sys.stderr.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Ends the test process right after pytest's own teardown, summary printed.

    At interpreter shutdown DuckDB's bindings (nanobind) report every object still alive as
    "leaked", pages of lines after the summary, which is then not the last thing a user or CI
    reads. Nothing is left to clean up here: every file and child process of a test is gone."""
    if hasattr(config, "workerinput"):
        # An xdist worker: its results already went to the controller, which reports them; it
        # must end in order (an early exit could lose that message), and its shutdown's leak
        # lines would land in the middle of the controller's report. At exit, not now: pytest's
        # capture puts stderr back after this hook.
        atexit.register(_silence_stderr)
        return
    status = getattr(config, "_warehouse_exit_status", None)
    if status is not None and getattr(config, "_warehouse_realdata_skipped", 0) and status == 0:
        print(
            f"FAILED: {config._warehouse_realdata_skipped} real-data test(s) skipped with ../shared/realdata present",
            file=sys.stderr,
        )
        status = 1
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
