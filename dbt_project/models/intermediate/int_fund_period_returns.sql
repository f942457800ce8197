{#-
  Fund returns per period as of each as-of date D, from the adjusted NAV (distributions
  reinvested) when both ends have one, else from the NAV. Periods: YTD (from the last NAV
  of the previous calendar year), 1m, 3m, 12m (from the last NAV on or before D minus the
  period) and each calendar year complete by D ('CY2024'). Each end uses the latest NAV on
  or before its anchor date, and only when it is at most fund_nav_max_stale_days old.
  The fund universe is stg_funds (when empty: every fund with NAVs). A return that would
  reach across a flagged stretch of the fund's NAVs is NULL, with its flag_reason.
-#}
with as_of_dates as (
    select * from {{ ref('int_as_of_dates') }}
),

funds as (
    select fund_id, name from {{ ref('stg_funds') }}
),

navs as (
    select fund_id, date, nav, adj_nav
    from {{ ref('stg_fund_navs') }}
    where fund_id in (select fund_id from funds)
        or not exists (select 1 from funds)
),

universe as (
    select distinct navs.fund_id, funds.name as fund_name
    from navs
    left join funds
        on funds.fund_id = navs.fund_id
),

first_year as (
    select min(year(date)) as year from navs
),

years as (
    select distinct year(as_of_date) as year from as_of_dates
),

rolling_periods as (
    select
        universe.fund_id,
        universe.fund_name,
        as_of_dates.as_of_date,
        periods.period,
        case periods.period
            when 'YTD' then make_date(year(as_of_dates.as_of_date) - 1, 12, 31)
            when '1m' then cast(as_of_dates.as_of_date - interval 1 month as date)
            when '3m' then cast(as_of_dates.as_of_date - interval 3 month as date)
            when '12m' then cast(as_of_dates.as_of_date - interval 12 month as date)
        end as start_anchor,
        as_of_dates.as_of_date as end_anchor
    from universe
    cross join as_of_dates
    cross join (values ('YTD'), ('1m'), ('3m'), ('12m')) as periods (period)
),

calendar_periods as (
    select
        universe.fund_id,
        universe.fund_name,
        as_of_dates.as_of_date,
        'CY' || cast(years.year as varchar) as period,
        make_date(years.year - 1, 12, 31) as start_anchor,
        make_date(years.year, 12, 31) as end_anchor
    from universe
    cross join as_of_dates
    cross join first_year
    cross join years
    where years.year > first_year.year
        and years.year < year(as_of_dates.as_of_date)
),

periods as (
    select * from rolling_periods
    union all
    select * from calendar_periods
),

with_start as (
    select
        periods.*,
        navs.date as start_date,
        navs.nav as start_nav,
        navs.adj_nav as start_adj_nav
    from periods
    asof left join navs
        on navs.fund_id = periods.fund_id
        and navs.date <= periods.start_anchor
),

with_end as (
    select
        with_start.*,
        navs.date as end_date,
        navs.nav as end_nav,
        navs.adj_nav as end_adj_nav
    from with_start
    asof left join navs
        on navs.fund_id = with_start.fund_id
        and navs.date <= with_start.end_anchor
),

checked as (
    select
        *,
        start_date >= start_anchor - {{ var('fund_nav_max_stale_days') }}
            and end_date >= end_anchor - {{ var('fund_nav_max_stale_days') }}
            and end_date > start_date as is_measurable,
        {#- A return reaching across a flagged stretch of the fund's NAVs is set aside. -#}
        {{ flags_over('fund_navs', 'with_end.fund_id', 'with_end.start_date', 'with_end.end_date') }} as flag_reason
    from with_end
)

select
    fund_id,
    fund_name,
    period,
    as_of_date,
    start_anchor,
    end_anchor,
    start_date,
    end_date,
    case
        when is_measurable then {{ unless_flagged(period_return('end_nav', 'end_adj_nav', 'start_nav', 'start_adj_nav'), 'flag_reason') }}
    end as total_return,
    {{ return_basis('end_adj_nav', 'start_adj_nav') }} as return_basis,
    case when is_measurable then flag_reason end as flag_reason
from checked
