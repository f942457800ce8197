"""`make mutate`: apply each mutation of tests/mutations.py to a scratch copy, run its tests, report.

    python -m tests.mutate                 # every mutation, two at a time
    python -m tests.mutate --only NAME,..  # some of them
    python -m tests.mutate --check         # only check that every mutation's text is found once
    python -m tests.mutate --list          # the list as a Markdown table (docs/testing.md)
    python -m tests.mutate --jobs 1
    python -m tests.mutate --no-baseline   # skip the unmutated run of the tests first

First the tests of the chosen mutations run once unmutated in the scratch copy (the
baseline): a test that fails there would "catch" every mutation, so the run stops. A mutation
is caught when its tests fail (pytest exit code 1) with it in place; it survived when they
pass. Any other outcome (the text not found, a collection error, no test run) is an
error of the harness or of the list, not a catch. Each job works in its own scratch copy of
the repository (the files git tracks, with the working tree's edits, plus the prepared dbt
manifest), so the checkout itself is never changed; the copy's file is restored after each
mutation. Exits 1 when a mutation survived or erred.
"""

from __future__ import annotations

import argparse
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.mutations import MUTATIONS, Mutation

REPO = Path(__file__).resolve().parents[1]
PREPARED = ("dbt_project/target/manifest.json",)


@dataclass
class Result:
    mutation: Mutation
    outcome: str  # caught / survived / error
    seconds: float
    detail: str


def check(mutations: tuple[Mutation, ...]) -> list[str]:
    """Problems with the list: a text not found exactly once, a test file that does not exist."""
    problems = []
    names = [m.name for m in mutations]
    for dup in {n for n in names if names.count(n) > 1}:
        problems.append(f"{dup}: two mutations share the name")
    for m in mutations:
        path = REPO / m.path
        if not path.exists():
            problems.append(f"{m.name}: {m.path} does not exist")
            continue
        found = path.read_text().count(m.old)
        if found != 1:
            problems.append(f"{m.name}: the text to change occurs {found} times in {m.path} (must be once)")
        if m.old == m.new:
            problems.append(f"{m.name}: changes nothing")
        for t in m.tests:
            if not (REPO / t.split("::")[0]).exists():
                problems.append(f"{m.name}: test {t} does not exist")
    return problems


def scratch_copy(into: Path) -> Path:
    """The tracked files as they are in the working tree, and what `make prepare` built, in an
    empty folder beside the checkout."""
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in [f for f in files if f] + list(PREPARED):
        src = REPO / rel
        if src.is_file():
            dst = into / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    (into / ".venv").symlink_to(REPO / ".venv")
    return into


def run_one(m: Mutation, copy: Path) -> Result:
    target = copy / m.path
    original = target.read_text()
    if original.count(m.old) != 1:
        return Result(m, "error", 0.0, f"text to change occurs {original.count(m.old)} times")
    target.write_text(original.replace(m.old, m.new))
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *m.tests],
            cwd=copy,
            capture_output=True,
            text=True,
            timeout=1800,
            env={**os.environ, "WAREHOUSE_MUTATION": m.name},
        )
    except subprocess.TimeoutExpired:
        return Result(m, "error", time.monotonic() - started, "tests ran over 30 minutes")
    finally:
        target.write_text(original)
    seconds = time.monotonic() - started
    failed = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    if proc.returncode == 1:
        return Result(m, "caught", seconds, failed[0] if failed else "tests failed")
    if proc.returncode == 0:
        return Result(m, "survived", seconds, proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "")
    tail = (proc.stdout + proc.stderr).strip().splitlines()
    return Result(m, "error", seconds, f"pytest exit {proc.returncode}: {tail[-1] if tail else ''}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated mutation names")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--check", action="store_true", help="check the list without running tests")
    ap.add_argument("--list", action="store_true", help="print the list as a Markdown table")
    ap.add_argument("--no-baseline", action="store_true", help="do not run the tests unmutated first")
    args = ap.parse_args(argv)
    if args.list:
        print("| mutation | file | the slip | caught by |\n|---|---|---|---|")
        for m in MUTATIONS:
            tests = ", ".join(f"`{t.removeprefix('tests/')}`" for t in m.tests)
            print(f"| `{m.name}` | `{m.path.split('/')[-1]}` | {m.why} | {tests} |")
        return 0
    chosen = MUTATIONS
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.name for m in MUTATIONS}
        if unknown:
            print(f"unknown mutations: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        chosen = tuple(m for m in MUTATIONS if m.name in wanted)
    problems = check(chosen)
    if problems or args.check:
        for p in problems:
            print(p)
        print(f"{len(chosen)} mutations, {len(problems)} problems")
        return 1 if problems else 0
    if not (REPO / PREPARED[0]).exists():
        print("dbt manifest missing: run `make prepare` first", file=sys.stderr)
        return 2

    todo: queue.Queue[Mutation] = queue.Queue()
    for m in chosen:
        todo.put(m)
    results: list[Result] = []
    lock = threading.Lock()
    # Beside the checkout, as tests expect it: they read ../shared (the spec, the real data).
    copies = [Path(tempfile.mkdtemp(prefix=".mutate-", dir=REPO.parent)) for _ in range(max(1, args.jobs))]

    def worker(i: int) -> None:
        copy = scratch_copy(copies[i])
        while True:
            try:
                m = todo.get_nowait()
            except queue.Empty:
                return
            r = run_one(m, copy)
            with lock:
                results.append(r)
                print(
                    f"{len(results):>3}/{len(chosen)} {r.outcome:<8} {r.seconds:6.0f}s  {m.name}  {r.detail}",
                    flush=True,
                )

    started = time.monotonic()
    try:
        if not args.no_baseline:
            tests = list(dict.fromkeys(t for m in chosen for t in m.tests))
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                cwd=scratch_copy(copies[0]),
                capture_output=True,
                text=True,
                timeout=3600,
            )
            summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            print(f"baseline (no mutation): {len(tests)} test files, {summary}", flush=True)
            if proc.returncode != 0:
                print(proc.stdout[-3000:], file=sys.stderr)
                print("the tests fail without any mutation: fix them before mutating", file=sys.stderr)
                return 1
            shutil.rmtree(copies[0])
            copies[0].mkdir()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(copies))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for copy in copies:
            shutil.rmtree(copy, ignore_errors=True)
    by = {o: [r for r in results if r.outcome == o] for o in ("caught", "survived", "error")}
    print(
        f"\n{len(results)} mutations in {time.monotonic() - started:.0f} s: {len(by['caught'])} caught, "
        f"{len(by['survived'])} survived, {len(by['error'])} errors"
    )
    for r in by["survived"] + by["error"]:
        print(f"  {r.outcome}: {r.mutation.name} ({r.mutation.path}): {r.mutation.why}; {r.detail}")
    return 0 if len(by["caught"]) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
