"""A BI-like reader: queries serving.duckdb in a loop and reports what it saw (run as a process)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from data_quality.marts_contract import MARTS


def snapshot(path: Path) -> dict:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        run_id = con.execute("SELECT run_id FROM marts.publish_info").fetchone()[0]
        audited = {r[0] for r in con.execute("SELECT DISTINCT run_id FROM marts.quality_results").fetchall()}
        claims = con.execute("SELECT count(*) FROM marts.claims_audit").fetchone()[0]
    complete = set(MARTS) <= tables and audited == {run_id} and claims > 0
    return {"run_id": run_id, "complete": complete}


def main(path: str, seconds: float, out: str) -> None:
    seen, errors, reads = {}, [], 0
    deadline = time.monotonic() + seconds
    stop_file = Path(out + ".stop")
    while time.monotonic() < deadline and not stop_file.exists():
        try:
            snap = snapshot(Path(path))
            reads += 1
            seen.setdefault(snap["run_id"], 0)
            seen[snap["run_id"]] += 1
            if not snap["complete"]:
                errors.append(f"incomplete snapshot of run {snap['run_id']}")
        except Exception as e:  # every failure to read is what this process is here to report
            errors.append(f"{type(e).__name__}: {e}")
        time.sleep(0.02)
    Path(out).write_text(json.dumps({"reads": reads, "seen": seen, "errors": errors[:50]}))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), sys.argv[3])
