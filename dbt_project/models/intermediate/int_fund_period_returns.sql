{#-
  Fund returns per period as of each as-of date D. Periods: YTD (from the last NAV of the
  previous calendar year to D), 1m and 3m (month end to month end: the last complete month(s)
  up to D, D itself counting as a month end when it is its month's last trading day), 12m
  (from the last NAV on or before D minus 12 months) and each calendar year complete by D
  ('CY2024'). Each end uses the latest NAV on or before its anchor date, and only when it is at
  most fund_nav_max_stale_days old.

  Return basis, per fund (return_basis says which, for every row):
  * 'total_return_distributions' when the fund has distributions (stg_fund_distributions):
    the total-return index from NAV + distributions (int_fund_total_return); an adjusted NAV
    that disagrees with those distributions is not used, and adjusted_series_flag says why;
  * 'adjusted_close' otherwise, when both ends have an adjusted NAV (the publisher's
    reinvestment, unchecked);
  * 'nav_only' otherwise: the NAV return, which misses every distribution in the period
    (a December capital gain reads as a loss the shareholder did not have).
  nav_return and adjusted_close_return are kept beside it for comparison.

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
    select fund_id, date, nav, adj_nav, total_return_index, has_distributions, adjusted_disagrees, adjusted_check
    from {{ ref('int_fund_total_return') }}
    where fund_id in (select funds.fund_id from funds)
        or not exists (select 1 from funds)
),

universe as (
    select distinct
        navs.fund_id,
        funds.name as fund_name,
        navs.has_distributions,
        navs.adjusted_disagrees,
        navs.adjusted_check
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

-- The month end 1m and 3m returns end at: D's own month end when D is its month's last
-- trading day, else the end of the month before D's. The latest date held is its month's
-- last only when no weekday of the month follows it (more data may still come).
month_ends as (
    select
        as_of_date,
        case
            when is_month_end
                and (
                    not is_latest
                    or as_of_date >= last_day(as_of_date)
                    - case dayofweek(last_day(as_of_date)) when 6 then 1 when 0 then 2 else 0 end
                )
                then last_day(as_of_date)
            else cast(date_trunc('month', as_of_date) - interval 1 day as date)
        end as month_end
    from as_of_dates
),

rolling_periods as (
    select
        universe.fund_id,
        universe.fund_name,
        as_of_dates.as_of_date,
        periods.period,
        case periods.period
            when 'YTD' then make_date(year(as_of_dates.as_of_date) - 1, 12, 31)
            when '1m' then last_day(cast(month_ends.month_end - interval 1 month as date))
            when '3m' then last_day(cast(month_ends.month_end - interval 3 month as date))
            when '12m' then cast(as_of_dates.as_of_date - interval 12 month as date)
        end as start_anchor,
        case
            when periods.period in ('1m', '3m') then month_ends.month_end
            else as_of_dates.as_of_date
        end as end_anchor
    from universe
    cross join as_of_dates
    inner join month_ends
        on month_ends.as_of_date = as_of_dates.as_of_date
    cross join (values ('YTD'), ('1m'), ('3m'), ('12m')) as periods (period)
),

calendar_periods as (
    select
        universe.fund_id,
        universe.fund_name,
        as_of_dates.as_of_date,
        'CY' || cast(years.year as string) as period,
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
    select all_periods.*, universe.has_distributions, universe.adjusted_disagrees, universe.adjusted_check
    from (
        select * from rolling_periods
        union all
        select * from calendar_periods
    ) as all_periods
    inner join universe
        on universe.fund_id = all_periods.fund_id
),

with_start as (
    select
        periods.*,
        navs.date as start_date,
        navs.nav as start_nav,
        navs.adj_nav as start_adj_nav,
        navs.total_return_index as start_tr
    from periods
    {{ asof_join(
        'left', 'periods', 'navs', [('navs.fund_id', 'periods.fund_id')],
        'navs.date', '<=', 'periods.start_anchor'
    ) }}
),

with_end as (
    select
        with_start.*,
        navs.date as end_date,
        navs.nav as end_nav,
        navs.adj_nav as end_adj_nav,
        navs.total_return_index as end_tr
    from with_start
    {{ asof_join(
        'left', 'with_start', 'navs', [('navs.fund_id', 'with_start.fund_id')],
        'navs.date', '<=', 'with_start.end_anchor'
    ) }}
),

checked as (
    select
        *,
        (
            start_date >= start_anchor - {{ var('fund_nav_max_stale_days') }}
            and end_date >= end_anchor - {{ var('fund_nav_max_stale_days') }}
            and end_date > start_date
        ) as is_measurable,
        case
            when has_distributions then 'total_return_distributions'
            when end_adj_nav is not null and start_adj_nav is not null then 'adjusted_close'
            else 'nav_only'
        end as return_basis,
        {#- A return reaching across a flagged stretch of the fund's NAVs is set aside. -#}
        {{ flags_over('fund_navs', 'with_end.fund_id', 'with_end.start_date', 'with_end.end_date') }} as flag_reason
    from with_end
),

returns as (
    select
        *,
        case
            when is_measurable then {{ unless_flagged('end_nav / start_nav - 1', 'flag_reason') }}
        end as nav_return,
        case
            when is_measurable then {{ unless_flagged('end_adj_nav / start_adj_nav - 1', 'flag_reason') }}
        end as adjusted_close_return,
        case
            when is_measurable and has_distributions then {{ unless_flagged('end_tr / start_tr - 1', 'flag_reason') }}
        end as distributions_return
    from checked
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
    case return_basis
        when 'total_return_distributions' then distributions_return
        when 'adjusted_close' then adjusted_close_return
        else nav_return
    end as total_return,
    return_basis,
    nav_return,
    adjusted_close_return,
    case when adjusted_disagrees then adjusted_check end as adjusted_series_flag,
    case when is_measurable then flag_reason end as flag_reason
from returns
