"""The signal dashboard: rendered from the sample run's serving.duckdb, opened in headless Chromium.

Set UPDATE_SCREENSHOTS=1 to refresh docs/screenshots/dashboard.png (the README's picture).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.dashboard import dashboard_path, render_dashboard
from pipelines.dashboard.dbt_docs import build_dbt_docs, dbt_docs_path
from pipelines.dashboard.panels import CHARTS
from tests.browser import Chromium
from tests.conftest import REPO, run_dbt

DOC_SCREENSHOT = REPO / "docs" / "screenshots" / "dashboard.png"
DOC_SCREENSHOT_MAX_BYTES = 300_000
SYNTHETIC_LABEL = "SYNTHETIC sample data"

# Per chart container: how many data marks Vega drew (SVG elements inside role-mark groups,
# axes and legends excluded) and the chart's own text (its title block).
CHART_STATE_JS = """
[...document.querySelectorAll('.chart')].map(el => ({
  id: el.id,
  svg: el.querySelector('svg') !== null,
  marks: [...el.querySelectorAll('svg g.role-mark > *')]
           .filter(m => m.tagName !== 'path' || (m.getAttribute('d') || '').length > 0).length,
  text: el.querySelector('svg') ? el.querySelector('svg').textContent : '',
}))
"""


@pytest.fixture(scope="module")
def page(sample_warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dashboard") / "index.html"
    return render_dashboard(sample_warehouse / "serving.duckdb", out)


def chart_specs(html: str) -> dict[str, dict]:
    raw = re.search(r'<script type="application/json" id="chart-specs">(.*?)</script>', html, re.S).group(1)
    return json.loads(raw)


class _Links(HTMLParser):
    """Every src/href attribute of the page's elements (script bodies are not markup)."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.links += [(tag, value) for name, value in attrs if name in ("src", "href")]


def links(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def test_dashboard_is_one_file_with_every_script_inlined(page):
    html = page.read_text()
    assert links(html) == [], "no element loads or links anything (the dbt docs links need a docs page)"
    assert "vegaEmbed" in html, "the Vega-Embed bundle is in the page"
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis", "import("):
        assert cdn not in html, f"{cdn} found in the page"


def test_every_chart_names_its_source_as_of_date_and_synthetic_data(page):
    specs = chart_specs(page.read_text())
    assert set(specs) == {p.id for p in CHARTS}, "the sample has rows for every chart"
    for panel in CHARTS:
        subtitle = " ".join(specs[panel.id]["title"]["subtitle"])
        assert all(source in subtitle for source in panel.sources), (panel.id, subtitle)
        assert re.search(r"as of \d{4}-\d{2}-\d{2}", subtitle), (panel.id, subtitle)
        assert SYNTHETIC_LABEL in subtitle, (panel.id, subtitle)


def test_charts_draw_marks_in_chromium_without_errors_or_network(page, tmp_path):
    started = time.monotonic()
    with Chromium(width=1400, height=900) as browser:
        tab = browser.open(page.as_uri())
        status = tab.wait_for("document.body.dataset.charts", timeout=90)
        charts = tab.evaluate(CHART_STATE_JS)
        shot = tab.screenshot(tmp_path / "dashboard.png", width=1400)
        small = tab.screenshot(tmp_path / "dashboard-small.png", width=1400, scale=0.45)
        errors, requests = tab.errors(), tab.requested_urls()
        tab.close()
    print(f"browser test: {time.monotonic() - started:.1f}s; screenshot {shot}")
    assert status == "rendered", errors
    assert errors == []
    assert {u for u in requests if not u.startswith(("file:", "data:", "blob:"))} == set(), "the page used the network"
    assert [c["id"] for c in charts] == [f"chart-{p.id}" for p in CHARTS]
    for chart in charts:
        assert chart["svg"] and chart["marks"] > 0, chart["id"]
        assert "Source: marts." in chart["text"] and "as of" in chart["text"] and SYNTHETIC_LABEL in chart["text"], (
            chart["id"]
        )
    assert shot.stat().st_size > 50_000, "a rendered page, not a blank one"
    if os.environ.get("UPDATE_SCREENSHOTS"):
        assert small.stat().st_size < DOC_SCREENSHOT_MAX_BYTES, small.stat().st_size
        DOC_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(small, DOC_SCREENSHOT)


def test_rendering_only_reads_serving_duckdb(sample_warehouse, tmp_path):
    serving = sample_warehouse / "serving.duckdb"
    before = serving.stat().st_mtime_ns
    # Another reader holds the file: a read-write open by the renderer would fail on its lock.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print('open', flush=True); time.sleep(120)",
            str(serving),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        render_dashboard(serving, tmp_path / "index.html")
    finally:
        holder.kill()
        holder.wait()
    assert serving.stat().st_mtime_ns == before


def test_a_mart_without_rows_gives_a_note_not_an_empty_chart(sample_warehouse, tmp_path):
    serving = tmp_path / "serving.duckdb"
    shutil.copyfile(sample_warehouse / "serving.duckdb", serving)
    with duckdb.connect(str(serving)) as con:
        con.execute("DELETE FROM marts.mna_activity")
    html = render_dashboard(serving, tmp_path / "index.html").read_text()
    assert "mna-activity" not in chart_specs(html)
    section = html[html.index('id="panel-mna-activity"') :]
    assert "No rows to draw in this publication." in section[: section.index("</section>")]


def test_the_pipeline_renders_the_dashboard_and_links_it_in_dagster(sample_warehouse):
    page = dashboard_path(sample_warehouse)
    assert page.exists(), "the serving/dashboard asset runs in warehouse_job"
    hrefs = {value for tag, value in links(page.read_text()) if tag == "a"}
    assert "../dbt_docs/index.html#!/model/model.smallcap_warehouse.claims_audit" in hrefs
    assert all(
        (page.parent / href.split("#")[0]).resolve() == dbt_docs_path(sample_warehouse).resolve() for href in hrefs
    )
    assert dbt_docs_path(sample_warehouse).stat().st_size > 100_000, "the static dbt docs page is there"
    with dg.DagsterInstance.from_config(str(sample_warehouse / "dagster_home")) as instance:
        latest = instance.fetch_materializations(dg.AssetKey(["serving", "dashboard"]), limit=1).records
    metadata = latest[0].asset_materialization.metadata
    assert metadata["path"].value == str(page)
    assert metadata["open"].value == page.resolve().as_uri()


CATALOG_JSON = re.compile(
    r'\{"metadata": \{"dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1\.json".*?"errors": null\}'
)


def test_docs_page_is_the_one_dbt_docs_generate_writes(tmp_path):
    """The page made without a dbt process equals dbt's own static page for the same manifest,
    byte for byte apart from the catalog's timestamps and invocation id."""
    target = tmp_path / "target"
    target.mkdir()
    # With --no-compile, dbt inlines the manifest it finds in the target folder.
    shutil.copyfile(REPO / "dbt_project" / "target" / "manifest.json", target / "manifest.json")
    run_dbt(
        tmp_path / "wh",
        "docs",
        "generate",
        "--no-compile",
        "--empty-catalog",
        "--static",
        "--target-path",
        str(target),
        "--quiet",
    )
    ours = tmp_path / "ours" / "index.html"
    assert build_dbt_docs(target / "manifest.json", ours)
    assert not build_dbt_docs(target / "manifest.json", ours), "an unchanged manifest does not rebuild the page"

    theirs_html, ours_html = (target / "static_index.html").read_text(), ours.read_text()
    [theirs_catalog], [our_catalog] = CATALOG_JSON.findall(theirs_html), CATALOG_JSON.findall(ours_html)
    assert CATALOG_JSON.sub("CATALOG", ours_html) == CATALOG_JSON.sub("CATALOG", theirs_html)
    varying = ("generated_at", "invocation_id", "invocation_started_at")
    theirs_catalog, our_catalog = json.loads(theirs_catalog), json.loads(our_catalog)
    for catalog in (theirs_catalog, our_catalog):
        for key in varying:
            catalog["metadata"].pop(key)
    assert our_catalog == theirs_catalog


def test_docs_page_shows_a_models_meaning_in_chromium(sample_warehouse):
    docs = dbt_docs_path(sample_warehouse)
    manifest = json.loads((REPO / "dbt_project" / "target" / "manifest.json").read_text())
    model = manifest["nodes"]["model.smallcap_warehouse.claims_audit"]
    column, meaning = next((c["name"], c["description"]) for c in model["columns"].values() if c["description"])
    with Chromium(width=1400, height=900) as browser:
        tab = browser.open(docs.as_uri() + "#!/model/model.smallcap_warehouse.claims_audit")
        shown = tab.wait_for(f"document.body.innerText.includes({json.dumps(meaning)})", timeout=90)
        text, errors = tab.evaluate("document.body.innerText"), tab.errors()
        tab.close()
    assert shown, (column, text[:2000], errors)
    assert "claims_audit" in text


def test_the_vega_bundle_is_made_once_per_environment_else_once_per_warehouse(tmp_path, monkeypatch):
    from pipelines.dashboard import page as page_module

    prepared, beside_page = tmp_path / "env-share", tmp_path / "warehouse" / "dashboard"
    monkeypatch.setattr(page_module, "PREPARED_DIR", prepared)
    made = []
    real = page_module.vl_convert.javascript_bundle
    monkeypatch.setattr(page_module.vl_convert, "javascript_bundle", lambda **kw: made.append(kw) or real(**kw))

    # Not prepared: made on the first render, beside the page, then read from there.
    first = page_module.vega_bundle(beside_page)
    assert page_module.vega_bundle(beside_page) == first and len(made) == 1
    assert [p.name for p in beside_page.iterdir()] == [page_module._bundle_name()[0]]

    # Prepared (make prepare): every warehouse reads it and writes nothing of its own.
    path = page_module.prepare_vega_bundle()
    assert path.parent == prepared and path.read_text() == first and len(made) == 2
    other = tmp_path / "other" / "dashboard"
    assert page_module.vega_bundle(other) == first and not other.exists() and len(made) == 2
    assert "vegaEmbed" in first
