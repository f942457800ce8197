"""The Dagster instance lives beside the warehouse, with telemetry off."""

from __future__ import annotations

import os
from pathlib import Path

DAGSTER_YAML = """# Written by pipelines/instance.py.
telemetry:
  enabled: false
"""


def ensure_dagster_home(warehouse_dir: Path) -> Path:
    home = Path(os.environ.get("DAGSTER_HOME") or warehouse_dir / "dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


if __name__ == "__main__":
    from pipelines.config import load_settings

    print(ensure_dagster_home(load_settings().warehouse_dir))
