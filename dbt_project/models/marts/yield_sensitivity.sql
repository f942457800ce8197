{#-
  Rolling regression, in SQL, of each subject's daily return on the daily change in the
  10-year yield (percentage points): window = the last yield_beta_window trading days
  (days without an aligned observation count towards the window but add no observation).
  t-statistic of the slope = r * sqrt((n - 2) / (1 - r^2)). Statistics are rounded to
  stat_round_digits decimals (far below their sampling error; makes them reproducible).
-#}
with aligned as (
    select * from {{ ref('int_yield_changes_aligned') }}
),

observations as (
    select date, day_index, dgs10_change_pp, subject, subject_return
    from aligned
    unpivot (
        subject_return for subject in (small_return as small, large_return as large, spread_return as spread)
    )
),

rolling as (
    select
        date,
        subject,
        regr_slope(subject_return, dgs10_change_pp) over recent_days as beta,
        regr_intercept(subject_return, dgs10_change_pp) over recent_days as alpha,
        corr(subject_return, dgs10_change_pp) over recent_days as correlation,
        regr_r2(subject_return, dgs10_change_pp) over recent_days as r_squared,
        regr_count(subject_return, dgs10_change_pp) over recent_days as n_obs,
        min(date) over recent_days as window_start
    from observations
    window recent_days as (
        partition by subject
        order by day_index
        range between {{ var('yield_beta_window') | int - 1 }} preceding and current row
    )
),

with_stats as (
    select
        *,
        n_obs >= {{ var('yield_beta_min_obs') }} and n_obs > 2 and correlation is not null as is_estimable
    from rolling
)

select
    cast(date as date) as date,
    cast(subject as string) as subject,
    cast(round(case when is_estimable then beta end, {{ var('stat_round_digits') }}) as double) as beta,
    cast(
        round(
            case
                when is_estimable and abs(correlation) < 1
                    then correlation * sqrt((n_obs - 2) / (1 - correlation * correlation))
            end,
            {{ var('stat_round_digits') }}
        ) as double
    ) as t_stat,
    cast(round(case when is_estimable then correlation end, {{ var('stat_round_digits') }}) as double) as correlation,
    cast(round(case when is_estimable then r_squared end, {{ var('stat_round_digits') }}) as double) as r_squared,
    cast(n_obs as integer) as n_obs,
    cast(round(case when is_estimable then alpha end, {{ var('stat_round_digits') }}) as double) as alpha,
    cast(window_start as date) as window_start
from with_stats
