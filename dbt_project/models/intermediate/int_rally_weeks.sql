{#-
  Weeks in which the small benchmark rose at least rally_wow_threshold week over week,
  and whether the rally held: rally_sustain_weeks after the rally week, the close is still
  at least the threshold above the close before the rally week. The check is known once
  the check week has ended (check_week_end_date): the data holds a later week, or its
  latest close is on a Friday (the week's last trading day; a week whose Friday is a
  holiday resolves when the next week's first close arrives). Until then the check week's
  close is a mid-week close, check_week_end_date is NULL and the rally is not sustained yet.
-#}
with weekly as (
    select * from {{ ref('int_benchmark_weekly') }}
    where role = 'small'
),

-- A week is over once a later week has a close, or its last close is on a Friday.
weeks_ended as (
    select
        *,
        (
            lead(week_start) over (order by week_start) is not null
            or dayofweek(week_end_date) = 5
        ) as week_ended
    from weekly
),

rallies as (
    select *
    from weekly
    where wow_return >= {{ var_num('rally_wow_threshold') }}
),

checks as (
    select
        rallies.week_start,
        rallies.week_end_date,
        rallies.wow_return,
        rallies.previous_week_end_date as base_week_end_date,
        rallies.previous_close as base_close,
        rallies.previous_adj_close as base_adj_close,
        check_week.week_end_date as check_week_end_date,
        check_week.close as check_close,
        check_week.adj_close as check_adj_close
    from rallies
    left join weeks_ended as check_week
        on check_week.week_start = rallies.week_start + 7 * {{ var('rally_sustain_weeks') }}
        and check_week.week_ended
)

select
    week_start,
    week_end_date,
    wow_return,
    base_week_end_date,
    check_week_end_date,
    {{ period_return('check_close', 'check_adj_close', 'base_close', 'base_adj_close') }} as sustain_return,
    coalesce(
        {{ period_return('check_close', 'check_adj_close', 'base_close', 'base_adj_close') }}
        >= {{ var_num('rally_wow_threshold') }},
        false
    ) as sustained
from checks
