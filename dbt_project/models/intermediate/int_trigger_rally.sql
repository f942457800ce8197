{#-
  rally_10pct_wow as of each as-of date D, over rally weeks ending after rally_window_start
  and on or before D: met when one was sustained (check week ended by D); pending while a
  rally's check week has not ended; not_met otherwise (no rally, or none held). value is the
  best small WoW return in the window so far.
-#}
with as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

weekly as (
    select * from {{ ref('int_benchmark_weekly') }}
    where role = 'small'
        and week_end_date > {{ var_date('rally_window_start') }}
),

rallies as (
    select * from {{ ref('int_rally_weeks') }}
    where week_end_date > {{ var_date('rally_window_start') }}
),

best_week as (
    select
        as_of_dates.as_of_date,
        max(weekly.wow_return) as best_wow_return,
        -- Ordered input: a tie for the best week gives its earliest week, in every run.
        {{ arg_max_first('weekly.week_end_date', 'weekly.wow_return', 'weekly.week_end_date') }} as best_week_end_date,
        count(weekly.week_end_date) as weeks_observed
    from as_of_dates
    left join weekly
        on weekly.week_end_date <= as_of_dates.as_of_date
    group by as_of_dates.as_of_date
),

rally_state as (
    select
        as_of_dates.as_of_date,
        count(rallies.week_end_date) as rallies,
        count(*) filter (where rallies.sustained and rallies.check_week_end_date <= as_of_dates.as_of_date)
            as sustained_rallies,
        count(*) filter (
            where rallies.week_end_date is not null
            and (rallies.check_week_end_date is null or rallies.check_week_end_date > as_of_dates.as_of_date)
        ) as unresolved_rallies,
        min(rallies.week_end_date) filter (
            where rallies.sustained and rallies.check_week_end_date <= as_of_dates.as_of_date
        ) as first_sustained_week,
        max(rallies.week_end_date) as last_rally_week,
        max_by(rallies.sustain_return, rallies.week_end_date) filter (
            where rallies.check_week_end_date <= as_of_dates.as_of_date
        ) as last_sustain_return
    from as_of_dates
    left join rallies
        on rallies.week_end_date <= as_of_dates.as_of_date
    group by as_of_dates.as_of_date
)

select
    'rally_10pct_wow' as trigger_id,
    rally_state.as_of_date,
    best_week.best_wow_return as value,
    {{ var_num('rally_wow_threshold') }} as threshold,
    case
        when rally_state.sustained_rallies > 0 then 'met'
        when rally_state.unresolved_rallies > 0 then 'pending'
        else 'not_met'
    end as status,
    best_week.weeks_observed > 0 as data_sufficient,
    {{ json_text([
        ('window_start', (var_date('rally_window_start'))),
        ('weeks_observed', 'best_week.weeks_observed'),
        ('best_week_end_date', 'best_week.best_week_end_date'),
        ('best_wow_return', 'best_week.best_wow_return'),
        ('rally_weeks', 'rally_state.rallies'),
        ('last_rally_week', 'rally_state.last_rally_week'),
        ('first_sustained_week', 'rally_state.first_sustained_week'),
        ('last_sustain_return', 'rally_state.last_sustain_return'),
        ('sustain_weeks', (var('rally_sustain_weeks')))
    ]) }} as detail,
    '{{ var("definition_version") }}' as definition_version
from rally_state
inner join best_week
    on best_week.as_of_date = rally_state.as_of_date
