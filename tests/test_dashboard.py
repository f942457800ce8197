"""The signal dashboard: rendered from the sample run's serving.duckdb, opened in headless Chromium,
and from small hand-made serving files (every mart of the dbt manifest with its contract's
columns, holding only the rows a test writes) for what the sample cannot show: empty marts,
claims no source can check.

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
import pandas as pd
import pytest

from pipelines.dashboard import dashboard_path, render_dashboard
from pipelines.dashboard.charts import VERDICT_COLORS
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


def section(html: str, section_id: str) -> str:
    """The markup of one <section> of the page, by its id."""
    start = html.index(f'<section id="{section_id}"')
    return html[start : html.index("</section>", start)]


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
        small = tab.screenshot(tmp_path / "dashboard-small.png", width=1400, scale=0.33)
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
    assert "No data: marts.mna_activity has no rows to draw in this publication." in section(html, "panel-mna-activity")


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


# ---- Hand-made serving files: the page on rows written by the test, no pipeline run. ----

MANIFEST = REPO / "dbt_project" / "target" / "manifest.json"
NEW_PANELS = {
    "volatility": "marts.volatility",
    "liquidity": "marts.liquidity",
    "universe-changes": "marts.universe_changes",
    "sector-returns": "marts.sector_returns",
    "drawdowns": "marts.drawdown_episodes",
}
LATEST = "2026-03-31"


def hand_made_serving(path: Path, rows: dict[str, pd.DataFrame]) -> Path:
    """A serving.duckdb as publish.py lays it out: every mart of the dbt manifest with its
    contract's columns and types (so a query naming a column the mart lacks fails here too), empty
    but for `rows` (table -> frame, columns by name), plus publish_info and quality_results."""
    if not MANIFEST.exists():
        pytest.fail("dbt manifest missing: run `make prepare` first")
    marts = {
        node["name"]: node["columns"]
        for node in json.loads(MANIFEST.read_text())["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    missing = set(rows) - set(marts)
    assert not missing, f"not marts of the manifest (run `make prepare` after the models change): {missing}"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        for name, columns in marts.items():
            typed = ", ".join(f"{column} {meta['data_type']}" for column, meta in columns.items())
            con.execute(f"CREATE TABLE marts.{name} ({typed})")
        con.execute(
            "CREATE TABLE marts.publish_info AS SELECT 'hand-made' AS run_id, TIMESTAMP '2026-04-01 06:00' AS "
            "published_at, 'sample' AS source, true AS synthetic"
        )
        con.execute(
            "CREATE TABLE marts.quality_results (run_id VARCHAR, checked_at TIMESTAMP, dataset VARCHAR, "
            "check_name VARCHAR, passed BOOLEAN, severity VARCHAR, observed VARCHAR, detail VARCHAR)"
        )
        for name, frame in rows.items():
            con.register("frame", frame)
            con.execute(f"INSERT INTO marts.{name} BY NAME SELECT * FROM frame")
            con.unregister("frame")
    return path


def small_benchmark() -> pd.DataFrame:
    """300 sessions to LATEST: 90 falling 0.4% a day (a 30% decline), then rising 0.1% a day."""
    dates = pd.bdate_range(end=LATEST, periods=300)
    returns = [None] + [-0.004] * 90 + [0.001] * 209
    return pd.DataFrame({"role": "small", "symbol": "IWM", "date": dates, "return_1d": returns})


def new_marts() -> dict[str, pd.DataFrame]:
    days = pd.bdate_range(end=LATEST, periods=5)
    bench = small_benchmark()
    return {
        "benchmark_daily": bench,
        "volatility": pd.DataFrame(
            {"date": days, "small_vol_63d": 0.24, "large_vol_63d": 0.2, "ratio": 1.2, "small_obs": 63, "large_obs": 63}
        ),
        "liquidity": pd.DataFrame(
            {
                "index_role": ["small", "small", "large", "large"],
                "index_id": ["R2000", "R2000", "SP500", "SP500"],
                "as_of_date": pd.to_datetime(["2026-02-27", LATEST] * 2),
                "members": [300, 298, 100, 98],
                "members_with_volume": [290, 291, 100, 98],
                "median_dollar_volume": [4.1e6, 3.9e6, 3.2e8, 3.0e8],
                "median_amihud": [0.08, 0.09, 0.0008, 0.0009],
            }
        ),
        "universe_changes": pd.DataFrame(
            {
                "index_role": ["small", "small", "small", "large"],
                "index_id": ["R2000", "R2000", "R2000", "SP500"],
                "as_of_date": pd.to_datetime(["2025-09-30", "2025-12-31", LATEST, LATEST]),
                "previous_as_of_date": pd.to_datetime([None, "2025-09-30", "2025-12-31", "2025-12-31"]),
                "members": [300, 301, 298, 98],
                "additions": [None, 4, 1, 9],
                "removals": [None, 3, 4, 9],
                "removals_mna": [None, 2, 0, 1],
            }
        ),
        # A month-end before the article's date, the article's date, the latest; and a large-index row.
        "sector_returns": pd.DataFrame(
            {
                "index_role": ["small"] * 6 + ["large"],
                "sector": ["Technology", "Health Care"] * 3 + ["Technology"],
                "as_of_date": pd.to_datetime(["2025-11-28"] * 2 + ["2025-12-09"] * 2 + [LATEST] * 3),
                "members": [40, 45, 42, 45, 41, 44, 20],
                "return_6m": [0.1, 0.0, 0.12, -0.01, 0.05, 0.08, 0.2],
                "index_return_6m": [0.03] * 6 + [0.1],
                "relative_6m": [0.07, -0.03, 0.09, -0.04, 0.02, 0.05, 0.1],
            }
        ),
        # Not recovered by the end of the data: its recovery span runs to the last session.
        "drawdown_episodes": pd.DataFrame(
            {
                "role": ["small", "large"],
                "symbol": ["IWM", "SPY"],
                "peak_date": [bench.date[0], bench.date[0]],
                "trough_date": [bench.date[90], bench.date[50]],
                "depth": [-0.3034, -0.21],
                "rebound_6m": [0.13, 0.1],
                "rebound_date": [bench.date[215], bench.date[175]],
                "recovery_date": [pd.NaT, bench.date[250]],
                "trading_days_to_trough": [90, 50],
                "is_recovered": [False, True],
            }
        ),
    }


def claims() -> pd.DataFrame:
    rows = [
        ("sector_leaders", "mixed", 2.0, None),
        ("ytd_lag", "contradicted", 0.05, None),
        ("call_options_spike", "not_checkable", None, "Needs option volume by underlying; no free source has it"),
    ]
    return pd.DataFrame(
        [
            {
                "claim_id": claim_id,
                "claim_text": f"The article's words for {claim_id}",
                "metric": "m",
                "value": value,
                "threshold": "t",
                "verdict": verdict,
                "reason": reason,
                "as_of_date": pd.Timestamp(day),
            }
            for claim_id, verdict, value, reason in rows
            for day in ("2025-12-09", LATEST)
        ]
    )


def datasets(spec: dict) -> list[dict]:
    """Every row of every dataset inlined in a chart's spec."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def test_each_new_mart_has_a_panel_naming_its_table_and_as_of_date(tmp_path):
    serving = hand_made_serving(tmp_path / "serving.duckdb", {**new_marts(), "claims_audit": claims()})
    page = render_dashboard(serving, tmp_path / "index.html")
    html = page.read_text()
    specs = chart_specs(html)
    for panel_id, table in NEW_PANELS.items():
        subtitle = " ".join(specs[panel_id]["title"]["subtitle"])
        assert table in subtitle and f"as of {LATEST}" in subtitle and SYNTHETIC_LABEL in subtitle, subtitle
        assert table in section(html, f"panel-{panel_id}")
        assert "No data" not in section(html, f"panel-{panel_id}")

    # Sector bars: the small index at the article's date and the latest, not the month-end before it.
    shown = {(r["as_of_date"][:10], r["view"], r["sector"]) for r in datasets(specs["sector-returns"]) if "sector" in r}
    assert shown == {
        (day, view, sector)
        for day, view in (("2025-12-09", "article date"), (LATEST, "latest"))
        for sector in ("Technology", "Health Care")
    }
    # Universe: the first snapshot has no bars; M&A removals go below zero apart from the others.
    bars = [r for r in datasets(specs["universe-changes"]) if "kind" in r]
    assert {r["as_of_date"][:10] for r in bars} == {"2025-12-31", LATEST}
    assert {(r["as_of_date"][:10], r["kind"], r["count"]) for r in bars if r["count"]} == {
        ("2025-12-31", "additions", 4),
        ("2025-12-31", "removals (M&A target)", -2),
        ("2025-12-31", "removals (other)", -1),
        (LATEST, "additions", 1),
        (LATEST, "removals (other)", -4),
    }
    # Drawdowns: the small benchmark's episode only, its recovery span open to the last session.
    spans = {(r["phase"], r["start"][:10], r["end"][:10]) for r in datasets(specs["drawdowns"]) if "phase" in r}
    bench = small_benchmark()
    peak, trough = (d.date().isoformat() for d in (bench.date[0], bench.date[90]))
    assert spans == {("decline", peak, trough), ("not recovered yet", trough, LATEST)}
    assert '"text": {"field": "depth"' in json.dumps(specs["drawdowns"]), "the depth is written on the chart"
    # Volatility: the ratio against a reference line at 1.0.
    assert {"ratio": 1.0} in datasets(specs["volatility"])

    with Chromium(width=1400, height=900) as browser:
        tab = browser.open(page.as_uri())
        status = tab.wait_for("document.body.dataset.charts", timeout=90)
        drawn = {c["id"]: c["marks"] for c in tab.evaluate(CHART_STATE_JS)}
        errors = tab.errors()
        tab.close()
    assert status == "rendered" and errors == [], errors
    assert all(drawn[f"chart-{panel_id}"] > 0 for panel_id in NEW_PANELS), drawn


def test_a_claim_no_source_can_check_is_greyed_with_its_reason_not_failed(tmp_path):
    serving = hand_made_serving(tmp_path / "serving.duckdb", {"claims_audit": claims()})
    html = render_dashboard(serving, tmp_path / "index.html").read_text()
    table = section(html, "claims-table")
    row = lambda claim_id: table[table.index(f'<tr id="claim-{claim_id}"') :].split("</tr>")[0]  # noqa: E731

    unchecked = row("call_options_spike")
    assert unchecked.startswith('<tr id="claim-call_options_spike" class="unjudged">')
    assert "not checkable: Needs option volume by underlying; no free source has it" in unchecked
    assert unchecked.count(">not_checkable</span>") == 2, "its verdict at both audit dates"
    failure, neutral = VERDICT_COLORS["contradicted"], VERDICT_COLORS["mixed"]
    assert failure not in unchecked
    assert failure in row("ytd_lag") and 'class="unjudged"' not in row("ytd_lag")
    assert f"background:{neutral}" in row("sector_leaders") and failure not in row("sector_leaders")
    assert 'class="unjudged"' not in row("sector_leaders")
    # The claims chart draws every verdict in its own colour and shows the reason on hover.
    encoding = chart_specs(html)["claims-audit"]["layer"][0]["encoding"]
    assert encoding["color"]["scale"]["domain"] == list(VERDICT_COLORS)
    assert {"field": "reason", "type": "nominal"} in encoding["tooltip"]


def test_empty_new_marts_give_a_no_data_note_not_a_chart(tmp_path):
    # Real data without member prices: liquidity has its snapshots' members but none with volume,
    # and no sector returns; the other new marts are empty too.
    unmeasured = pd.DataFrame(
        {"index_role": ["small", "large"], "index_id": ["R2000", "SP500"], "as_of_date": pd.Timestamp(LATEST)}
    ).assign(members=[300, 100], members_with_volume=0, median_dollar_volume=None, median_amihud=None)
    serving = hand_made_serving(
        tmp_path / "serving.duckdb", {"benchmark_daily": small_benchmark(), "liquidity": unmeasured}
    )
    html = render_dashboard(serving, tmp_path / "index.html").read_text()
    specs = chart_specs(html)
    for panel_id, table in NEW_PANELS.items():
        if panel_id == "drawdowns":
            continue
        assert panel_id not in specs
        assert f"No data: {table} has no rows to draw in this publication" in section(html, f"panel-{panel_id}")
    # The benchmark's level still draws; the missing episodes are named under it.
    assert "drawdowns" in specs
    assert "No data: marts.drawdown_episodes has no rows in this publication" in section(html, "panel-drawdowns")
    assert not [r for r in datasets(specs["drawdowns"]) if "phase" in r]
