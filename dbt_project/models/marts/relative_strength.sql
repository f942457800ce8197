{#- Each benchmark is chained from its own daily returns (so a switch between adjusted and
    traded closes never shows as a jump), then the ratio is taken on common dates. -#}
with prices as (
    select * from {{ ref('int_benchmark_prices') }}
),

daily as (
    select
        role,
        date,
        coalesce(
            {{ period_return(
                'close', 'adj_close',
                'lag(close) over (partition by role order by date)',
                'lag(adj_close) over (partition by role order by date)'
            ) }},
            0
        ) as return_1d
    from prices
),

chained as (
    select
        role,
        date,
        exp(sum(ln(1 + return_1d)) over (partition by role order by date)) as level
    from daily
),

ratio as (
    select
        small.date,
        small.level / large.level as raw_ratio
    from chained as small
    inner join chained as large
        on large.date = small.date
        and large.role = 'large'
    where small.role = 'small'
),

rebased as (
    select
        date,
        raw_ratio / first_value(raw_ratio) over (order by date) as ratio
    from ratio
),

with_peak as (
    select
        date,
        ratio,
        max(ratio) over history as peak_ratio,
        max_by(date, ratio) over history as peak_date
    from rebased
    window history as (order by date rows between unbounded preceding and current row)
)

select
    cast(date as date) as date,
    cast(ratio as double) as ratio,
    cast(peak_date as date) as peak_date,
    cast(peak_ratio as double) as peak_ratio,
    cast(ratio / peak_ratio - 1 as double) as drawdown_from_peak,
    cast(date_diff('day', peak_date, date) / 365.25 as double) as years_since_peak
from with_peak
