with weekly as (
    select * from {{ ref('int_benchmark_weekly') }}
)

select
    cast(role as string) as role,
    cast(symbol as string) as symbol,
    cast(week_start as date) as week_start,
    cast(week_end_date as date) as week_end_date,
    cast(close as double) as close,
    cast(adj_close as double) as adj_close,
    cast(previous_week_end_date as date) as previous_week_end_date,
    cast(wow_return as double) as wow_return,
    cast(return_basis as string) as return_basis,
    cast(flag_reason as string) as flag_reason
from weekly
