{#-
  Trailing-twelve-month facts per company, as known from each of its report dates
  (known_from) until the next one (known_to, exclusive). As of a date D, the row with
  known_from <= D < known_to holds what was public at D: the latest version of each
  fiscal quarter filed on or before D. TTM net income is the sum of the latest four
  visible fiscal quarters when they are consecutive; otherwise NULL.

  Consecutive is judged on the four quarters' total span, not on equal gaps, so that every
  real fiscal calendar passes: calendar quarters, 13/13/13/13(14)-week 52/53-week years and
  the 16/12/12/12-week years of grocers and retailers (Kroger, Costco, Safeway), whose 16-week
  quarter is 112 days. Each quarter whose length is known (its period end minus the previous
  visible period end) is ttm_quarter_min_days..ttm_quarter_max_days long, and the four
  together, from the first one's start to the last one's end, span
  ttm_span_min_days..ttm_span_max_days (one fiscal year). The first quarter starts after
  the quarter before it ends: when that fifth quarter is not visible (or lies more than a
  quarter earlier), the first quarter's length is unknown and the ends of the four must span
  what a year minus one quarter of allowed length can be. A missing quarter leaves a gap
  longer than ttm_quarter_max_days. TTM EPS adds the quarters' EPS on one share basis (the
  first known one, int_earnings_versions), so a split inside the four quarters does not mix
  bases. Shares outstanding come from the latest visible fiscal quarter that reports them,
  in first-basis shares with the date they were counted at; int_company_asof puts both on
  the basis of its as-of date. The issuer and currency are those of the latest quarter.

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
        versions.issuer_id,
        versions.currency,
        versions.net_income,
        versions.eps_diluted_unsplit,
        versions.revenue,
        versions.shares_unsplit,
        versions.shares_as_of,
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

-- The latest five visible quarters: the four a TTM sums (recency 1-4) and the one before
-- them, whose period end dates the start of the first of the four.
latest_five as (
    select
        *,
        {{ days_between(
            'lead(fiscal_period_end) over (partition by symbol, known_from order by fiscal_period_end desc)',
            'fiscal_period_end'
        ) }} as quarter_days
    from visible_quarters
    where recency <= 5
),

quarter_spans as (
    select
        symbol,
        known_from,
        any_value(known_to) as known_to,
        max(fiscal_period_end) filter (where recency <= 4) as latest_period_end,
        max_by(issuer_id, fiscal_period_end) filter (where recency <= 4) as issuer_id,
        max_by(currency, fiscal_period_end) filter (where recency <= 4) as currency,
        min(fiscal_period_end) filter (where recency <= 4) as earliest_period_end,
        count(*) filter (where recency <= 4) as quarters_visible,
        -- The lengths of the latest three quarters are known from the quarter before each.
        coalesce(
            bool_and(
                quarter_days between {{ var('ttm_quarter_min_days') }} and {{ var('ttm_quarter_max_days') }}
            ) filter (where recency <= 3),
            false
        ) as later_quarters_ok,
        -- The first quarter's length, when the quarter before it is visible.
        max(quarter_days) filter (where recency = 4) as first_quarter_days,
        {{ ordered_agg('sum', 'net_income') }} filter (where recency <= 4) as net_income_4q,
        {{ ordered_agg('sum', 'eps_diluted_unsplit') }} filter (where recency <= 4) as eps_diluted_4q,
        count(eps_diluted_unsplit) filter (where recency <= 4) as eps_quarters,
        {{ ordered_agg('sum', 'revenue') }} filter (where recency <= 4) as revenue_4q,
        count(revenue) filter (where recency <= 4) as revenue_quarters
    from latest_five
    group by symbol, known_from
),

-- A quarter before the four that ended more than a quarter's length earlier is not adjacent
-- (a gap in the history before the TTM): the first quarter's start is then unknown.
first_quarter as (
    select
        *,
        {{ days_between('earliest_period_end', 'latest_period_end') }} as ends_span_days,
        first_quarter_days <= {{ var('ttm_quarter_max_days') }} as first_start_known
    from quarter_spans
),

ttm as (
    select
        *,
        case
            when coalesce(first_start_known, false) then ends_span_days + first_quarter_days
        end as span_days,
        quarters_visible = 4 and later_quarters_ok and case
            when coalesce(first_start_known, false)
                then
                    first_quarter_days >= {{ var('ttm_quarter_min_days') }}
                    and (
                        ends_span_days + first_quarter_days
                        between {{ var('ttm_span_min_days') }} and {{ var('ttm_span_max_days') }}
                    )
            -- Unknown first length: the three later quarters' span must leave room for a
            -- first quarter of allowed length inside one fiscal year.
            else ends_span_days
                between {{ var('ttm_span_min_days') }} - {{ var('ttm_quarter_max_days') }}
                and {{ var('ttm_span_max_days') }} - {{ var('ttm_quarter_min_days') }}
        end as is_consecutive
    from first_quarter
),

-- Shares outstanding of the latest visible fiscal quarter that reports them.
latest_shares as (
    select
        symbol,
        known_from,
        max_by(shares_unsplit, fiscal_period_end) as shares_unsplit,
        max_by(shares_as_of, fiscal_period_end) as shares_as_of
    from visible_quarters
    where shares_unsplit is not null
    group by symbol, known_from
),

with_shares as (
    select
        ttm.*,
        latest_shares.shares_unsplit,
        latest_shares.shares_as_of
    from ttm
    left join latest_shares
        on latest_shares.symbol = ttm.symbol
        and latest_shares.known_from = ttm.known_from
)

select
    symbol,
    issuer_id,
    currency,
    known_from,
    known_to,
    latest_period_end,
    earliest_period_end,
    cast(quarters_visible as integer) as quarters_visible,
    cast(span_days as integer) as span_days,
    is_consecutive,
    case when is_consecutive then net_income_4q end as ttm_net_income,
    case when is_consecutive and eps_quarters = 4 then eps_diluted_4q end as ttm_eps_diluted_unsplit,
    case when is_consecutive and revenue_quarters = 4 then revenue_4q end as ttm_revenue,
    shares_unsplit,
    shares_as_of
from with_shares
{% if inputs_unchanged() %}where false{% endif %}
