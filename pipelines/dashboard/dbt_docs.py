"""The dbt docs as one static page beside the dashboard, so a column's meaning is a click away.

The page is what `dbt docs generate --static --empty-catalog` writes: dbt's own docs app (the
`index.html` dbt-core ships) with the manifest and an empty catalog inlined where the app
expects them. It is assembled here from the manifest the code location was loaded from,
without a dbt process: `dbt docs generate` would parse the whole project again (5 s) to
produce the same manifest. The meanings come from the dbt YAML, not the database, so the page
never opens the warehouse, and it is rebuilt only when the manifest's digest changes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

DOCS_RELPATH = Path("dbt_docs") / "index.html"


def dbt_docs_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / DOCS_RELPATH


@dataclass(frozen=True)
class DocsLinks:
    """Links from a page in `from_dir` to each model's entry in the static docs page."""

    page: Path
    project_name: str

    def href(self, relation: str, from_dir: Path) -> str:
        # dbt docs route to a model by its unique id; "marts.claims_audit" is model <project>.claims_audit.
        table = relation.split(".")[-1]
        return f"{Path(os.path.relpath(self.page, from_dir)).as_posix()}#!/model/model.{self.project_name}.{table}"


# Where dbt's docs app reads its data from; `dbt docs generate --static` replaces the same two.
MANIFEST_SLOT = '"MANIFEST.JSON INLINE DATA"'
CATALOG_SLOT = '"CATALOG.JSON INLINE DATA"'
CATALOG_SCHEMA = "https://schemas.getdbt.com/dbt/catalog/v1.json"


def dbt_docs_app() -> Path:
    """The docs app of the installed dbt-core (found without importing dbt)."""
    spec = importlib.util.find_spec("dbt")
    app = Path(next(iter(spec.submodule_search_locations))) / "task" / "docs" / "index.html"
    if not app.is_file():
        raise FileNotFoundError(f"dbt-core's docs app is not at {app}: has its layout changed?")
    return app


def empty_catalog(invocation_id: str) -> str:
    """A catalog with no tables (the page then shows the YAML's column types and meanings)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return json.dumps(
        {
            "metadata": {
                "dbt_schema_version": CATALOG_SCHEMA,
                "dbt_version": importlib.metadata.version("dbt-core"),
                "generated_at": now,
                "invocation_id": invocation_id,
                "invocation_started_at": now,
                "env": {},
            },
            "nodes": {},
            "sources": {},
            "errors": None,
        }
    )


def build_dbt_docs(manifest: Path, out_path: Path) -> bool:
    """Writes the static docs page to out_path; False when it was already current."""
    manifest_text = manifest.read_text(encoding="utf-8")
    digest = hashlib.sha256(manifest_text.encode("utf-8")).hexdigest()
    stamp = out_path.with_name("manifest.sha256")
    if out_path.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    # Stripped as dbt reads them, so the page is byte for byte the one dbt would write.
    app = dbt_docs_app().read_text(encoding="utf-8").strip()
    if app.count(MANIFEST_SLOT) != 1 or app.count(CATALOG_SLOT) != 1:
        raise ValueError(f"{dbt_docs_app()} does not hold the inline-data slots of dbt's static docs page")
    invocation_id = json.loads(manifest_text)["metadata"].get("invocation_id") or ""
    # str.replace, as dbt does: the manifest is JSON, so it is a valid JavaScript expression.
    page = app.replace(MANIFEST_SLOT, manifest_text.strip()).replace(CATALOG_SLOT, empty_catalog(invocation_id))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(f".{out_path.name}.partial")
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, out_path)
    stamp.write_text(digest)
    return True
