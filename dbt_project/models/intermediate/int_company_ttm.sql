{#-
  Trailing-twelve-month facts per company, as known from each of its report dates
  (known_from) until the next one (known_to, exclusive). As of a date D, the row with
  known_from <= D < known_to holds what was public at D: the latest version of each
  fiscal quarter filed on or before D. TTM net income is the sum of the latest four
  visible fiscal quarters when they are consecutive (adjacent period ends between
  ttm_quarter_gap_min_days and ttm_quarter_gap_max_days apart); otherwise NULL. Shares
  outstanding come from the latest visible fiscal quarter that reports them (the count at
  that period end: later splits are applied downstream).

  Kept as it is when no filing arrived since the last build (macros/as_of_incremental.sql).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_unless_inputs_unchanged() }}",
) }}

with versions as (
    select * from {{ ref('int_earnings_versions') }}
),

knowledge_dates as (
    select distinct
        symbol,
        report_date as known_from
    from versions
),

knowledge_intervals as (
    select
        symbol,
        known_from,
        lead(known_from) over (partition by symbol order by known_from) as known_to
    from knowledge_dates
),

-- The latest version of each fiscal quarter visible at each knowledge date.
visible_quarters as (
    select
        knowledge_intervals.symbol,
        knowledge_intervals.known_from,
        knowledge_intervals.known_to,
        versions.fiscal_period_end,
        versions.net_income,
        versions.eps_diluted,
        versions.revenue,
        versions.shares_outstanding,
        row_number() over (
            partition by knowledge_intervals.symbol, knowledge_intervals.known_from
            order by versions.fiscal_period_end desc
        ) as recency
    from knowledge_intervals
    inner join versions
        on versions.symbol = knowledge_intervals.symbol
        and versions.report_date <= knowledge_intervals.known_from
        and (versions.valid_to is null or versions.valid_to > knowledge_intervals.known_from)
),

latest_four as (
    select
        *,
        date_diff(
            'day',
            lead(fiscal_period_end) over (
                partition by symbol, known_from order by fiscal_period_end desc
            ),
            fiscal_period_end
        ) as days_since_previous_quarter
    from visible_quarters
    where recency <= 4
),

ttm as (
    select
        symbol,
        known_from,
        any_value(known_to) as known_to,
        max(fiscal_period_end) as latest_period_end,
        min(fiscal_period_end) as earliest_period_end,
        count(*) as quarters_visible,
        -- The gaps between the four quarters (three of them) must all look like one quarter.
        count(*) = 4 and bool_and(
            days_since_previous_quarter is null
            or days_since_previous_quarter between {{ var('ttm_quarter_gap_min_days') }}
                and {{ var('ttm_quarter_gap_max_days') }}
        ) as is_consecutive,
        {{ ordered_agg('sum', 'net_income') }} as net_income_4q,
        {{ ordered_agg('sum', 'eps_diluted') }} as eps_diluted_4q,
        count(eps_diluted) as eps_quarters,
        {{ ordered_agg('sum', 'revenue') }} as revenue_4q,
        count(revenue) as revenue_quarters
    from latest_four
    group by symbol, known_from
),

-- Shares outstanding of the latest visible fiscal quarter that reports them.
latest_shares as (
    select
        symbol,
        known_from,
        max_by(shares_outstanding, fiscal_period_end) as shares_outstanding,
        max(fiscal_period_end) as shares_period_end
    from visible_quarters
    where shares_outstanding is not null
    group by symbol, known_from
),

with_shares as (
    select
        ttm.*,
        latest_shares.shares_outstanding,
        latest_shares.shares_period_end
    from ttm
    left join latest_shares
        on latest_shares.symbol = ttm.symbol
        and latest_shares.known_from = ttm.known_from
)

select
    symbol,
    known_from,
    known_to,
    latest_period_end,
    earliest_period_end,
    cast(quarters_visible as integer) as quarters_visible,
    is_consecutive,
    case when is_consecutive then net_income_4q end as ttm_net_income,
    case when is_consecutive and eps_quarters = 4 then eps_diluted_4q end as ttm_eps_diluted,
    case when is_consecutive and revenue_quarters = 4 then revenue_4q end as ttm_revenue,
    shares_outstanding,
    shares_period_end
from with_shares
{% if inputs_unchanged() %}where false{% endif %}
