{#-
  Realized volatility per benchmark role: the sample standard deviation of daily log returns
  ln(1 + return_1d) over the last volatility_window_days trading days of the market calendar,
  annualized with sqrt(252). The window counts calendar days, not a role's observations: a day
  a benchmark did not trade, or whose return steps over a flagged break (NULL return_1d), stays
  in the window without an observation, so a gap never stretches the window back in time.
  Fewer than volatility_min_obs observations: no volatility (and no ratio; nor against a flat
  large benchmark, whose volatility is 0). Values are rounded
  to stat_round_digits decimals (far below their sampling error; makes them reproducible).
-#}
with roles as (
    {{ benchmark_roles() }}
),

trading_days as (
    select date, day_index from {{ ref('int_trading_days') }}
),

daily as (
    select role, date, return_1d from {{ ref('benchmark_daily') }}
),

-- Every role on every trading day, with its log return when it has one.
grid as (
    select
        roles.role,
        trading_days.date,
        trading_days.day_index,
        ln(1 + daily.return_1d) as log_return
    from trading_days
    cross join roles
    left join daily
        on daily.role = roles.role
        and daily.date = trading_days.date
),

rolling as (
    select
        role,
        date,
        stddev_samp(log_return) over recent_days * sqrt(252) as vol,
        count(log_return) over recent_days as obs
    from grid
    window recent_days as (
        partition by role
        order by day_index
        range between {{ var('volatility_window_days') | int - 1 }} preceding and current row
    )
),

by_date as (
    select
        date,
        any_value(case when obs >= {{ var('volatility_min_obs') }} then vol end) filter (where role = 'small')
            as small_vol,
        any_value(case when obs >= {{ var('volatility_min_obs') }} then vol end) filter (where role = 'large')
            as large_vol,
        any_value(obs) filter (where role = 'small') as small_obs,
        any_value(obs) filter (where role = 'large') as large_obs
    from rolling
    group by date
),

symbols as (
    select
        any_value(symbol) filter (where role = 'small') as small_symbol,
        any_value(symbol) filter (where role = 'large') as large_symbol
    from roles
),

-- The table starts on the first day either role has a volatility.
first_day as (
    select min(date) as date from by_date where small_vol is not null or large_vol is not null
),

published as (
    select
        by_date.*,
        by_date.small_vol / nullif(by_date.large_vol, 0) as ratio
    from by_date
    inner join first_day
        on first_day.date <= by_date.date
)

select
    cast(published.date as date) as date,
    cast(symbols.small_symbol as string) as small_symbol,
    cast(symbols.large_symbol as string) as large_symbol,
    cast(round(published.small_vol, {{ var('stat_round_digits') }}) as double) as small_vol_63d,
    cast(round(published.large_vol, {{ var('stat_round_digits') }}) as double) as large_vol_63d,
    cast(round(published.ratio, {{ var('stat_round_digits') }}) as double) as ratio,
    cast(published.small_obs as integer) as small_obs,
    cast(published.large_obs as integer) as large_obs
from published
cross join symbols
