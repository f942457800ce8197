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
        {{ period_return('year_ends.close', 'year_ends.adj_close', 'previous.close', 'previous.adj_close') }} as year_return,
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

small as (
    select * from yearly where role = 'small'
),

large as (
    select * from yearly where role = 'large'
)

select
    cast(small.year as integer) as year,
    cast(small.symbol as varchar) as small_symbol,
    cast(large.symbol as varchar) as large_symbol,
    cast(small.year_return as double) as small_return,
    cast(large.year_return as double) as large_return,
    cast(large.year_return > small.year_return as boolean) as large_won,
    cast(
        case
            when small.return_basis = large.return_basis then small.return_basis
            else 'mixed'
        end as varchar
    ) as return_basis,
    cast(small.return_basis as varchar) as small_return_basis,
    cast(large.return_basis as varchar) as large_return_basis,
    cast(small.year_end_date as date) as small_year_end_date,
    cast(large.year_end_date as date) as large_year_end_date
from small
inner join large
    on large.year = small.year
