"""What the page shows, in order: each chart's question, source tables, query and builder.

Every chart carries a caption naming its source table(s), its as-of date (the latest date in
the rows it draws) and whether the data is the synthetic sample; a chart whose query returns
no rows becomes a note saying so rather than an empty frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd

from pipelines.dashboard import charts
from pipelines.dashboard.queries import Provenance


@dataclass(frozen=True)
class ChartPanel:
    id: str
    title: str
    question: str
    sources: tuple[str, ...]
    # bi/sql query names feeding the builder, in the builder's argument order; the first
    # one's date column gives the as-of date.
    queries: tuple[str, ...]
    date_column: str
    build: Callable[..., alt.TopLevelMixin]
    wide: bool = False  # long time series read better across the full page width


@dataclass(frozen=True)
class RenderedPanel:
    id: str
    title: str
    question: str
    sources: tuple[str, ...]
    as_of: str
    spec: dict | None  # None: no rows to draw
    wide: bool


CHARTS: tuple[ChartPanel, ...] = (
    ChartPanel(
        "trigger-history",
        "Trigger board and position signal over time",
        "When was each validation trigger met, pending or missed, and what did the signal say?",
        ("marts.triggers", "marts.position_signal"),
        ("02_trigger_history", "03_position_signal"),
        "as_of_date",
        charts.trigger_board_history,
        wide=True,
    ),
    ChartPanel(
        "claims-audit",
        "Claims audit",
        "Which of the article's claims does the data support or contradict?",
        ("marts.claims_audit",),
        ("04_claims_audit",),
        "as_of_date",
        charts.claims_verdicts,
    ),
    ChartPanel(
        "unprofitable-share",
        "Unprofitable companies",
        "Are nearly 40% of small caps unprofitable, counted by companies and by market cap?",
        ("marts.profitability",),
        ("06_unprofitable_share",),
        "as_of_date",
        charts.unprofitable_share,
    ),
    ChartPanel(
        "relative-strength",
        "Relative strength, small / large",
        "Have small caps lagged, and where were the 10% rally weeks and 8.5% five-day surges?",
        ("marts.relative_strength", "marts.benchmark_weekly", "marts.benchmark_daily"),
        ("05_relative_strength",),
        "date",
        charts.relative_strength,
        wide=True,
    ),
    ChartPanel(
        "valuation-discount",
        "Valuation discount and its history band",
        "Do small caps trade at a discount, and how deep is it against its own history?",
        ("marts.valuation_gap",),
        ("07_valuation_discount",),
        "as_of_date",
        charts.valuation_discount,
        wide=True,
    ),
    ChartPanel(
        "yield-beta",
        "Yield beta: small, large and spread",
        "How sensitive are small caps, large caps and their spread to the 10-year yield?",
        ("marts.yield_sensitivity",),
        ("08_yield_beta",),
        "date",
        charts.yield_beta,
    ),
    ChartPanel(
        "mna-activity",
        "M&A activity",
        "Is M&A targeting small caps tepid or accelerating?",
        ("marts.mna_activity",),
        ("12_mna_activity",),
        "month",
        charts.mna_activity,
    ),
    ChartPanel(
        "fund-losses",
        "Fund scorecard: funds with a year-to-date loss",
        "How many small-cap funds are down year to date?",
        ("marts.fund_scorecard",),
        ("10_fund_losses_history",),
        "as_of_date",
        charts.fund_losses_history,
    ),
    ChartPanel(
        "fund-returns",
        "Fund scorecard: year-to-date return per fund",
        "Which funds lost money, and how deep is the worst loss?",
        ("marts.fund_returns",),
        ("11_fund_returns_ytd",),
        "end_date",
        charts.fund_returns_ytd,
    ),
)


def data_label(prov: Provenance) -> str:
    return "SYNTHETIC sample data, not market data" if prov.synthetic else f"data source: {prov.source}"


def as_of(frame: pd.DataFrame, column: str) -> str:
    latest = frame[column].max() if len(frame) else None
    return "n/a" if latest is None or pd.isna(latest) else pd.Timestamp(latest).date().isoformat()


def caption(sources: tuple[str, ...], as_of_date: str, prov: Provenance) -> str:
    return f"Source: {', '.join(sources)} · as of {as_of_date} · {data_label(prov)}"


def render_charts(results: dict[str, pd.DataFrame], prov: Provenance) -> list[RenderedPanel]:
    rendered = []
    for panel in CHARTS:
        frames = [results[name] for name in panel.queries]
        latest = as_of(frames[0], panel.date_column)
        spec = None
        if len(frames[0]):
            # Six decimal places are more than a chart or tooltip shows; the rest only swells the page.
            frames = [frame.round(6) for frame in frames]
            # The title block is part of the chart, so an exported PNG still says where it came from.
            heading = charts.title(panel.title, caption(panel.sources, latest, prov))
            spec = panel.build(*frames).properties(title=heading).to_dict()
        rendered.append(RenderedPanel(panel.id, panel.title, panel.question, panel.sources, latest, spec, panel.wide))
    return rendered
