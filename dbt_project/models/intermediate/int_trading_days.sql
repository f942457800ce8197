{#- The market calendar: the dates of the large benchmark's prices. -#}
with large_benchmark_days as (
    select distinct date
    from {{ ref('int_benchmark_prices') }}
    where role = 'large'
),

numbered as (
    select
        date,
        row_number() over (order by date) as day_index,
        date = max(date) over (partition by year(date), month(date)) as is_month_end,
        date = max(date) over () as is_latest
    from large_benchmark_days
)

select
    date,
    cast(day_index as integer) as day_index,
    is_month_end,
    is_latest
from numbered
