{#-
  Small-cap M&A per calendar month, with the windows both marts.mna_activity and the
  mna_tepid trigger read (one definition): deals_3m over the mna_recent_months (3) months
  ending with the month, trailing_12m_avg = mean monthly count over the mna_trailing_months
  (12) months ending with it, and the status (tepid / steady / accelerating).

  Only complete months are judged. In its first days a month holds a few days of deals, and
  its count against a full month's average reads tepid by construction. A month is complete
  once the data holds a trading day after it, or when its latest date held is its last
  weekday. The latest month, while partial, keeps its deal count so far and no status
  (insufficient_data); windows never include it (it is always the last month).
  Months before the coverage start (int_mna_coverage) have no deals that could be counted:
  a window reaching into them has no status either.
-#}
with trading_days as (
    select date from {{ ref('int_trading_days') }}
),

small_targets as (
    select * from {{ ref('int_mna_small_targets') }}
),

coverage as (
    select * from {{ ref('int_mna_coverage') }}
),

data_end as (
    select max(date) as latest_date from trading_days
),

months as (
    select
        cast(date_trunc('month', date) as date) as month,
        max(date) as last_trading_day
    from trading_days
    group by 1
),

-- The month's last weekday (exchange holidays aside): once the data reaches it, nothing of
-- the month is left to come.
month_state as (
    select
        months.month,
        months.last_trading_day,
        (
            months.last_trading_day < data_end.latest_date
            or data_end.latest_date >= cast(
                last_day(months.month)
                - (case dayofweek(last_day(months.month)) when 6 then 1 when 0 then 2 else 0 end)
                as date
            )
        ) as is_complete_month
    from months
    cross join data_end
),

monthly as (
    select
        month_state.month,
        month_state.last_trading_day,
        month_state.is_complete_month,
        count(small_targets.target_symbol) as deals,
        {{ ordered_agg('sum', 'small_targets.deal_value_usd') }} as deal_value_usd
    from month_state
    left join small_targets
        on cast(date_trunc('month', small_targets.announce_date) as date) = month_state.month
    group by all
),

rolling as (
    select
        monthly.*,
        sum(monthly.deals) over (
            order by monthly.month rows between {{ var('mna_recent_months') | int - 1 }} preceding and current row
        ) as deals_3m,
        sum(monthly.deals) over (
            order by monthly.month rows between {{ var('mna_trailing_months') | int - 1 }} preceding and current row
        ) as deals_12m,
        avg(monthly.deals) over (
            order by monthly.month rows between {{ var('mna_trailing_months') | int - 1 }} preceding and current row
        ) as trailing_12m_avg,
        (
            monthly.is_complete_month
            and coverage.first_month is not null
            and coverage.has_membership
            and monthly.month >= {{ add_months('coverage.first_month', var('mna_trailing_months') | int - 1) }}
        ) as has_coverage
    from monthly
    cross join coverage
),

classified as (
    select
        *,
        case
            when not has_coverage then 'insufficient_data'
            when deals_3m < {{ var_num('mna_tepid_ratio') }} * {{ var('mna_recent_months') }} * trailing_12m_avg
                then 'tepid'
            when deals_3m > {{ var_num('mna_hot_ratio') }} * {{ var('mna_recent_months') }} * trailing_12m_avg
                then 'accelerating'
            else 'steady'
        end as status
    from rolling
)

select
    cast(month as date) as month,
    cast(last_trading_day as date) as last_trading_day,
    cast(is_complete_month as boolean) as is_complete_month,
    cast(has_coverage as boolean) as has_coverage,
    cast(deals as integer) as deals,
    cast(coalesce(deal_value_usd, 0) as double) as deal_value_usd,
    cast(case when is_complete_month then deals_3m end as integer) as deals_3m,
    cast(case when has_coverage then deals_12m end as integer) as deals_12m,
    cast(case when has_coverage then trailing_12m_avg end as double) as trailing_12m_avg,
    cast(
        case
            when has_coverage
                then deals_3m / nullif({{ var('mna_recent_months') }} * trailing_12m_avg, 0)
        end as double
    ) as ratio_3m,
    cast(status as string) as status
from classified
