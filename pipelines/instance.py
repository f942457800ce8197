"""The Dagster instance lives beside the warehouse, with telemetry off.

Runs and schedules use Dagster's default SQLite storage; the event log uses the same files
through `pipelines.compat`'s storage, which keeps its database connections open for the run
(Dagster's own with the shims off). Runs launched in the UI queue one at a time per code location.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import compat

MARKER = "# Written by pipelines/instance.py."
RUN_QUEUE_TAG = "dagster/code_location"


def dagster_yaml(home: Path) -> str:
    # Dagster's default layout: events of each run in history/runs/<run id>.db beside the index.
    event_log = compat.event_log_storage_yaml(home / "history" / "runs")
    return f"""{MARKER}
{event_log}# One code location is one warehouse (its WAREHOUSE_* environment): the UI queues a second run
# on it until the first ends, instead of starting both (pipelines/run_lock.py guards the rest).
concurrency:
  runs:
    tag_concurrency_limits:
      - key: {RUN_QUEUE_TAG}
        value:
          applyLimitPerUniqueValue: true
        limit: 1
telemetry:
  enabled: false
"""


def ensure_dagster_home(warehouse_dir: Path) -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or warehouse_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    wanted = dagster_yaml(home)
    # A file of ours is kept current (the home may have moved); a user's own is left alone.
    current = cfg.read_text() if cfg.exists() else None
    if current is None or (current.startswith(MARKER) and current != wanted):
        cfg.write_text(wanted)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


if __name__ == "__main__":
    from pipelines.config import load_settings

    print(ensure_dagster_home(load_settings().warehouse_dir))
