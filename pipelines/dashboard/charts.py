"""One Vega-Lite chart (via Altair) per dashboard question, built from a ready-made query's rows.

Each builder takes its queries' DataFrames and returns the chart; panels.py adds the title
block that names the source table, the as-of date and whether the data is synthetic.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH = "container"
HEIGHT = 220

# One meaning, one colour, across every chart and table of the page.
STATUS_COLORS = {
    "met": "#2e7d32",
    "not_met": "#9e9e9e",
    "pending": "#f9a825",
    "missed": "#c62828",
    "increase": "#2e7d32",
    "hold": "#9e9e9e",
    "reassess": "#ef6c00",
}
VERDICT_COLORS = {
    "supported": "#2e7d32",
    "contradicted": "#c62828",
    # True of some of the things a claim names: neither a pass nor a failure.
    "mixed": "#ffa000",
    "insufficient_data": "#9e9e9e",
    # No free source holds the data: greyed out, never styled as a failure.
    "not_checkable": "#e0e0e0",
}
ROLE_COLORS = {"small": "#1565c0", "large": "#6d4c41", "spread": "#8e24aa"}


def _scale(colors: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def title(text: str, subtitle: str) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=[subtitle], anchor="start", subtitleColor="#555")


def trigger_board_history(triggers: pd.DataFrame, signal: pd.DataFrame) -> alt.Chart:
    """Each trigger's status and the position signal at every as-of date, one row each."""
    rows = pd.concat(
        [
            triggers.rename(columns={"trigger_id": "row"})[["row", "as_of_date", "status"]],
            signal.assign(row="position signal").rename(columns={"signal": "status"})[["row", "as_of_date", "status"]],
        ],
        ignore_index=True,
    )
    return (
        alt.Chart(rows, width=WIDTH, height=HEIGHT)
        .mark_tick(thickness=4, size=22)
        .encode(
            x=alt.X("as_of_date:T", title="as-of date"),
            y=alt.Y("row:N", title=None, sort=[*sorted(triggers.trigger_id.unique()), "position signal"]),
            color=alt.Color("status:N", title="status / signal", scale=_scale(STATUS_COLORS)),
            tooltip=["row:N", alt.Tooltip("as_of_date:T", title="as of"), "status:N"],
        )
    )


def claims_verdicts(claims: pd.DataFrame) -> alt.LayerChart:
    """Verdict per claim and audit date, with the computed value written in the cell."""
    base = alt.Chart(claims, width=WIDTH, height=alt.Step(26)).encode(
        x=alt.X("yearmonthdate(as_of_date):O", title="audit date"),
        y=alt.Y("claim_id:N", title=None),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("verdict:N", scale=_scale(VERDICT_COLORS)),
        tooltip=[
            "claim_text:N",
            "metric:N",
            alt.Tooltip("value:Q", format=".4~g"),
            "threshold:N",
            "verdict:N",
            "reason:N",
        ],
    )
    values = (
        base.transform_filter("isValid(datum.value)")
        .mark_text(color="white", fontWeight="bold")
        .encode(text=alt.Text("value:Q", format=".3~g"))
    )
    return alt.layer(cells, values)


def relative_strength(rs: pd.DataFrame) -> alt.LayerChart:
    """The small/large ratio, with rally weeks as bands and 5-day surges as points."""
    markers = {"rally week (WoW at/above threshold)": "#ffb300", "5-day surge": "#d81b60"}
    base = alt.Chart(rs, width=WIDTH, height=HEIGHT + 40)
    rally = (
        base.transform_filter("isValid(datum.rally_week_start)")
        .transform_calculate(marker=f"'{list(markers)[0]}'")
        .mark_rect(opacity=0.5)
        .encode(
            x="rally_week_start:T",
            x2="date:T",
            color=alt.Color("marker:N", title="marked", scale=_scale(markers)),
            tooltip=[
                alt.Tooltip("date:T", title="week ending"),
                alt.Tooltip("rally_wow_return:Q", title="WoW", format=".1%"),
            ],
        )
    )
    line = base.mark_line(color=ROLE_COLORS["small"], strokeWidth=1.5).encode(
        x=alt.X("date:T", title=None),
        y=alt.Y("ratio:Q", title="small / large (rebased to 1)", scale=alt.Scale(zero=False)),
        tooltip=[
            alt.Tooltip("date:T"),
            alt.Tooltip("ratio:Q", format=".3f"),
            alt.Tooltip("drawdown_from_peak:Q", format=".1%"),
            alt.Tooltip("peak_date:T"),
        ],
    )
    surges = (
        base.transform_filter("isValid(datum.surge_return_5d)")
        .transform_calculate(marker=f"'{list(markers)[1]}'")
        .mark_point(filled=True, size=45)
        .encode(
            x="date:T",
            y="ratio:Q",
            color=alt.Color("marker:N", scale=_scale(markers)),
            tooltip=[
                alt.Tooltip("date:T", title="5 days ending"),
                alt.Tooltip("surge_return_5d:Q", title="5-day return", format=".1%"),
            ],
        )
    )
    return alt.layer(rally, line, surges)


def unprofitable_share(prof: pd.DataFrame) -> alt.Chart:
    """Share of loss-making members by count (solid) and by market cap (dashed), per index."""
    return (
        alt.Chart(prof, width=WIDTH, height=HEIGHT)
        .transform_fold(["share_unprofitable", "share_unprofitable_cap_weighted"], as_=["measure", "share"])
        .transform_calculate(weighting="datum.measure == 'share_unprofitable' ? 'by count' : 'by cap'")
        .mark_line(strokeWidth=1.8)
        .encode(
            x=alt.X("as_of_date:T", title=None),
            y=alt.Y("share:Q", title="share unprofitable (TTM net income < 0)", axis=alt.Axis(format="%")),
            color=alt.Color(
                "index_role:N", title="index", scale=_scale({k: ROLE_COLORS[k] for k in ("small", "large")})
            ),
            strokeDash=alt.StrokeDash("weighting:N", title="weighting", sort=["by count", "by cap"]),
            tooltip=[
                "index_role:N",
                alt.Tooltip("as_of_date:T"),
                "weighting:N",
                alt.Tooltip("share:Q", format=".1%"),
                alt.Tooltip("coverage:Q", format=".0%"),
            ],
        )
    )


def valuation_discount(gap: pd.DataFrame) -> alt.FacetChart:
    """Discount per method over time, inside its history band (10th-90th percentile) and median."""
    base = alt.Chart(width=520, height=150)
    band = base.mark_area(opacity=0.25, color="#90a4ae").encode(
        x=alt.X("as_of_date:T", title=None),
        y=alt.Y("history_p10:Q", title="discount (1 - small/large)", axis=alt.Axis(format="%")),
        y2="history_p90:Q",
    )
    median = base.mark_rule(strokeDash=[4, 3], color="#546e7a").encode(y="history_median:Q")
    line = base.mark_line(color=ROLE_COLORS["small"], strokeWidth=1.6).encode(
        x="as_of_date:T",
        y="discount:Q",
        tooltip=[
            alt.Tooltip("as_of_date:T"),
            alt.Tooltip("discount:Q", format=".1%"),
            alt.Tooltip("percentile:Q", format=".0%", title="percentile (point in time)"),
            alt.Tooltip("zscore:Q", format=".2f"),
            alt.Tooltip("small_value:Q", format=".1f"),
            alt.Tooltip("large_value:Q", format=".1f"),
        ],
    )
    # Methods live on different scales (P/E including losses explodes when earnings near zero).
    return (
        alt.layer(band, median, line, data=gap)
        .facet(facet=alt.Facet("method:N", title=None), columns=2)
        .resolve_scale(y="independent")
    )


def yield_beta(beta: pd.DataFrame) -> alt.LayerChart:
    """Rolling beta of daily returns to the daily change in the 10-year yield, per subject."""
    # The zero line has one row of its own: on the daily rows it would be drawn thousands of times.
    zero = alt.Chart(pd.DataFrame({"beta": [0.0]})).mark_rule(color="#999").encode(y="beta:Q")
    lines = (
        alt.Chart(beta)
        .mark_line(strokeWidth=1.4)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("beta:Q", title="beta per 1 pp change in DGS10"),
            color=alt.Color("subject:N", scale=_scale(ROLE_COLORS)),
            tooltip=[
                "subject:N",
                alt.Tooltip("date:T"),
                alt.Tooltip("beta:Q", format=".3f"),
                alt.Tooltip("t_stat:Q", format=".2f"),
                alt.Tooltip("r_squared:Q", format=".2f"),
                "n_obs:Q",
            ],
        )
    )
    return alt.layer(zero, lines, width=WIDTH, height=HEIGHT)


def fund_losses_history(history: pd.DataFrame) -> alt.LayerChart:
    """Year-to-date: funds with a loss (bars) out of funds tracked (line), at every as-of date."""
    base = alt.Chart(history, width=WIDTH, height=HEIGHT).encode(x=alt.X("as_of_date:T", title=None))
    losers = base.mark_bar(color=VERDICT_COLORS["contradicted"], opacity=0.8).encode(
        y=alt.Y("funds_with_loss:Q", title="funds (YTD)"),
        tooltip=[
            alt.Tooltip("as_of_date:T"),
            "funds_with_loss:Q",
            "funds_tracked:Q",
            alt.Tooltip("worst_return:Q", format=".1%"),
            alt.Tooltip("median_return:Q", format=".1%"),
        ],
    )
    tracked = base.mark_line(color="#424242", interpolate="step-after").encode(y="funds_tracked:Q")
    return alt.layer(losers, tracked)


def fund_returns_ytd(funds: pd.DataFrame) -> alt.Chart:
    """Every fund's year-to-date return, worst first; losses in red."""
    return (
        alt.Chart(funds, width=WIDTH, height=alt.Step(14))
        .mark_bar()
        .encode(
            x=alt.X("total_return:Q", title="YTD total return", axis=alt.Axis(format="%")),
            y=alt.Y("fund_id:N", title=None, sort=alt.EncodingSortField("total_return", order="ascending")),
            color=alt.Color(
                "is_loss:N",
                title="loss",
                scale=alt.Scale(domain=[True, False], range=[VERDICT_COLORS["contradicted"], "#43a047"]),
            ),
            tooltip=[
                "fund_id:N",
                "fund_name:N",
                alt.Tooltip("total_return:Q", format=".2%"),
                alt.Tooltip("start_date:T"),
                alt.Tooltip("end_date:T"),
            ],
        )
    )


def mna_activity(mna: pd.DataFrame) -> alt.LayerChart:
    """Monthly small-cap target deals (bars, coloured by status) and the trailing 12-month average."""
    statuses = {"tepid": "#ef6c00", "normal": "#78909c", "accelerating": "#2e7d32", "insufficient_data": "#cfd8dc"}
    base = alt.Chart(mna, width=WIDTH, height=HEIGHT).encode(x=alt.X("month:T", title=None))
    bars = base.mark_bar().encode(
        y=alt.Y("deals:Q", title="deals per month"),
        color=alt.Color("status:N", scale=_scale(statuses)),
        tooltip=[
            alt.Tooltip("month:T", format="%Y-%m"),
            "deals:Q",
            alt.Tooltip("deal_value_usd:Q", format="$.3s"),
            alt.Tooltip("trailing_12m_avg:Q", format=".2f"),
            "status:N",
        ],
    )
    average = base.mark_line(color="#212121", strokeWidth=1.5).encode(y="trailing_12m_avg:Q")
    return alt.layer(bars, average)


def volatility_ratio(vol: pd.DataFrame) -> alt.LayerChart:
    """Small / large 63-day volatility per day, against 1.0 (equally volatile)."""
    # The reference line has one row of its own, as yield_beta's zero line.
    parity = alt.Chart(pd.DataFrame({"ratio": [1.0]})).mark_rule(color="#999", strokeDash=[4, 3]).encode(y="ratio:Q")
    line = (
        alt.Chart(vol)
        .mark_line(color=ROLE_COLORS["small"], strokeWidth=1.4)
        .encode(
            x=alt.X("date:T", title=None),
            y=alt.Y("ratio:Q", title="small / large volatility (63 trading days)", scale=alt.Scale(zero=False)),
            tooltip=[
                alt.Tooltip("date:T"),
                alt.Tooltip("ratio:Q", format=".2f"),
                alt.Tooltip("small_vol_63d:Q", title="small vol (annualized)", format=".1%"),
                alt.Tooltip("large_vol_63d:Q", title="large vol (annualized)", format=".1%"),
                "small_obs:Q",
                "large_obs:Q",
            ],
        )
    )
    return alt.layer(parity, line, width=WIDTH, height=HEIGHT)


def liquidity(liq: pd.DataFrame) -> alt.VConcatChart:
    """Median member dollar volume (top) and median Amihud illiquidity (bottom) per index, log scales."""
    roles = _scale({k: ROLE_COLORS[k] for k in ("small", "large")})
    tooltip = [
        "index_role:N",
        "index_id:N",
        alt.Tooltip("as_of_date:T"),
        alt.Tooltip("median_dollar_volume:Q", title="median dollar volume", format="$.3s"),
        alt.Tooltip("median_amihud:Q", title="median Amihud", format=".3~g"),
        "members:Q",
        "members_with_volume:Q",
    ]
    # Concatenated views cannot fill their container: a fixed width that fits a half-page panel.
    base = alt.Chart(liq, width=430, height=120).encode(
        x=alt.X("as_of_date:T", title=None),
        color=alt.Color("index_role:N", title="index", scale=roles, legend=alt.Legend(orient="top")),
        tooltip=tooltip,
    )
    # Small and large members trade two to three orders of magnitude apart: log scales show both.
    volume = (
        base.transform_filter("isValid(datum.median_dollar_volume) && datum.median_dollar_volume > 0")
        .mark_line(point=True, strokeWidth=1.6)
        .encode(
            y=alt.Y(
                "median_dollar_volume:Q",
                title="median $ volume (63d)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(format="$.2s"),
            )
        )
    )
    amihud = (
        base.transform_filter("isValid(datum.median_amihud) && datum.median_amihud > 0")
        .mark_line(point=True, strokeWidth=1.6)
        .encode(y=alt.Y("median_amihud:Q", title="median Amihud (|r| per $1M)", scale=alt.Scale(type="log")))
    )
    return alt.vconcat(volume, amihud, spacing=12)


UNIVERSE_KINDS = {
    "additions": "#2e7d32",
    "removals (M&A target)": "#ef6c00",
    "removals (other)": "#c62828",
}


def universe_changes(changes: pd.DataFrame) -> alt.LayerChart:
    """Members added (up) and removed (down) at each snapshot; removals of M&A targets apart."""
    # The first snapshot has nothing to compare with: no bars.
    compared = changes[changes.additions.notna()]
    kinds = list(UNIVERSE_KINDS)
    bars = pd.concat(
        [
            compared.assign(kind=kinds[0], count=compared.additions),
            compared.assign(kind=kinds[1], count=-compared.removals_mna),
            compared.assign(kind=kinds[2], count=-(compared.removals - compared.removals_mna)),
        ],
        ignore_index=True,
    )
    bars["count"] = bars["count"].astype(float)
    # Continuous time keeps irregular snapshots at their true spacing; the bars narrow as they multiply.
    size = max(2, min(14, 400 // max(len(compared), 1)))
    zero = alt.Chart(pd.DataFrame({"count": [0.0]})).mark_rule(color="#999").encode(y="count:Q")
    stacked = (
        alt.Chart(bars)
        .mark_bar(size=size)
        .encode(
            x=alt.X("as_of_date:T", title="snapshot"),
            y=alt.Y("sum(count):Q", title="members added (+) / removed (-)"),
            color=alt.Color("kind:N", title=None, scale=_scale(UNIVERSE_KINDS), sort=kinds),
            order=alt.Order("kind:N"),
            tooltip=[
                alt.Tooltip("as_of_date:T", title="snapshot"),
                alt.Tooltip("previous_as_of_date:T", title="previous snapshot"),
                "members:Q",
                "additions:Q",
                "removals:Q",
                alt.Tooltip("removals_mna:Q", title="removals that were M&A targets"),
                alt.Tooltip("net_change:Q", title="net change"),
            ],
        )
    )
    return alt.layer(zero, stacked, width=WIDTH, height=HEIGHT)


def sector_returns(sectors: pd.DataFrame) -> alt.LayerChart:
    """Each sector's 6-month return relative to the small index, one bar per date shown."""
    rows = sectors.assign(shown=pd.to_datetime(sectors.as_of_date).dt.strftime("%Y-%m-%d") + " (" + sectors.view + ")")
    order = list(dict.fromkeys(rows.sort_values("as_of_date").shown))
    palette = ["#90a4ae", ROLE_COLORS["small"], "#8e24aa", "#6d4c41"]
    zero = alt.Chart(pd.DataFrame({"relative_6m": [0.0]})).mark_rule(color="#666").encode(x="relative_6m:Q")
    bars = (
        alt.Chart(rows)
        .mark_bar()
        .encode(
            x=alt.X(
                "relative_6m:Q",
                title="6-month return minus the small index's",
                axis=alt.Axis(format="%", tickCount=8),
            ),
            y=alt.Y("sector:N", title=None, sort=alt.EncodingSortField("relative_6m", op="max", order="descending")),
            yOffset=alt.YOffset("shown:N", sort=order),
            color=alt.Color(
                "shown:N",
                title="as of",
                sort=order,
                scale=alt.Scale(domain=order, range=palette[: len(order)]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                "sector:N",
                alt.Tooltip("as_of_date:T", title="as of"),
                "view:N",
                "members:Q",
                alt.Tooltip("return_6m:Q", title="sector 6m", format=".1%"),
                alt.Tooltip("index_return_6m:Q", title="index 6m", format=".1%"),
                alt.Tooltip("relative_6m:Q", title="relative 6m", format="+.1%"),
                alt.Tooltip("relative_3m:Q", title="relative 3m", format="+.1%"),
                alt.Tooltip("start_6m:T", title="6m window start"),
            ],
        )
    )
    # With an offset channel the step is each bar's, not each sector's.
    return alt.layer(bars, zero, width=WIDTH, height=alt.Step(11))


DRAWDOWN_PHASES = {"decline": "#c62828", "recovery": "#2e7d32", "not recovered yet": "#f9a825"}


def drawdown_episodes(level: pd.DataFrame, episodes: pd.DataFrame) -> alt.LayerChart:
    """The small benchmark's total-return level, each deep correction shaded peak to trough to
    recovery (to the end of the data while not recovered), its depth written above the trough."""
    phases = list(DRAWDOWN_PHASES)
    line = (
        alt.Chart(level)
        .mark_line(color="#263238", strokeWidth=1.3)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            # Not niced: a log scale would round out to whole powers of ten and flatten the line.
            y=alt.Y(
                "level:Q", title="total-return level (start = 1, log scale)", scale=alt.Scale(type="log", nice=False)
            ),
            tooltip=[alt.Tooltip("date:T"), alt.Tooltip("level:Q", format=".3f")],
        )
    )
    if episodes.empty:
        return alt.layer(line, width=WIDTH, height=HEIGHT + 40)
    end_of_data = pd.to_datetime(level.date).max()
    spans = pd.concat(
        [
            episodes.assign(phase=phases[0], start=episodes.peak_date, end=episodes.trough_date),
            episodes.assign(
                phase=[phases[1] if r else phases[2] for r in episodes.is_recovered.fillna(False)],
                start=episodes.trough_date,
                end=pd.to_datetime(episodes.recovery_date).fillna(end_of_data),
            ),
        ],
        ignore_index=True,
    )
    details = [
        alt.Tooltip("peak_date:T", title="peak"),
        alt.Tooltip("trough_date:T", title="trough"),
        alt.Tooltip("depth:Q", format=".1%"),
        alt.Tooltip("trading_days_to_trough:Q", title="trading days to trough"),
        alt.Tooltip("rebound_6m:Q", title="6 months after the trough", format="+.1%"),
        alt.Tooltip("recovery_date:T", title="peak regained"),
    ]
    shaded = (
        alt.Chart(spans)
        .mark_rect(opacity=0.18)
        .encode(
            x="start:T",
            x2="end:T",
            color=alt.Color("phase:N", title="drawdown", scale=_scale(DRAWDOWN_PHASES), sort=phases),
            tooltip=["phase:N", *details],
        )
    )
    depth = (
        alt.Chart(episodes)
        .mark_text(fontWeight="bold", color=DRAWDOWN_PHASES[phases[0]], baseline="top")
        .encode(x="trough_date:T", y=alt.value(4), text=alt.Text("depth:Q", format=".0%"), tooltip=details)
    )
    return alt.layer(shaded, line, depth, width=WIDTH, height=HEIGHT + 40)
