{#- Each benchmark is chained from its own daily returns (so a switch between adjusted and
    traded closes never shows as a jump), then the ratio is taken on common dates. A daily
    move across a flagged break in the price level (var level_break_flag_rules: a split on
    the wrong day) is not a market move: the chain steps over it (counts it as 0). -#}
with prices as (
    select * from {{ ref('int_benchmark_prices') }}
),

daily as (
    select
        role,
        symbol,
        date,
        lag(date) over by_role as previous_date,
        {{ period_return(
            'close', 'adj_close',
            'lag(close) over by_role',
            'lag(adj_close) over by_role'
        ) }} as return_1d
    from prices
    window by_role as (partition by role order by date)
),

stepped as (
    select
        role,
        symbol,
        date,
        case
            when {{ flags_over(
                'prices', 'daily.symbol', 'daily.previous_date', 'daily.date', var('level_break_flag_rules')
            ) }} is not null then 0
            else coalesce(return_1d, 0)
        end as return_1d
    from daily
),

chained as (
    select
        role,
        symbol,
        date,
        exp(sum(ln(1 + return_1d)) over (partition by role order by date)) as level
    from stepped
),

ratio as (
    select
        small.date,
        small.symbol as small_symbol,
        large.symbol as large_symbol,
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
        small_symbol,
        large_symbol,
        raw_ratio / first_value(raw_ratio) over (order by date) as ratio
    from ratio
),

with_peak as (
    select
        date,
        small_symbol,
        large_symbol,
        ratio,
        max(ratio) over history as peak_ratio,
        max_by(date, ratio) over history as peak_date
    from rebased
    window history as (order by date rows between unbounded preceding and current row)
),

-- The drawdown compares today with the peak: it reaches across every flagged stretch between them.
flagged as (
    select
        *,
        nullif(
            concat_ws(
                '; ',
                {{ flags_over('prices', 'with_peak.small_symbol', 'with_peak.peak_date', 'with_peak.date') }},
                {{ flags_over('prices', 'with_peak.large_symbol', 'with_peak.peak_date', 'with_peak.date') }}
            ),
            ''
        ) as flag_reason
    from with_peak
)

select
    cast(date as date) as date,
    cast(ratio as double) as ratio,
    cast(peak_date as date) as peak_date,
    cast(peak_ratio as double) as peak_ratio,
    cast(ratio / peak_ratio - 1 as double) as drawdown_from_peak,
    {{ days_between('peak_date', 'date') }} / cast(365.25 as double) as years_since_peak,
    cast(flag_reason as string) as flag_reason
from flagged
