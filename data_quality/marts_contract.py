"""The BI-facing tables of ../shared/spec/marts.md and marts-next.md: grain and the columns BI may rely on."""

from __future__ import annotations

MARTS: dict[str, dict] = {
    "benchmark_daily": {
        "grain": ["role", "date"],
        "columns": [
            "role",
            "symbol",
            "date",
            "close",
            "return_1d",
            "return_5d",
            "ytd_return",
            "return_basis",
            "flag_reason",
        ],
    },
    "benchmark_weekly": {
        "grain": ["role", "week_end_date"],
        "columns": ["role", "symbol", "week_end_date", "close", "wow_return", "flag_reason"],
    },
    "calendar_year_returns": {
        "grain": ["year"],
        "columns": [
            "year",
            "small_symbol",
            "large_symbol",
            "small_return",
            "large_return",
            "large_won",
            "return_basis",
            "flag_reason",
        ],
    },
    "dominance_streak": {
        "grain": ["as_of_year"],
        "columns": ["as_of_year", "current_streak", "longest_streak", "longest_streak_end_year"],
    },
    "relative_strength": {
        "grain": ["date"],
        "columns": ["date", "ratio", "peak_date", "drawdown_from_peak", "years_since_peak"],
    },
    "policy_decisions": {
        "grain": ["effective_date"],
        "columns": [
            "effective_date",
            "upper_before",
            "upper_after",
            "lower_before",
            "lower_after",
            "change_bp",
            "direction",
            "lower_derived",
        ],
    },
    "yield_sensitivity": {
        "grain": ["date", "subject"],
        "columns": ["date", "subject", "beta", "t_stat", "correlation", "r_squared", "n_obs"],
    },
    "profitability": {
        "grain": ["index_role", "as_of_date", "sector"],
        "columns": [
            "index_role",
            "as_of_date",
            "sector",
            "constituents",
            "with_data",
            "unprofitable",
            "share_unprofitable",
            "share_unprofitable_cap_weighted",
            "coverage",
        ],
    },
    "valuation": {
        "grain": ["index_role", "as_of_date"],
        "columns": [
            "index_role",
            "as_of_date",
            "market_cap",
            "pe_incl_losses",
            "pe_ex_losses",
            "earnings_yield",
            "median_pe",
            "forward_pe",
        ],
    },
    "valuation_gap": {
        "grain": ["as_of_date", "method"],
        "columns": [
            "as_of_date",
            "method",
            "small_value",
            "large_value",
            "relative",
            "discount",
            "percentile",
            "zscore",
        ],
    },
    "eps_growth": {
        "grain": ["index_role", "calendar_quarter"],
        "columns": [
            "index_role",
            "calendar_quarter",
            "companies",
            "aggregate_growth",
            "negative_base",
            "median_eps_growth",
            "improvers_share",
            "beat_rate",
            "reported_share",
        ],
    },
    "fund_returns": {
        "grain": ["fund_id", "period"],
        "columns": [
            "fund_id",
            "fund_name",
            "period",
            "start_date",
            "end_date",
            "total_return",
            "is_loss",
            "flag_reason",
        ],
    },
    "fund_scorecard": {
        "grain": ["period", "as_of_date"],
        "columns": [
            "period",
            "as_of_date",
            "funds_tracked",
            "funds_with_loss",
            "worst_fund_id",
            "worst_return",
            "median_return",
        ],
    },
    "mna_activity": {"grain": ["month"], "columns": ["month", "deals", "deal_value_usd", "trailing_12m_avg", "status"]},
    "triggers": {
        "grain": ["trigger_id", "as_of_date"],
        "columns": ["trigger_id", "as_of_date", "value", "threshold", "status", "detail", "definition_version"],
        "values": {"status": ["met", "not_met", "pending", "missed"]},
    },
    "position_signal": {
        "grain": ["as_of_date"],
        "columns": ["as_of_date", "signal", "reasons"],
        "values": {"signal": ["increase", "hold", "reassess"]},
    },
    "claims_audit": {
        "grain": ["claim_id", "as_of_date"],
        "columns": ["claim_id", "claim_text", "metric", "value", "threshold", "verdict", "reason", "as_of_date"],
        "values": {"verdict": ["supported", "contradicted", "mixed", "insufficient_data", "not_checkable"]},
    },
    # The article's remaining claims (marts-next.md).
    "volatility": {
        "grain": ["date"],
        "columns": ["date", "small_vol_63d", "large_vol_63d", "ratio"],
    },
    "liquidity": {
        "grain": ["index_role", "as_of_date"],
        "columns": ["index_role", "as_of_date", "members_with_volume", "median_dollar_volume", "median_amihud"],
    },
    "universe_changes": {
        "grain": ["index_role", "as_of_date"],
        "columns": [
            "index_role",
            "as_of_date",
            "previous_as_of_date",
            "members",
            "additions",
            "removals",
            "removals_mna",
        ],
    },
    "sector_returns": {
        "grain": ["index_role", "sector", "as_of_date"],
        "columns": ["index_role", "sector", "as_of_date", "members", "return_3m", "return_6m", "relative_6m"],
    },
    "drawdown_episodes": {
        "grain": ["role", "peak_date"],
        "columns": ["role", "peak_date", "trough_date", "depth", "rebound_6m", "recovery_date"],
    },
    # Flagged stretches of history (docs/quality.md): what the marts above step around.
    "series_flags": {
        "grain": ["dataset", "series", "rule", "date_from"],
        "columns": ["dataset", "series", "date_from", "date_to", "rule", "detail"],
        "values": {"dataset": ["prices", "fund_navs", "rates"]},
    },
}

# Fractions that must lie in [0, 1] wherever they are defined.
SHARE_COLUMNS: dict[str, list[str]] = {
    "profitability": [
        "share_unprofitable",
        "share_unprofitable_cap_weighted",
        "coverage",
        "share_unprofitable_lower_bound",
        "share_unprofitable_upper_bound",
    ],
    "eps_growth": ["improvers_share", "beat_rate", "reported_share"],
    "valuation_gap": ["percentile"],
}
