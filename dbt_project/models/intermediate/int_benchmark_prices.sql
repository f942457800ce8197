{#- The price series of each benchmark role, on that benchmark's own trading days. -#}
with roles as (
    {{ benchmark_roles() }}
),

prices as (
    select symbol, date, close, adj_close
    from {{ ref('stg_prices') }}
    where symbol in ({{ benchmark_symbol_list() }})
)

select
    roles.role,
    prices.symbol,
    prices.date,
    prices.close,
    prices.adj_close,
    cast(row_number() over (partition by roles.role order by prices.date) as integer) as day_number
from prices
inner join roles
    on roles.symbol = prices.symbol
