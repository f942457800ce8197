"""`make bench`: the warehouse at scale, against what DuckDB alone needs for the same marts.

Measured in one run, in one process tree:
0. the sample market generated at scale and written as a `files` folder (reported, not a target);
1. full build: `python -m pipelines.run` on that folder (ingest, dbt, gates, publish);
2. pandas: the analyst's script of issue #18 (bench/pandas_marts.py), the core marts from the same
   files with pandas alone; the full build must not take longer;
3. engine floor: the marts' compiled SQL run by one DuckDB connection on the same raw tables;
4. incremental: one more trading day for every symbol, then the pipeline brought up to date;
5. BI read path: the dashboard's queries on serving.duckdb, repeated (p50, p95).
Figures are printed and written to bench/results/<label>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.measure import InProcess, run_measured  # noqa: E402
from pipelines.config import default_memory_limit  # noqa: E402

# Issue #18's targets (docs/performance.md): what each figure may be at most.
TARGETS = {
    # Loading the files and checking them against one pass of the engine over every model.
    "ingest_gates_over_floor": 1.0,
    "full_over_floor": 2.5,
    # The whole warehouse (every mart, gates, publish) against pandas computing only the core marts.
    "full_vs_pandas": 1.0,
    "incremental_over_full": 0.25,
    "peak_rss_mb_full": 3072,
    "peak_rss_mb_incremental": 1536,
    "bi_p95_ms": 100,
}
# Named sizes: `make bench` and `make bench-large`.
SIZES = {"default": (2000, 1000, 10), "large": (9000, 3000, 10)}

BI_QUERIES = {
    "trigger_board": "SELECT * FROM marts.triggers WHERE as_of_date = (SELECT max(as_of_date) FROM marts.triggers)",
    "claims_audit": "SELECT * FROM marts.claims_audit ORDER BY claim_id",
    "relative_strength_10y": (
        "SELECT date, ratio, drawdown_from_peak FROM marts.relative_strength "
        "WHERE date >= (SELECT max(date) - INTERVAL 10 YEAR FROM marts.relative_strength) ORDER BY date"
    ),
    "valuation_gap_history": (
        "SELECT as_of_date, method, relative, discount, percentile FROM marts.valuation_gap ORDER BY as_of_date, method"
    ),
    "fund_scorecard": (
        "SELECT * FROM marts.fund_scorecard WHERE as_of_date = (SELECT max(as_of_date) FROM marts.fund_scorecard)"
    ),
}


def pipeline_env(warehouse_dir: Path, files_dir: Path, engine: str = "duckdb") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAREHOUSE_")}
    env.update(
        {
            "WAREHOUSE_ENGINE": engine,
            "WAREHOUSE_DIR": str(warehouse_dir),
            "WAREHOUSE_SOURCE": "files",
            "WAREHOUSE_FILES_DIR": str(files_dir),
            "DAGSTER_HOME": str(warehouse_dir / "dagster_home"),
            "DBT_PROFILES_DIR": str(REPO / "dbt_project"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        }
    )
    return env


def write_market(files_dir: Path, small: int, large: int, years: float, seed: int) -> dict:
    from pipelines.sources.sample.generator import SampleParams, generate_market

    with InProcess() as m:
        market = generate_market(SampleParams(n_small=small, n_large=large, years=years, seed=seed))
        for name, frame in market.tables.items():
            (files_dir / name).mkdir(parents=True, exist_ok=True)
            frame.to_parquet(files_dir / name / f"{name}.parquet", index=False)
    return {
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "peak_rss_mb": m.peak_rss_mb,
        "price_rows": len(market.tables["prices"]),
        "symbols": int(market.tables["prices"]["symbol"].nunique()),
    }


def append_next_day(files_dir: Path) -> dict:
    """One more trading day for every live symbol, fund and rate series, as new files."""
    rng = np.random.default_rng(7)
    prices = pd.read_parquet(files_dir / "prices" / "prices.parquet")
    last_day = prices["date"].max()
    day = pd.Timestamp(last_day) + pd.offsets.BDay(1)
    live = prices[prices["date"] == last_day].copy()
    move = 1 + rng.normal(0, 0.01, len(live))
    for col in ("open", "high", "low", "close", "adj_close"):
        if col in live:
            live[col] = live[col] * move
    live["high"], live["low"] = (
        live[["open", "high", "low", "close"]].max(axis=1),
        live[["open", "high", "low", "close"]].min(axis=1),
    )
    live["date"] = day
    tag = day.strftime("%Y%m%d")
    live.to_parquet(files_dir / "prices" / f"prices_{tag}.parquet", index=False)
    navs = pd.read_parquet(files_dir / "fund_navs" / "fund_navs.parquet")
    nav_last = navs[navs["date"] == navs["date"].max()].copy()
    nav_last["date"] = day
    nav_last.to_parquet(files_dir / "fund_navs" / f"fund_navs_{tag}.parquet", index=False)
    rates = pd.read_parquet(files_dir / "rates" / "rates.parquet")
    rate_last = rates.sort_values("date").groupby("series_id").tail(1).copy()
    rate_last["date"] = day
    rate_last.to_parquet(files_dir / "rates" / f"rates_{tag}.parquet", index=False)
    return {"day": day.date().isoformat(), "price_rows": len(live)}


def step_timings(warehouse_dir: Path) -> dict[str, float]:
    """Seconds per stage of the latest run, from the Dagster instance's event log."""
    os.environ["DAGSTER_HOME"] = str((warehouse_dir / "dagster_home").resolve())
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_step_stats(run.run_id)
    stages: dict[str, float] = defaultdict(float)
    for s in stats:
        if s.start_time is None or s.end_time is None:
            continue
        key = s.step_key
        stage = (
            "ingest"
            if key.startswith("raw__")
            else "gates_raw"
            if key.endswith("_gates")
            else "dbt"
            if key.startswith("dbt")
            else "publish"
            if key == "serving__serving_duckdb"
            else key.removeprefix("serving__")
        )
        stages[stage] += s.end_time - s.start_time
    return dict(stages)


def dbt_layer_timings(warehouse_dir: Path) -> dict[str, float]:
    """Seconds per dbt layer's models, and of all tests, from the durations dagster-dbt records on
    each node's event in the latest run, plus their sum (what the dbt step spends beyond it is
    dbt's start-up, parse and per-node overhead, and Dagster's handling of the events)."""
    os.environ["DAGSTER_HOME"] = str((warehouse_dir / "dagster_home").resolve())
    import dagster as dg

    layers: dict[str, float] = defaultdict(float)
    with dg.DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        for record in instance.get_records_for_run(run.run_id, limit=100_000).records:
            event = record.event_log_entry.dagster_event
            if event is None or event.event_type_value not in ("ASSET_MATERIALIZATION", "ASSET_CHECK_EVALUATION"):
                continue
            data = event.event_specific_data
            metadata = data.materialization.metadata if hasattr(data, "materialization") else data.metadata
            if "unique_id" not in metadata or "Execution Duration" not in metadata:
                continue
            uid, seconds = metadata["unique_id"].value, metadata["Execution Duration"].value
            # A test's id names its test, not its model's layer: all tests are one figure.
            layer = (
                "tests"
                if uid.startswith("test.")
                else "staging_models"
                if ".stg_" in uid
                else "intermediate_models"
                if ".int_" in uid
                else "marts_models"
            )
            layers[layer] += seconds
            layers["dbt_nodes"] += seconds
    return dict(layers)


def engine_floor(warehouse_dir: Path, work: Path) -> dict:
    """Compile the models, copy the tables they read, then time only DuckDB executing the compiled SQL."""
    floor_dir = work / "floor"
    shutil.rmtree(floor_dir, ignore_errors=True)
    floor_dir.mkdir(parents=True)
    # Same file name, so the compiled SQL's catalog ("warehouse") resolves unchanged.
    floor_db = floor_dir / "warehouse.duckdb"
    with duckdb.connect(str(floor_db)) as con:
        con.execute(f"ATTACH '{warehouse_dir / 'warehouse.duckdb'}' AS src (READ_ONLY)")
        # The dbt sources: the raw tables and the flags the gates wrote (audit.series_flags).
        for schema, only in (("raw", None), ("audit", "series_flags")):
            con.execute(f"CREATE SCHEMA {schema}")
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'src' AND table_schema = ?",
                [schema],
            ).fetchall():
                if only in (None, t):
                    con.execute(f"CREATE TABLE {schema}.{t} AS SELECT * FROM src.{schema}.{t}")
        con.execute("DETACH src")
    target = work / "floor_target"
    env = {**os.environ, "WAREHOUSE_DIR": str(floor_dir), "DBT_PROFILES_DIR": str(REPO / "dbt_project")}
    subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "compile", "--quiet", "--target-path", str(target)],
        cwd=REPO / "dbt_project",
        env=env,
        check=True,
    )
    manifest = json.loads((target / "manifest.json").read_text())
    models = {
        uid: n
        for uid, n in manifest["nodes"].items()
        if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"
    }
    order, seen = [], set()

    def visit(uid):
        if uid in seen or uid not in models:
            return
        seen.add(uid)
        for dep in models[uid]["depends_on"]["nodes"]:
            visit(dep)
        order.append(uid)

    for uid in sorted(models):
        visit(uid)
    # Under the memory limit the pipeline's dbt runs with (pipelines/config.py), so both spill alike.
    seconds = {}
    with duckdb.connect(str(floor_db), config={"memory_limit": default_memory_limit()}) as con, InProcess() as m:
        for uid in order:
            n = models[uid]
            kind = "VIEW" if n["config"]["materialized"] == "view" else "TABLE"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {n['schema']}")
            started = time.perf_counter()
            con.execute(f"CREATE OR REPLACE {kind} {n['schema']}.{n['name']} AS {n['compiled_code']}")
            seconds[n["name"]] = time.perf_counter() - started
    # The profile of what remains: the models that cost the most.
    slowest = dict(sorted(seconds.items(), key=lambda kv: -kv[1])[:10])
    measured = {"wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_rss_mb": m.peak_rss_mb}
    return {**measured, "models": len(order), "slowest_s": slowest}


def bi_read_path(serving: Path, repeat: int) -> dict:
    out = {}
    with duckdb.connect(str(serving), read_only=True) as con:
        for name, sql in BI_QUERIES.items():
            con.execute(sql).fetchall()  # first read warms the file cache, like a dashboard's first load
            times = []
            for _ in range(repeat):
                t = time.perf_counter()
                con.execute(sql).fetchall()
                times.append((time.perf_counter() - t) * 1000)
            q = statistics.quantiles(times, n=20)
            out[name] = {"p50_ms": statistics.median(times), "p95_ms": q[18], "rows": len(con.execute(sql).fetchall())}
    return out


def measured_run(warehouse_dir: Path, files_dir: Path, engine: str = "duckdb") -> dict:
    m = run_measured([sys.executable, "-m", "pipelines.run"], pipeline_env(warehouse_dir, files_dir, engine), REPO)
    if m.returncode != 0:
        print(m.output[-6000:])
        raise SystemExit(f"pipeline run failed ({m.returncode})")
    return {
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "peak_rss_mb": m.peak_rss_mb,
        "stages_s": step_timings(warehouse_dir),
        "dbt_layers_s": dbt_layer_timings(warehouse_dir),
        "as_of_rebuild_from": as_of_rebuild_from(warehouse_dir),
    }


def pandas_run(warehouse_dir: Path, files_dir: Path, work: Path) -> dict:
    """The core marts by pandas alone, in a child process measured like the pipeline's run, on the
    same files and with the same roles (the pipeline's environment)."""
    out = work / "pandas_out"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "bench.pandas_marts", str(files_dir), "--out", str(out)]
    m = run_measured(cmd, pipeline_env(warehouse_dir, files_dir), REPO)
    if m.returncode != 0:
        print(m.output[-6000:])
        raise SystemExit(f"pandas marts failed ({m.returncode})")
    rows = {p.stem: pq.read_metadata(p).num_rows for p in sorted(out.glob("*.parquet"))}
    return {"wall_s": m.wall_s, "cpu_s": m.cpu_s, "peak_rss_mb": m.peak_rss_mb, "rows": rows}


def as_of_rebuild_from(warehouse_dir: Path) -> str:
    """From which date the run recomputed the incremental as-of models ('all': a full rebuild)."""
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        (since,) = con.execute("SELECT max(rebuild_from) FROM audit.dbt_as_of_state").fetchone()
    return "all" if since is None else str(since)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=sorted(SIZES), default="default", help="a named size (--small etc. override it)")
    p.add_argument("--small", type=int)
    p.add_argument("--large", type=int)
    p.add_argument("--years", type=float)
    p.add_argument("--seed", type=int, default=20251209)
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    p.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    a = p.parse_args(argv)
    named = SIZES[a.size]
    given = (a.small, a.large, a.years)
    a.small, a.large, a.years = (g if g is not None else d for g, d in zip(given, named, strict=True))
    label = f"{a.small}x{a.large}x{a.years:g}y"
    work = a.work / label
    shutil.rmtree(work, ignore_errors=True)
    files_dir, wh = work / "input", work / "warehouse"
    result = {"label": label, "started": dt.datetime.now().isoformat(timespec="seconds"), "cores": os.cpu_count()}
    print(f"[bench {label}] generating the sample market at scale ...", flush=True)
    result["generate"] = write_market(files_dir, a.small, a.large, a.years, a.seed)
    print(f"[bench {label}] full build ...", flush=True)
    result["full"] = measured_run(wh, files_dir)
    # Before the increment below: pandas reads the files the full build read.
    print(f"[bench {label}] pandas baseline ...", flush=True)
    result["pandas"] = pandas_run(wh, files_dir, work)
    print(f"[bench {label}] engine floor ...", flush=True)
    result["floor"] = engine_floor(wh, work)
    print(f"[bench {label}] incremental update ...", flush=True)
    result["increment"] = append_next_day(files_dir)
    result["incremental"] = measured_run(wh, files_dir)
    print(f"[bench {label}] BI read path ...", flush=True)
    result["bi"] = bi_read_path(wh / "serving.duckdb", a.repeat)
    result["ratios"], result["targets"] = judge(result)
    result["per_million_rows_s"] = per_million_rows(result)
    out = a.results / f"{label}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print_report(result, out)
    return 0


def judge(r: dict) -> tuple[dict, dict]:
    """The ratios of one run, and each target with its value and whether it is met."""
    full, floor, inc = r["full"]["wall_s"], r["floor"]["wall_s"], r["incremental"]["wall_s"]
    stages = r["full"]["stages_s"]
    ratios = {
        "ingest_gates_over_floor": (stages.get("ingest", 0) + stages.get("gates_raw", 0)) / floor,
        "full_over_floor": full / floor,
        "full_vs_pandas": full / r["pandas"]["wall_s"],
        "incremental_over_full": inc / full,
    }
    values = {
        **ratios,
        "peak_rss_mb_full": r["full"]["peak_rss_mb"],
        "peak_rss_mb_incremental": r["incremental"]["peak_rss_mb"],
        "bi_p95_ms": max(q["p95_ms"] for q in r["bi"].values()),
    }
    targets = {k: {"value": v, "target": TARGETS[k], "met": v <= TARGETS[k]} for k, v in values.items()}
    return ratios, targets


def per_million_rows(r: dict) -> dict[str, dict[str, float]]:
    """Seconds per million price rows of each stage of the full build, the floor and pandas: the
    cost that grows with the data, comparable between sizes."""
    millions = r["generate"]["price_rows"] / 1e6
    out = {"full": {k: v / millions for k, v in r["full"]["stages_s"].items()}}
    out["full"]["total"] = r["full"]["wall_s"] / millions
    out["floor"] = {"total": r["floor"]["wall_s"] / millions}
    out["pandas"] = {"total": r["pandas"]["wall_s"] / millions}
    return out


def print_report(r: dict, out: Path) -> None:
    generated = r["generate"]
    print(
        f"\nBenchmark {r['label']} ({generated['price_rows']:,} price rows, {generated['symbols']:,} symbols, "
        f"{r['cores']} cores)"
    )
    print(f"{'stage':<14}{'wall s':>9}{'cpu s':>9}{'peak MB':>10}")
    for name in ("generate", "full", "pandas", "floor", "incremental"):
        s = r[name]
        print(f"{name:<14}{s['wall_s']:>9.1f}{s['cpu_s']:>9.1f}{s['peak_rss_mb']:>10.0f}")
    print("pandas marts (rows): " + ", ".join(f"{k} {v:,}" for k, v in r["pandas"]["rows"].items()))
    print("full build stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["full"]["stages_s"].items())))
    print(
        "full build dbt layers (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["full"]["dbt_layers_s"].items()))
    )
    print(
        "incremental stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["incremental"]["stages_s"].items()))
    )
    print(
        "incremental dbt layers (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["incremental"]["dbt_layers_s"].items()))
    )
    print(
        f"as-of models recomputed: full build {r['full']['as_of_rebuild_from']}, "
        f"incremental from {r['incremental']['as_of_rebuild_from']}"
    )
    print(
        "BI queries: "
        + ", ".join(f"{k} p50 {v['p50_ms']:.1f} ms / p95 {v['p95_ms']:.1f} ms" for k, v in r["bi"].items())
    )
    print("floor's slowest models (s): " + ", ".join(f"{k} {v:.1f}" for k, v in r["floor"]["slowest_s"].items()))
    per_m = r["per_million_rows_s"]
    print(
        "seconds per million price rows: "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(r["per_million_rows_s"]["full"].items()))
        + f"; floor {per_m['floor']['total']:.2f}, pandas {per_m['pandas']['total']:.2f}"
    )
    for name, t in r["targets"].items():
        print(f"target {name:<24} {t['value']:>9.2f} (<= {t['target']}) {'met' if t['met'] else 'MISSED'}")
    print(f"written to {out}")


if __name__ == "__main__":
    sys.exit(main())
