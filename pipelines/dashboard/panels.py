"""What the page shows, in order: each chart's question, source tables, query and builder.

Every chart carries a caption naming its source table(s), its as-of date (the latest date in
the rows it draws) and whether the data is the synthetic sample; a chart whose query returns
no rows becomes a note naming the empty table rather than an empty frame, and a chart drawn
without one of its optional layers says which table had no rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from pipelines.dashboard import charts
from pipelines.dashboard.queries import Provenance


@dataclass(frozen=True)
class ChartPanel:
    id: str
    title: str
    question: str
    # The first is the table of the first query: the one without which there is nothing to draw.
    sources: tuple[str, ...]
    # bi/sql query names feeding the builder, in the builder's argument order; the first
    # one's date column gives the as-of date.
    queries: tuple[str, ...]
    date_column: str
    build: Callable[..., alt.TopLevelMixin]
    wide: bool = False  # long time series read better across the full page width
    # Why the first query can come back empty, when a publication can lawfully lack its rows.
    empty_because: str = ""
    # Later queries whose rows are a layer the chart is drawn without: query name -> the note.
    optional: dict[str, str] = field(default_factory=dict)

    def empty_note(self) -> str:
        because = f" ({self.empty_because})" if self.empty_because else ""
        return f"No data: {self.sources[0]} has no rows to draw in this publication{because}."


@dataclass(frozen=True)
class RenderedPanel:
    id: str
    title: str
    question: str
    sources: tuple[str, ...]
    as_of: str
    spec: dict | None  # None: no rows to draw
    wide: bool
    notes: tuple[str, ...] = ()  # what is missing from the panel, and why


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
        "drawdowns",
        "Drawdowns of the small-cap benchmark",
        "How deep were the corrections of 20% or more, and were they followed by multi-month rebounds?",
        ("marts.benchmark_daily", "marts.drawdown_episodes"),
        ("19_benchmark_level", "20_drawdown_episodes"),
        "date",
        charts.drawdown_episodes,
        wide=True,
        optional={
            "20_drawdown_episodes": "No data: marts.drawdown_episodes has no rows in this publication "
            "(no decline deep enough): the level is drawn without shaded episodes."
        },
    ),
    ChartPanel(
        "volatility",
        "Volatility ratio, small / large",
        "Are small caps more volatile than large caps, and on how many days? Above 1.0: small moves more.",
        ("marts.volatility",),
        ("15_volatility",),
        "date",
        charts.volatility_ratio,
        wide=True,
    ),
    ChartPanel(
        "liquidity",
        "Liquidity of index members",
        "Do small caps face liquidity challenges: fewer dollars traded, and a larger price move per dollar?",
        ("marts.liquidity",),
        ("16_liquidity",),
        "as_of_date",
        charts.liquidity,
        empty_because="it needs the index members' daily bars with volume",
    ),
    ChartPanel(
        "universe-changes",
        "Small-cap universe: additions and removals",
        "Is the universe replenished: how many members join and leave at each snapshot, "
        "and how many left as M&A targets?",
        ("marts.universe_changes",),
        ("17_universe_changes",),
        "as_of_date",
        charts.universe_changes,
        empty_because="it needs index snapshots of the small-cap index",
    ),
    ChartPanel(
        "sector-returns",
        "Sector returns within the small-cap index",
        "Do defense, technology and healthcare lead the small-cap index? Each sector's 6-month return "
        "relative to the index, at the article's date and the latest (the claims audit names the sectors it read).",
        ("marts.sector_returns", "marts.claims_audit"),
        ("18_sector_returns",),
        "as_of_date",
        charts.sector_returns,
        wide=True,
        empty_because="it needs the index members' prices and weights",
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
        spec, notes = None, (panel.empty_note(),)
        if len(frames[0]):
            notes = tuple(note for name, note in panel.optional.items() if results[name].empty)
            # Six decimal places are more than a chart or tooltip shows; the rest only swells the page.
            frames = [frame.round(6) for frame in frames]
            # The title block is part of the chart, so an exported PNG still says where it came from.
            heading = charts.title(panel.title, caption(panel.sources, latest, prov))
            spec = panel.build(*frames).properties(title=heading).to_dict()
        rendered.append(
            RenderedPanel(panel.id, panel.title, panel.question, panel.sources, latest, spec, panel.wide, notes)
        )
    return rendered
