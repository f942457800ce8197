"""The dbt docs as one static page beside the dashboard, so a column's meaning is a click away.

`dbt docs generate --static` writes a single HTML file that opens without a server or network.
It is built from the prepared manifest with an empty catalog: the meanings come from the dbt
YAML, not the database, so generating it never opens the warehouse. It only changes when the
dbt project does, so it is rebuilt only when the manifest's digest changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dagster_dbt import DbtCliResource

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


def build_dbt_docs(dbt: DbtCliResource, manifest: Path, out_path: Path) -> bool:
    """Writes the static docs page to out_path; False when it was already current."""
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    stamp = out_path.with_name("manifest.sha256")
    if out_path.exists() and stamp.exists() and stamp.read_text() == digest:
        return False
    with tempfile.TemporaryDirectory(prefix="dbt-docs-") as tmp:
        target = Path(tmp)
        # --no-compile documents the manifest the code location was loaded from.
        shutil.copyfile(manifest, target / "manifest.json")
        dbt.cli(["docs", "generate", "--no-compile", "--empty-catalog", "--static"], target_path=target).wait()
        out_path.parent.mkdir(parents=True, exist_ok=True)
        partial = out_path.with_name(f".{out_path.name}.partial")
        shutil.copyfile(target / "static_index.html", partial)
        os.replace(partial, out_path)
    stamp.write_text(digest)
    return True
