{#-
  Corrections of each benchmark role. The level is a total-return index chained from the daily
  returns of marts.benchmark_daily (a NULL return, across a flagged break or on the first day,
  counts as 0: the chain steps over it). A day at or above every earlier level (a new high, or
  the old one regained) opens a stretch: its first day is the peak P, its other days lie below
  L_P, and the next stretch's first day is the recovery R (none for the last stretch). The
  trough is the stretch's lowest day (the first of equal lows); a stretch of one day has none.
  Stretches whose depth L_T / L_P - 1 reaches -drawdown_min_depth are episodes. The rebound is
  read drawdown_rebound_months calendar months after the trough, at the last trading day on or
  before then, and only once the data reaches that far. depth and rebound_6m are rounded to
  stat_round_digits decimals (makes them reproducible); the threshold reads the rounded depth.
-#}
with daily as (
    select role, symbol, date, return_1d from {{ ref('benchmark_daily') }}
),

levels as (
    select
        role,
        symbol,
        date,
        row_number() over by_role as day_number,
        exp(sum(ln(1 + coalesce(return_1d, 0))) over by_role) as level
    from daily
    window by_role as (partition by role order by date rows between unbounded preceding and current row)
),

highs as (
    select
        *,
        level >= coalesce(
            max(level) over (partition by role order by date rows between unbounded preceding and 1 preceding), level
        ) as is_high
    from levels
),

-- Stretch number: the highs so far.
stretches as (
    select
        *,
        sum(case when is_high then 1 else 0 end) over (
            partition by role order by date rows between unbounded preceding and current row
        ) as stretch_id
    from highs
),

peaks as (
    select
        role,
        stretch_id,
        symbol,
        date as peak_date,
        day_number as peak_day_number,
        level as peak_level,
        lead(date) over (partition by role order by stretch_id) as recovery_date
    from stretches
    where is_high
),

troughs as (
    select
        role,
        stretch_id,
        date as trough_date,
        day_number as trough_day_number,
        level as trough_level
    from stretches
    where not is_high
    qualify row_number() over (partition by role, stretch_id order by level, date) = 1
),

episodes as (
    select
        peaks.role,
        peaks.symbol,
        peaks.peak_date,
        troughs.trough_date,
        round(troughs.trough_level / peaks.peak_level - 1, {{ var('stat_round_digits') }}) as depth,
        troughs.trough_level,
        {{ add_months('troughs.trough_date', var('drawdown_rebound_months') | int) }} as rebound_target,
        peaks.recovery_date,
        troughs.trough_day_number - peaks.peak_day_number as trading_days_to_trough
    from peaks
    inner join troughs
        on troughs.role = peaks.role
        and troughs.stretch_id = peaks.stretch_id
    where round(troughs.trough_level / peaks.peak_level - 1, {{ var('stat_round_digits') }})
        <= -{{ var_num('drawdown_min_depth') }}
),

last_days as (
    select role, max(date) as last_date from levels group by role
),

-- The last trading day on or before the rebound target, when the data reaches the target.
rebounds as (
    select
        episodes.role,
        episodes.peak_date,
        levels.date as rebound_date,
        levels.level as rebound_level
    from episodes
    inner join last_days
        on last_days.role = episodes.role
        and last_days.last_date >= episodes.rebound_target
    inner join levels
        on levels.role = episodes.role
        and levels.date >= episodes.trough_date
        and levels.date <= episodes.rebound_target
    qualify row_number() over (partition by episodes.role, episodes.peak_date order by levels.date desc) = 1
)

select
    cast(episodes.role as string) as role,
    cast(episodes.symbol as string) as symbol,
    cast(episodes.peak_date as date) as peak_date,
    cast(episodes.trough_date as date) as trough_date,
    cast(episodes.depth as double) as depth,
    cast(
        round(rebounds.rebound_level / episodes.trough_level - 1, {{ var('stat_round_digits') }}) as double
    ) as rebound_6m,
    cast(rebounds.rebound_date as date) as rebound_date,
    cast(episodes.recovery_date as date) as recovery_date,
    cast(episodes.trading_days_to_trough as integer) as trading_days_to_trough,
    cast(episodes.recovery_date is not null as boolean) as is_recovered
from episodes
left join rebounds
    on rebounds.role = episodes.role
    and rebounds.peak_date = episodes.peak_date
