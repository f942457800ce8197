"""The signal dashboard: one self-contained HTML file rendered from serving.duckdb."""

from __future__ import annotations

import os
from pathlib import Path

import altair as alt

from pipelines.dashboard.dbt_docs import DocsLinks
from pipelines.dashboard.page import build_page
from pipelines.dashboard.panels import render_charts
from pipelines.dashboard.queries import load_results, provenance

DASHBOARD_RELPATH = Path("dashboard") / "index.html"


def dashboard_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / DASHBOARD_RELPATH


def render_dashboard(serving_path: Path, out_path: Path, docs: DocsLinks | None = None) -> Path:
    """Reads serving.duckdb read-only and writes the page to out_path (replaced atomically).

    With `docs`, every source table name links to its column definitions in the dbt docs page.
    """
    results = load_results(serving_path)
    prov = provenance(results)
    # Daily series run past Altair's default 5,000-row guard; the page is meant to hold them.
    with alt.data_transformers.enable("default", max_rows=None):
        panels = render_charts(results, prov)
    html = build_page(results, prov, panels, out_path.parent, docs)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # A browser reloading the page mid-write must never get half a file.
    partial = out_path.with_name(f".{out_path.name}.partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, out_path)
    return out_path
