"""The mutations `make mutate` applies: small wrong changes to production code, each with the
tests that must catch it (docs/testing.md says how to add one).

A mutation names one file, a text that must occur in it exactly once, what it becomes, and the
pytest arguments (files or node ids) whose run must fail with it in place. Each is the kind of
slip a maintainer could make: an inverted ratio, a window one period short, a rule deleted, a
refusal skipped. The list is checked by `python -m tests.mutate --check` (every text found
once) without running anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str


DBT_UNIT = "tests/test_dbt_unit.py"
MART_VALUES = "tests/test_mart_values.py"
MARTS_SAMPLE = "tests/test_marts_sample.py"
CORPUS = "tests/test_bad_inputs.py"
SHARE_BASIS = "tests/test_share_basis_realdata.py"
M = "dbt_project/models/marts/"
INT = "dbt_project/models/intermediate/"


def _rule(label: str, rule: str, after: str = "") -> Mutation:
    """A quarantine rule that no longer rejects anything: its predicate becomes `true`.
    `after` is the text that follows it, when the rule's own text occurs twice in the file."""
    accepts_all = rule.split(",", 1)[0] + ', "true")'
    return Mutation(
        f"rule_{label}_deleted",
        "pipelines/datasets.py",
        rule + after,
        accepts_all + after,
        (CORPUS,),
        f"the row rule {label} accepts every row",
    )


ROW_RULES = (
    _rule("close_positive", '("close_positive", "close > 0")'),
    _rule("ohlc_positive", '("ohlc_positive", "least(open, high, low, adj_close) > 0")'),
    _rule("high_below_low", '("high_below_low", "high >= low")'),
    _rule(
        "open_close_outside_range",
        '("open_close_outside_range", "greatest(open, close) <= high AND least(open, close) >= low")',
    ),
    _rule("volume_negative", '("volume_negative", "volume >= 0")'),
    _rule("nav_positive", '("nav_positive", "nav > 0 AND adj_nav > 0")'),
    _rule("amount_positive", '("amount_positive", "amount > 0")'),
    _rule("kind_unknown", "(\"kind_unknown\", \"lower(trim(kind)) IN ('dividend', 'capital_gain')\")"),
    _rule("pay_before_ex_date", '("pay_before_ex_date", "pay_date >= ex_date")'),
    _rule("report_before_period_end", '("report_before_period_end", "report_date >= fiscal_period_end")'),
    _rule(
        "earnings_shares_positive",
        '("shares_positive", "shares_outstanding > 0")',
        ',\n                ("future_report"',
    ),
    _rule("future_report", '("future_report", f"report_date <= {FUTURE}")'),
    _rule("future_as_of", '("future_as_of", f"as_of_date <= {FUTURE}")'),
    _rule("weight_fraction", '("weight_fraction", "weight BETWEEN 0 AND 1")'),
    _rule(
        "universe_shares_positive",
        '("shares_positive", "shares_outstanding > 0")',
        ',\n                ("future_snapshot"',
    ),
    _rule("future_snapshot", '("future_snapshot", f"as_of_date <= {FUTURE}")'),
    _rule("deal_value_negative", '("deal_value_negative", "deal_value_usd >= 0")'),
    _rule("future_announcement", '("future_announcement", f"announce_date <= {FUTURE}")'),
    _rule("ratio_positive", '("ratio_positive", "ratio > 0")'),
)

MUTATIONS: tuple[Mutation, ...] = (
    # --- The six the test audit found surviving (issue #21) ---
    Mutation(
        "relative_strength_inverted",
        M + "relative_strength.sql",
        "small.level / large.level as raw_ratio",
        "large.level / small.level as raw_ratio",
        (MART_VALUES,),
        "the ratio read large over small",
    ),
    Mutation(
        "fund_12m_is_11_months",
        INT + "int_fund_period_returns.sql",
        "when '12m' then cast(as_of_dates.as_of_date - interval 12 month as date)",
        "when '12m' then cast(as_of_dates.as_of_date - interval 11 month as date)",
        (MART_VALUES,),
        "the 12-month fund return starts a month late",
    ),
    Mutation(
        "publish_ignores_standing_failures",
        "pipelines/publish.py",
        "        if standing:\n",
        "        if False:\n",
        ("tests/test_publish.py",),
        "data whose latest gates failed is published",
    ),
    Mutation(
        "publish_ignores_contract_audit",
        "pipelines/publish.py",
        "        if any(o.blocks for o in outcomes):\n",
        "        if False:\n",
        ("tests/test_publish.py",),
        "marts that break the BI contract are published",
    ),
    Mutation(
        "quarantine_share_always_passes",
        "pipelines/raw_gates.py",
        "        share <= t.quarantine_max_share,\n",
        "        True,\n",
        ("tests/test_gate_policy.py",),
        "a feed of mostly bad rows goes through",
    ),
    Mutation(
        "row_count_vs_previous_always_passes",
        "pipelines/raw_gates.py",
        "ok = before is None or before == 0 or now >= (1 - t.row_count_max_drop) * before",
        "ok = True",
        ("tests/test_fault_modes.py",),
        "a collapse of the row count goes through",
    ),
    Mutation(
        "future_date_limit_ten_years",
        "pipelines/datasets.py",
        'FUTURE = "current_date + 1"',
        'FUTURE = "current_date + 3650"',
        (CORPUS,),
        "rows dated years ahead load",
    ),
    Mutation(
        "no_retry_on_502_503_504",
        "pipelines/sources/live/http.py",
        "RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})",
        "RETRY_STATUSES = frozenset({429, 500})",
        ("tests/live/test_http.py",),
        "a gateway error ends a fetch instead of being retried",
    ),
    *ROW_RULES,
    # --- Marts: one each ---
    Mutation(
        "benchmark_5d_window_off_by_one",
        M + "benchmark_daily.sql",
        "lag(close, {{ var('surge_window_trading_days') }}) over by_role as close_5d",
        "lag(close, {{ var('surge_window_trading_days') }} + 1) over by_role as close_5d",
        (DBT_UNIT,),
        "the 5-day return spans six days",
    ),
    Mutation(
        "calendar_year_against_same_year",
        M + "calendar_year_returns.sql",
        "and previous.year = year_ends.year - 1",
        "and previous.year = year_ends.year - 2",
        (MARTS_SAMPLE,),
        "a calendar year is measured over two",
    ),
    Mutation(
        "valuation_pe_incl_losses_uses_profitable_cap",
        M + "valuation.sql",
        "then aggregated.cap_with_data / aggregated.ttm_net_income end as double",
        "then aggregated.cap_profitable / aggregated.ttm_net_income end as double",
        (DBT_UNIT,),
        "P/E including losses divides the profitable companies' cap",
    ),
    Mutation(
        "valuation_gap_percentile_sees_the_future",
        M + "valuation_gap.sql",
        "and past.as_of_date <= current_day.as_of_date",
        "and past.as_of_date is not null",
        (DBT_UNIT,),
        "the percentile ranks against dates after the row's",
    ),
    Mutation(
        "profitability_counts_profits_as_losses",
        M + "profitability.sql",
        "count(*) filter (where ttm_net_income < 0) as unprofitable",
        "count(*) filter (where ttm_net_income > 0) as unprofitable",
        (DBT_UNIT, MARTS_SAMPLE),
        "the loss-makers counted are the profitable companies",
    ),
    Mutation(
        "fund_loss_includes_zero",
        M + "fund_scorecard.sql",
        "cast(count(*) filter (where total_return < 0) as integer) as funds_with_loss",
        "cast(count(*) filter (where total_return < 0.001) as integer) as funds_with_loss",
        (MART_VALUES,),
        "a small gain counts as a loss",
    ),
    Mutation(
        "mna_trailing_window_short",
        INT + "int_mna_monthly.sql",
        "rows between {{ var('mna_trailing_months') | int - 1 }} preceding and current row\n"
        "        ) as trailing_12m_avg",
        "rows between {{ var('mna_trailing_months') | int - 2 }} preceding and current row\n"
        "        ) as trailing_12m_avg",
        (MART_VALUES,),
        "the trailing average covers eleven months",
    ),
    Mutation(
        "rally_met_before_the_check_week_ends",
        INT + "int_trigger_rally.sql",
        "count(*) filter (where rallies.sustained and rallies.check_week_end_date <= as_of_dates.as_of_date)",
        "count(*) filter (where rallies.sustained)",
        (DBT_UNIT,),
        "a rally counts before it is known to have held",
    ),
    Mutation(
        "claim_surge_threshold_inverted",
        INT + "int_claim_surge_5d.sql",
        "when best_return_5d >= {{ var_num('surge_5d_threshold') }} then 'supported'",
        "when best_return_5d < {{ var_num('surge_5d_threshold') }} then 'supported'",
        (DBT_UNIT, MARTS_SAMPLE),
        "the surge claim is supported when there was none",
    ),
    Mutation(
        "claim_valuation_without_min_history",
        INT + "int_claim_valuation_discount.sql",
        "when history_count < {{ var('claim_valuation_min_history') }} then 'insufficient_data'",
        "when false then 'insufficient_data'",
        (DBT_UNIT,),
        "one observation supports the valuation claim",
    ),
    Mutation(
        "claim_mixed_fund_bases_judged",
        INT + "int_claim_fund_losses.sql",
        "when return_basis = 'mixed' then 'insufficient_data'",
        "when false then 'insufficient_data'",
        (DBT_UNIT,),
        "losses counted across NAV-only and total returns",
    ),
    Mutation(
        "signal_reasons_drop_the_rally",
        M + "position_signal.sql",
        "when rule_sustained_rally\n                            then 'sustained_rally_within_'",
        "when not rule_sustained_rally\n                            then 'sustained_rally_within_'",
        (DBT_UNIT,),
        "the signal gives the opposite reason",
    ),
    Mutation(
        "eps_growth_base_counts_losses",
        INT + "int_eps_growth_asof.sql",
        "median(eps_diluted / eps_diluted_base - 1) filter (where eps_diluted_base > 0) as median_eps_growth",
        "median(eps_diluted / eps_diluted_base - 1) as median_eps_growth",
        (DBT_UNIT,),
        "growth from a negative base enters the median",
    ),
    Mutation(
        "company_asof_sees_a_week_ahead",
        INT + "int_company_asof.sql",
        "and ttm.known_from <= members.as_of_date",
        "and ttm.known_from <= members.as_of_date + 7",
        ("tests/test_point_in_time.py",),
        "filings a week after the date are used",
    ),
    Mutation(
        "ttm_ignores_the_span",
        INT + "int_company_ttm.sql",
        "quarters_visible = 4 and later_quarters_ok and case",
        "quarters_visible = 4 and case",
        (DBT_UNIT,),
        "four quarters with one missing among them make a TTM",
    ),
    Mutation(
        "stale_ttm_kept",
        INT + "int_company_asof.sql",
        "latest_period_end >= as_of_date - {{ var('ttm_max_age_days') }}\n            and coalesce",
        "latest_period_end is not null\n            and coalesce",
        (DBT_UNIT,),
        "a delinquent filer keeps its last TTM for ever",
    ),
    # --- Share bases and issuers (#15 points 1 and 5) ---
    Mutation(
        "adjusted_close_taken_as_traded",
        INT + "int_company_asof.sql",
        "close_raw * close_basis_share_multiple / as_of_share_multiple end as close",
        "close_raw end as close",
        (DBT_UNIT, SHARE_BASIS),
        "a split-adjusted close times a dated count",
    ),
    Mutation(
        "count_date_ignored",
        INT + "int_earnings_versions.sql",
        "{{ with_share_multiple('eps_basis', 'shares_as_of', 'shares_share_multiple') }}",
        "{{ with_share_multiple('eps_basis', 'fiscal_period_end', 'shares_share_multiple') }}",
        (DBT_UNIT,),
        "a cover count dated after a split is re-based again",
    ),
    Mutation(
        "eps_basis_ignored",
        INT + "int_earnings_versions.sql",
        "eps_diluted * eps_share_multiple as eps_diluted_unsplit",
        "eps_diluted as eps_diluted_unsplit",
        (DBT_UNIT,),
        "EPS on different bases compared and added",
    ),
    Mutation(
        "issuer_counted_per_class",
        INT + "int_company_asof.sql",
        "order by close is null asc, index_weight desc nulls last, symbol asc\n        ) = 1",
        "order by close is null asc, index_weight desc nulls last, symbol asc\n        ) >= 1",
        (DBT_UNIT, SHARE_BASIS),
        "GOOGL and GOOG both count the whole company",
    ),
    Mutation(
        "foreign_currency_added_to_usd",
        INT + "int_company_asof.sql",
        "\n            and coalesce(reporting_currency, 'USD') = 'USD'\n        ) as ttm_usable",
        "\n        ) as ttm_usable",
        (DBT_UNIT,),
        "euros added to dollars",
    ),
    # --- Gates ---
    Mutation(
        "key_conflicts_need_three_versions",
        "data_quality/market_health.py",
        "GROUP BY {k} HAVING count(DISTINCT ({v})) > 1",
        "GROUP BY {k} HAVING count(DISTINCT ({v})) > 2",
        ("tests/test_gate_policy.py",),
        "two files that disagree on a key pass the gate",
    ),
    # Issue #19: the article's remaining claims.
    Mutation(
        "liquidity_window_one_day_long",
        M + "liquidity.sql",
        "on bars.day_index > as_of_days.day_index - {{ var('liquidity_window_days') }}",
        "on bars.day_index >= as_of_days.day_index - {{ var('liquidity_window_days') }}",
        (DBT_UNIT,),
        "the 63-day liquidity window holds 64 days",
    ),
    Mutation(
        "more_volatile_ignores_its_history",
        INT + "int_claim_more_volatile.sql",
        "when ratio > 1 and share_days_above_1 > 0.5 then 'supported'",
        "when ratio > 1 then 'supported'",
        (DBT_UNIT,),
        "one quarter's reading is called an inherent trait",
    ),
    Mutation(
        "sector_weights_not_drifted_to_the_window_start",
        M + "sector_returns.sql",
        "index_weight * close_start / close_snapshot as start_weight,",
        "index_weight as start_weight,",
        (DBT_UNIT,),
        "sector returns weight members by a snapshot months older than the window",
    ),
    Mutation(
        "drawdown_depth_threshold_dropped",
        M + "drawdown_episodes.sql",
        "<= -{{ var_num('drawdown_min_depth') }}",
        "<= 0",
        (DBT_UNIT,),
        "every dip is listed as a correction",
    ),
)
