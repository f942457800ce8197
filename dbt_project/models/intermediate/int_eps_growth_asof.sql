{#-
  Same-company earnings growth per index role and calendar quarter Q, as known at an
  as-of date D (only versions filed on or before D). The companies are the constituents
  at D (the snapshot in force at D, as everywhere else in the marts), each issuer once
  (int_company_asof). EPS are compared per share of one basis (int_earnings_versions'
  eps_diluted_unsplit; an estimate on the basis of its own date), so a split between the two
  quarters, or a later filing re-basing one of them, does not read as growth or decline. Computed for the
  quarters a trigger or the position signal can read at D (the last four ended quarters
  and the EPS-trigger window) and, at the latest date held, for every quarter (the
  eps_growth mart).

  A positive base can still be too small to grow from: when losses nearly offset profits in
  Q-4, the base is close to zero and any recovery reads as a huge growth rate (a base of 0.3%
  of the companies' market cap a year doubles to 0.6% and "grows" 100%). The base's earnings
  yield (the Q-4 net income, annualized x 4, over the same companies' market cap at D) must
  be at least eps_growth_min_base_yield; below it small_base is true and the growth is
  reported but not meaningful: the EPS trigger does not count it. Without market caps the
  yield is unknown and the growth is not flagged.

  Incremental by as-of date (macros/as_of_incremental.sql).

  The sums and the median are list aggregates (macros/ordered_agg.sql, sorted_list_agg): a fixed
  order like ordered_agg, but at 30 M price rows (6.6 M company rows, groups of ~6,000) the
  ordered aggregates next to a median took 35-60 s and spilled ~9 GB; the lists take 13 s,
  most of it the two as-of joins.
-#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_as_of_rows() }}",
    **as_of_config()
) }}

with as_of_dates as (
    select *
    from {{ ref('int_as_of_dates') }}
    where {{ as_of_rebuilt('as_of_date') }}
),

versions as (
    select *
    from {{ ref('int_earnings_versions') }}
    where is_calendar_quarter_primary
),

stg_estimates as (
    select * from {{ ref('stg_estimates') }}
),

-- An estimate is per share of the basis in force when it was made.
estimates as (
    select
        *,
        eps_estimate * estimate_share_multiple as eps_estimate_unsplit
    from ({{ with_share_multiple('stg_estimates', 'as_of_date', 'estimate_share_multiple') }}) as with_multiple
),

-- One row per issuer (int_company_asof): share classes of one issuer carry the same filings.
members as (
    select index_role, as_of_date, symbol, market_cap
    from {{ ref('int_company_asof') }}
    where {{ as_of_rebuilt('as_of_date') }}
),

quarters as (
    select distinct
        calendar_quarter_index,
        {{ quarter_end_date('calendar_quarter_index') }} as quarter_end
    from versions
),

pairs as (
    select
        as_of_dates.as_of_date,
        quarters.calendar_quarter_index,
        quarters.quarter_end
    from as_of_dates
    inner join quarters
        on quarters.quarter_end <= as_of_dates.as_of_date
    where as_of_dates.is_latest
        or quarters.calendar_quarter_index >= {{ quarter_index('as_of_dates.as_of_date') }} - 4
        or (
            quarters.calendar_quarter_index between {{ quarter_index_of_var('eps_growth_window_start') }}
            and {{ quarter_index_of_var('eps_growth_deadline') }}
        )
),

member_pairs as (
    select
        members.index_role,
        pairs.as_of_date,
        pairs.calendar_quarter_index,
        members.symbol,
        members.market_cap
    from pairs
    inner join members
        on members.as_of_date = pairs.as_of_date
),

with_current as (
    select
        member_pairs.*,
        versions.fiscal_period_end,
        versions.net_income,
        versions.eps_diluted_unsplit as eps_diluted
    from member_pairs
    {{ asof_join(
        'left', 'member_pairs', 'versions', [
            ('versions.symbol', 'member_pairs.symbol'),
            ('versions.calendar_quarter_index', 'member_pairs.calendar_quarter_index')
        ],
        'versions.report_date', '<=', 'member_pairs.as_of_date'
    ) }}
),

with_base as (
    select
        with_current.*,
        versions.net_income as net_income_base,
        versions.eps_diluted_unsplit as eps_diluted_base
    from with_current
    {{ asof_join(
        'left', 'with_current', 'versions', [
            ('versions.symbol', 'with_current.symbol'),
            ('versions.calendar_quarter_index', 'with_current.calendar_quarter_index - 4')
        ],
        'versions.report_date', '<=', 'with_current.as_of_date'
    ) }}
),

first_reports as (
    select symbol, fiscal_period_end, report_date, eps_diluted_unsplit
    from versions
    where is_first_report
),

-- Actual EPS as first reported against the latest estimate dated before that report.
surprises as (
    select
        first_reports.symbol,
        first_reports.fiscal_period_end,
        first_reports.report_date,
        first_reports.eps_diluted_unsplit > estimates.eps_estimate_unsplit as beat
    from first_reports
    {{ asof_join(
        'inner', 'first_reports', 'estimates', [
            ('estimates.symbol', 'first_reports.symbol'),
            ('estimates.fiscal_period_end', 'first_reports.fiscal_period_end')
        ],
        'estimates.as_of_date', '<', 'first_reports.report_date'
    ) }}
    where first_reports.eps_diluted_unsplit is not null
),

company_rows as (
    select
        with_base.*,
        surprises.beat
    from with_base
    left join surprises
        on surprises.symbol = with_base.symbol
        and surprises.fiscal_period_end = with_base.fiscal_period_end
        and surprises.report_date <= with_base.as_of_date
),

aggregated as (
    select
        index_role,
        as_of_date,
        calendar_quarter_index,
        count(*) as constituents,
        count(net_income) as reported,
        count(*) filter (where net_income is not null and net_income_base is not null) as companies,
        {{ sorted_list_agg('sum', 'net_income', 'net_income_base is not null') }} as net_income_sum,
        {{ sorted_list_agg('sum', 'net_income_base', 'net_income is not null') }} as net_income_base_sum,
        {{ sorted_list_agg('median', 'eps_diluted / eps_diluted_base - 1', 'eps_diluted_base > 0') }}
            as median_eps_growth,
        count(*) filter (where eps_diluted is not null and eps_diluted_base is not null) as eps_pairs,
        count(*) filter (where eps_diluted > eps_diluted_base) as improvers,
        count(beat) as with_estimate,
        count(*) filter (where beat) as beats,
        -- The base's size against the same companies' market cap (those that have one).
        {{ sorted_list_agg('sum', 'net_income_base', 'net_income is not null and market_cap is not null') }}
            as capped_base_sum,
        {{ sorted_list_agg('sum', 'market_cap', 'net_income is not null and net_income_base is not null') }}
            as base_market_cap
    from company_rows
    group by index_role, as_of_date, calendar_quarter_index
)

select
    index_role,
    as_of_date,
    cast(calendar_quarter_index as integer) as calendar_quarter_index,
    {{ quarter_label('calendar_quarter_index') }} as calendar_quarter,
    {{ quarter_end_date('calendar_quarter_index') }} as quarter_end,
    cast(constituents as integer) as constituents,
    cast(reported as integer) as reported,
    cast(companies as integer) as companies,
    net_income_sum,
    net_income_base_sum,
    case when net_income_base_sum > 0 then net_income_sum / net_income_base_sum - 1 end as aggregate_growth,
    coalesce(net_income_base_sum <= 0, false) as negative_base,
    -- Annualized (x 4 quarters) so that it reads as an earnings yield.
    4 * capped_base_sum / nullif(base_market_cap, 0) as base_earnings_yield,
    coalesce(
        net_income_base_sum > 0
        and 4 * capped_base_sum / nullif(base_market_cap, 0) < {{ var_num('eps_growth_min_base_yield') }},
        false
    ) as small_base,
    median_eps_growth,
    case when eps_pairs > 0 then improvers / eps_pairs end as improvers_share,
    case when with_estimate > 0 then beats / with_estimate end as beat_rate,
    case when constituents > 0 then reported / constituents end as reported_share,
    coalesce(reported / nullif(constituents, 0) >= {{ var('eps_reported_min') }}, false) as is_reported
from aggregated
