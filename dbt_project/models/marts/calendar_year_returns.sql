{#- Complete calendar years only: a year counts once its benchmark has a close in a later
    year (or on 31 December) and a close in the year before. -#}
with prices as (
    select * from {{ ref('int_benchmark_prices') }}
),

last_date as (
    select role, max(date) as last_date from prices group by role
),

year_ends as (
    select role, symbol, year(date) as year, date, close, adj_close
    from prices
    qualify row_number() over (partition by role, year(date) order by date desc) = 1
),

yearly as (
    select
        year_ends.role,
        year_ends.symbol,
        year_ends.year,
        year_ends.date as year_end_date,
        previous.date as previous_year_end_date,
        {{ period_return('year_ends.close', 'year_ends.adj_close', 'previous.close', 'previous.adj_close') }}
            as year_return,
        {{ return_basis('year_ends.adj_close', 'previous.adj_close') }} as return_basis
    from year_ends
    inner join year_ends as previous
        on previous.role = year_ends.role
        and previous.year = year_ends.year - 1
    inner join last_date
        on last_date.role = year_ends.role
    where last_date.last_date > year_ends.date
        or year_ends.date = make_date(year_ends.year, 12, 31)
),

flagged as (
    select
        *,
        {{ flags_over('prices', 'yearly.symbol', 'yearly.previous_year_end_date', 'yearly.year_end_date') }} as flags
    from yearly
),

small as (
    select * from flagged where role = 'small'
),

large as (
    select * from flagged where role = 'large'
),

-- A year whose return reaches across a flagged stretch has no return, and no winner.
joined as (
    select
        small.year,
        small.symbol as small_symbol,
        large.symbol as large_symbol,
        {{ unless_flagged('small.year_return', 'small.flags') }} as small_return,
        {{ unless_flagged('large.year_return', 'large.flags') }} as large_return,
        small.return_basis as small_return_basis,
        large.return_basis as large_return_basis,
        small.year_end_date as small_year_end_date,
        large.year_end_date as large_year_end_date,
        nullif(concat_ws('; ', small.flags, large.flags), '') as flag_reason
    from small
    inner join large
        on large.year = small.year
)

select
    cast(year as integer) as year,
    cast(small_symbol as string) as small_symbol,
    cast(large_symbol as string) as large_symbol,
    cast(small_return as double) as small_return,
    cast(large_return as double) as large_return,
    cast(large_return > small_return as boolean) as large_won,
    cast(
        case
            when small_return_basis = large_return_basis then small_return_basis
            else 'mixed'
        end as string
    ) as return_basis,
    cast(small_return_basis as string) as small_return_basis,
    cast(large_return_basis as string) as large_return_basis,
    cast(small_year_end_date as date) as small_year_end_date,
    cast(large_year_end_date as date) as large_year_end_date,
    cast(flag_reason as string) as flag_reason
from joined
