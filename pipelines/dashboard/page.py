"""The HTML page: tables for the board, signal, claims and scorecard, the charts' specs, and the
Vega JavaScript inlined, so the one file opens anywhere without a network."""

from __future__ import annotations

import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path

import altair as alt
import jinja2
import pandas as pd
import vl_convert
from markupsafe import Markup, escape

from pipelines.dashboard.charts import STATUS_COLORS, VERDICT_COLORS
from pipelines.dashboard.dbt_docs import DocsLinks
from pipelines.dashboard.panels import RenderedPanel, as_of, data_label
from pipelines.dashboard.queries import Provenance

TEMPLATES = Path(__file__).parent / "templates"
BADGE_COLORS = {**STATUS_COLORS, **VERDICT_COLORS}
# Badges are white on colour, but for light ones (a greyed-out verdict) that would not read.
BADGE_TEXT_COLORS = {"not_checkable": "#616161"}
# Verdicts that are no verdict from data: their rows are greyed out with the reason.
UNJUDGED = "not_checkable"
# Real histories carry hundreds of flagged stretches: the page lists the newest, the mart has all.
FLAGS_SHOWN = 50


# Where `make prepare` leaves the bundle: inside the environment whose packages it is built from.
PREPARED_DIR = Path(sys.prefix) / "share" / "smallcap-warehouse"


def _bundle_name() -> tuple[str, str]:
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f".vega-bundle-vlconvert{vl_convert.__version__}-vl{major}.{minor}.js", f"{major}.{minor}"


def _write_bundle(path: Path, vl_version: str) -> str:
    bundle = vl_convert.javascript_bundle(vl_version=vl_version)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(bundle, encoding="utf-8")
    partial.replace(path)
    return bundle


def prepare_vega_bundle() -> Path:
    """Build the bundle once per environment, at build time (`make prepare`), like the dbt manifest."""
    name, vl_version = _bundle_name()
    path = PREPARED_DIR / name
    if not path.exists():
        _write_bundle(path, vl_version)
    return path


def vega_bundle(cache_dir: Path) -> str:
    """Vega-Embed with the Vega and Vega-Lite versions Altair writes its specs for.

    Bundling takes about 1.5 s and its result depends only on the two pinned versions, so it is
    read from a file whose name carries both: the one `make prepare` made for this environment,
    else one made beside the page on the first render.
    """
    name, vl_version = _bundle_name()
    for cached in (PREPARED_DIR / name, cache_dir / name):
        if cached.exists():
            return cached.read_text(encoding="utf-8")
    return _write_bundle(cache_dir / name, vl_version)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _num(value) -> str:
    return "–" if _missing(value) else f"{value:.4g}"


def _pct(value) -> str:
    return "–" if _missing(value) else f"{value:.1%}"


def _day(value) -> str:
    return "–" if _missing(value) else pd.Timestamp(value).date().isoformat()


def _detail(value) -> str:
    """A trigger's JSON detail as `key: value` pairs, numbers shortened."""
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return "" if _missing(value) else str(value)
    if not isinstance(parsed, dict):
        return str(parsed)
    return "; ".join(f"{k}: {_num(v) if isinstance(v, float) else v}" for k, v in parsed.items())


def _badge(value) -> Markup:
    color, text = BADGE_COLORS.get(value, "#607d8b"), BADGE_TEXT_COLORS.get(value, "#fff")
    return Markup(f'<span class="badge" style="background:{color};color:{text}">{escape(value)}</span>')


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.filters.update(num=_num, pct=_pct, day=_day, badge=_badge, detail=_detail)
    return env


def _specs_json(panels: list[RenderedPanel]) -> str:
    specs = {p.id: p.spec for p in panels if p.spec is not None}
    # Inside a <script> element "</" would end it early; "<\/" is the same JSON string.
    return json.dumps(specs, separators=(",", ":")).replace("</", "<\\/")


def _latest_signal(signals: pd.DataFrame) -> dict | None:
    if signals.empty:
        return None
    row = signals.iloc[0]  # the query orders newest first
    reasons = [r.strip() for r in str(row.reasons or "").split(",") if r.strip()]
    return {"signal": row.signal, "as_of_date": row.as_of_date, "reasons": reasons}


def _claims_side_by_side(claims: pd.DataFrame) -> tuple[list[str], list[dict]]:
    """One row per claim, with its value and verdict at each audit date side by side.

    A claim no free source can check is greyed out (`unjudged`) with its reason(s), so it never
    reads as a failure; its cells keep the verdict, the reason in their tooltip."""
    dates = sorted({_day(d) for d in claims.as_of_date})
    rows: dict[str, dict] = {}
    for c in claims.sort_values(["claim_id", "as_of_date"]).to_dict("records"):
        row = rows.setdefault(
            c["claim_id"],
            {
                "claim_id": c["claim_id"],
                "claim_text": c["claim_text"],
                "metric": c["metric"],
                "threshold": c["threshold"],
                "by_date": {},
                "reasons": [],
            },
        )
        reason = None if _missing(c["reason"]) else str(c["reason"])
        row["by_date"][_day(c["as_of_date"])] = {"value": c["value"], "verdict": c["verdict"], "reason": reason}
        if reason and reason not in row["reasons"]:
            row["reasons"].append(reason)
    for row in rows.values():
        row["unjudged"] = all(cell["verdict"] == UNJUDGED for cell in row["by_date"].values())
    return dates, list(rows.values())


def build_page(
    results: dict[str, pd.DataFrame],
    prov: Provenance,
    panels: list[RenderedPanel],
    page_dir: Path,
    docs: DocsLinks | None,
) -> str:
    board, signals = results["01_trigger_board"], results["03_position_signal"]
    claims, scorecard = results["04_claims_audit"], results["09_fund_scorecard"]
    flags = results["14_flagged_history"]
    return (
        _environment()
        .get_template("dashboard.html.j2")
        .render(
            prov=prov,
            data_label=data_label(prov),
            rendered_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            trigger_board=board.to_dict("records"),
            signal=_latest_signal(signals),
            claims=_claims_side_by_side(claims),
            scorecard=scorecard.to_dict("records"),
            flags=flags.to_dict("records"),
            flags_shown=FLAGS_SHOWN,
            as_of={
                "board": as_of(board, "as_of_date"),
                "signal": as_of(signals, "as_of_date"),
                "claims": as_of(claims, "as_of_date"),
                "scorecard": as_of(scorecard, "as_of_date"),
                "flags": as_of(flags, "date_to"),
            },
            # A source table links to its column definitions when the dbt docs page is there.
            docs_href=(lambda relation: docs.href(relation, page_dir)) if docs else None,
            panels=panels,
            specs_json=_specs_json(panels),
            vega_bundle=vega_bundle(page_dir),
        )
    )
