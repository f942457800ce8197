"""`make bench-engines`: the same market built by each engine (WAREHOUSE_ENGINE), side by side.

For each engine, on one generated `files` folder: a full build, then one more trading day and
the incremental run (bench/run.py's steps), plus what a Spark session costs to start (a JVM and
the Derby catalog), which every dbt invocation on Spark pays. Figures are printed and written to
bench/results/engines-<label>.json. docs/scale-out.md reads them.

    make bench-engines                                   # 200 + 100 companies x 3 years
    make bench-engines BENCH_ARGS="--small 2000 --large 1000 --years 10"    # make bench's size
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.run import append_next_day, measured_run, write_market  # noqa: E402

ENGINES = ("duckdb", "spark")
SESSION_START = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from tests.helpers.spark_parity import spark_session
session = spark_session(Path(sys.argv[1]))
session.sql("show databases").collect()
print(time.perf_counter() - started)
session.stop()
"""


def session_start_s(warehouse_dir: Path) -> float:
    """Seconds from a new Python process to a Spark session that has read the Derby catalog."""
    out = subprocess.run(
        [sys.executable, "-c", SESSION_START, str(warehouse_dir)], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--small", type=int, default=200)
    p.add_argument("--large", type=int, default=100)
    p.add_argument("--years", type=float, default=3)
    p.add_argument("--seed", type=int, default=20251209)
    p.add_argument("--work", type=Path, default=REPO / "bench" / "work")
    p.add_argument("--results", type=Path, default=REPO / "bench" / "results")
    p.add_argument("--engines", default=",".join(ENGINES), help="which engines to run, comma-separated")
    a = p.parse_args(argv)
    engines = [e.strip() for e in a.engines.split(",")]
    if not set(engines) <= set(ENGINES):
        p.error(f"--engines: expected some of {', '.join(ENGINES)}, got {a.engines}")
    label = f"{a.small}x{a.large}x{a.years:g}y"
    work = a.work / f"engines-{label}"
    shutil.rmtree(work, ignore_errors=True)
    result = {"label": label, "engines": {}}
    print(f"[engines {label}] generating the sample market ...", flush=True)
    result["generate"] = write_market(work / "input", a.small, a.large, a.years, a.seed)
    for engine in engines:
        files = work / f"input-{engine}"
        shutil.copytree(work / "input", files)
        wh = work / engine
        print(f"[engines {label}] {engine}: full build ...", flush=True)
        full = measured_run(wh, files, engine)
        append_next_day(files)
        print(f"[engines {label}] {engine}: incremental day ...", flush=True)
        incremental = measured_run(wh, files, engine)
        result["engines"][engine] = {"full": full, "incremental": incremental}
    if "spark" in engines:
        started = time.perf_counter()
        result["spark_session_start_s"] = session_start_s(work / "spark")
        result["spark_session_probe_wall_s"] = time.perf_counter() - started
    out = a.results / f"engines-{label}{'' if engines == list(ENGINES) else '-' + '-'.join(engines)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    rows = result["generate"]["price_rows"]
    print(f"\nEngines on {label} ({rows:,} price rows)")
    print(f"{'engine':<8}{'run':<13}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'dbt s':>8}  per M rows")
    for engine, runs in result["engines"].items():
        for name, r in runs.items():
            dbt_s = r["stages_s"].get("dbt", float("nan"))
            print(
                f"{engine:<8}{name:<13}{r['wall_s']:>8.1f}{r['cpu_s']:>8.1f}{r['peak_rss_mb']:>9.0f}{dbt_s:>8.1f}"
                f"  {r['wall_s'] / rows * 1e6:.1f} s"
            )
    if "spark_session_start_s" in result:
        start = result["spark_session_start_s"]
        print(f"Spark session start (JVM + Derby catalog), paid by every dbt invocation: {start:.1f} s")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
