"""Private internals of other libraries are used in pipelines/compat.py only (issue #17).

A maintainer upgrading Dagster, dagster-dbt or Great Expectations then has one file to re-check,
and `WAREHOUSE_COMPAT_SHIMS=off` to run everything on the libraries as shipped
(tests/test_reproducible_marts.py publishes the sample that way and compares the marts).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipelines", "data_quality")
ALLOWED = {REPO / "pipelines" / "compat.py"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path) -> list[str]:
    """Imports of a private module or name, and `module._name` on an imported module or name,
    whichever library it is (our own modules' private names are theirs to use alone, too)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    imported: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if any(_private(part) for part in alias.name.split(".")):
                    found.append(f"{path.name}:{node.lineno} import {alias.name}")
                imported.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            module = node.module or ""
            if any(_private(part) for part in module.split(".")):
                found.append(f"{path.name}:{node.lineno} from {module} import ...")
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.name}:{node.lineno} from {module} import {alias.name}")
                imported.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return sorted(found, key=lambda use: int(use.split(" ", 1)[0].rpartition(":")[2]))


def test_no_private_name_of_another_module_outside_compat():
    files = [p for package in PACKAGES for p in sorted((REPO / package).rglob("*.py")) if p not in ALLOWED]
    assert len(files) > 40
    found = [use for path in files for use in private_uses(path)]
    assert not found, "private names used outside pipelines/compat.py:\n  " + "\n  ".join(found)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import atexit\nfrom dagster._core.storage import sql\nfrom engine import _PERSISTED\n"
        "import great_expectations.execution_engine.sqlalchemy_execution_engine as engine\n"
        "atexit._run_exitfuncs()\nengine._PERSISTED_CONNECTION_DIALECTS = ()\nself._mine = 1\n"
        "x = 'r._source_file'\n"
    )
    found = private_uses(sample)
    assert [f.split(" ", 1)[0] for f in found] == ["sample.py:2", "sample.py:3", "sample.py:5", "sample.py:6"]


def test_data_quality_imports_nothing_from_pipelines():
    """The checks are a library the pipeline calls: the contract, settings and shims reach them
    as arguments (pipelines/raw_gates.py binds them), so the two packages form no import cycle."""
    found = []
    for path in sorted((REPO / "data_quality").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            found += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] == "pipelines"]
    assert not found, "data_quality imports pipelines:\n  " + "\n  ".join(found)
