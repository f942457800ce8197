{#-
  trailing_12m_avg is the mean monthly count over the mna_trailing_months (12) months ending
  with the month; status compares the count of the last mna_recent_months (3) months with
  that many times the average (tepid / steady / accelerating).
-#}
with small_targets as (
    select * from {{ ref('int_mna_small_targets') }}
),

coverage as (
    select * from {{ ref('int_mna_coverage') }}
),

months as (
    select distinct cast(date_trunc('month', date) as date) as month
    from {{ ref('int_trading_days') }}
),

monthly as (
    select
        months.month,
        count(small_targets.target_symbol) as deals,
        {{ ordered_agg('sum', 'small_targets.deal_value_usd') }} as deal_value_usd
    from months
    left join small_targets
        on cast(date_trunc('month', small_targets.announce_date) as date) = months.month
    group by months.month
),

rolling as (
    select
        monthly.*,
        sum(deals) over (
            order by month rows between {{ var('mna_recent_months') | int - 1 }} preceding and current row
        ) as deals_3m,
        avg(deals) over (
            order by month rows between {{ var('mna_trailing_months') | int - 1 }} preceding and current row
        ) as trailing_12m_avg,
        coverage.first_month is not null
            and coverage.has_membership
            and monthly.month >= coverage.first_month
                + to_months({{ var('mna_trailing_months') | int - 1 }}) as has_coverage
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
    cast(deals as integer) as deals,
    cast(coalesce(deal_value_usd, 0) as double) as deal_value_usd,
    cast(deals_3m as integer) as deals_3m,
    cast(case when has_coverage then trailing_12m_avg end as double) as trailing_12m_avg,
    cast(status as varchar) as status
from classified
