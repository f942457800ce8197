{#- The last close of each calendar week (Monday to Sunday) per benchmark role, and the
    week-over-week return against the previous week's last close. -#}
with prices as (
    select * from {{ ref('int_benchmark_prices') }}
),

weekly as (
    select
        role,
        symbol,
        cast(date_trunc('week', date) as date) as week_start,
        date as week_end_date,
        close,
        adj_close
    from prices
    qualify row_number() over (partition by role, date_trunc('week', date) order by date desc) = 1
),

lagged as (
    select
        *,
        lag(close) over by_role as previous_close,
        lag(adj_close) over by_role as previous_adj_close,
        lag(week_end_date) over by_role as previous_week_end_date
    from weekly
    window by_role as (partition by role order by week_start)
),

-- A week-over-week return reaching across a flagged stretch is set aside.
flagged as (
    select
        *,
        {{ flags_over('prices', 'lagged.symbol', 'lagged.previous_week_end_date', 'lagged.week_end_date') }}
            as flag_reason
    from lagged
)

select
    role,
    symbol,
    week_start,
    week_end_date,
    close,
    adj_close,
    previous_week_end_date,
    previous_close,
    previous_adj_close,
    {{ unless_flagged(period_return('close', 'adj_close', 'previous_close', 'previous_adj_close'), 'flag_reason') }}
        as wow_return,
    {{ return_basis('adj_close', 'previous_adj_close') }} as return_basis,
    flag_reason
from flagged
