{#-
  Daily benchmark returns beside the daily change in the 10-year Treasury yield (DGS10,
  percentage points), on trading days where both exist and cover the same interval: the
  previous observation of DGS10 and of each benchmark is the previous trading day.
  FRED holidays are absent from stg_rates (never read as 0), so the day after a bond
  holiday has no aligned change and is left out. So is a day whose yield change or either
  benchmark return reaches across a flagged stretch (stg_series_flags): it is not a daily
  observation a regression may use.
-#}
with trading_days as (
    select * from {{ ref('int_trading_days') }}
),

calendar as (
    select
        date,
        day_index,
        lag(date) over (order by date) as previous_trading_date
    from trading_days
),

treasury_10y as (
    select
        date,
        value as dgs10,
        lag(value) over (order by date) as dgs10_previous,
        lag(date) over (order by date) as dgs10_previous_date
    from {{ ref('stg_rates') }}
    where series_id = 'DGS10'
),

benchmark_returns as (
    select
        role,
        symbol,
        date,
        lag(date) over (partition by role order by date) as previous_date,
        {{ period_return(
            'close', 'adj_close',
            'lag(close) over (partition by role order by date)',
            'lag(adj_close) over (partition by role order by date)'
        ) }} as return_1d
    from {{ ref('int_benchmark_prices') }}
),

small_returns as (
    select * from benchmark_returns where role = 'small'
),

large_returns as (
    select * from benchmark_returns where role = 'large'
),

aligned as (
    select
        calendar.date,
        calendar.day_index,
        calendar.previous_trading_date,
        treasury_10y.dgs10,
        treasury_10y.dgs10 - treasury_10y.dgs10_previous as dgs10_change_pp,
        small_returns.return_1d as small_return,
        large_returns.return_1d as large_return,
        small_returns.return_1d - large_returns.return_1d as spread_return,
        small_returns.symbol as small_symbol,
        large_returns.symbol as large_symbol
    from calendar
    inner join treasury_10y
        on treasury_10y.date = calendar.date
        and treasury_10y.dgs10_previous_date = calendar.previous_trading_date
    inner join small_returns
        on small_returns.date = calendar.date
        and small_returns.previous_date = calendar.previous_trading_date
    inner join large_returns
        on large_returns.date = calendar.date
        and large_returns.previous_date = calendar.previous_trading_date
)

select
    date,
    day_index,
    previous_trading_date,
    dgs10,
    dgs10_change_pp,
    small_return,
    large_return,
    spread_return
from aligned
where
    {{ flags_over('rates', "'DGS10'", 'aligned.previous_trading_date', 'aligned.date') }} is null
    and {{ flags_over('prices', 'aligned.small_symbol', 'aligned.previous_trading_date', 'aligned.date') }} is null
    and {{ flags_over('prices', 'aligned.large_symbol', 'aligned.previous_trading_date', 'aligned.date') }} is null
