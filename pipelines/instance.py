"""The Dagster instance lives beside the warehouse, with telemetry off.

Runs and schedules use Dagster's default SQLite storage; the event log uses the same files
through `pipelines.event_log`, which keeps its database connections open for the run.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = "# Written by pipelines/instance.py."


def dagster_yaml(home: Path) -> str:
    # Dagster's default layout: events of each run in history/runs/<run id>.db beside the index.
    return f"""{MARKER}
event_log_storage:
  module: pipelines.event_log
  class: WarehouseEventLogStorage
  config:
    base_dir: {home / "history" / "runs"}
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
