{#-
  eps_growth_15 as of each as-of date D: met when the small index's same-company aggregate
  YoY net-income growth is at least eps_growth_threshold for a calendar quarter from
  eps_growth_window_start to eps_growth_deadline that is reported at D (reported_share at
  least eps_reported_min, facts filed by D); pending while the deadline quarter is not
  reported; missed after. A quarter whose base is too small to grow from (small_base in
  int_eps_growth_asof) is not counted: its growth is not meaningful (as with a negative
  base, which has no growth at all). Without small-index earnings the status stays pending
  and data_sufficient is false (the data cannot tell).
-#}
with as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

growth as (
    select
        {{ star_except(['aggregate_growth']) }},
        -- Growth from a base too small to grow from is reported, not counted.
        case when not coalesce(small_base, false) then aggregate_growth end as aggregate_growth,
        aggregate_growth as reported_growth
    from {{ ref('int_eps_growth_asof') }}
    where index_role = 'small'
        and (
            calendar_quarter_index between {{ quarter_index_of_var('eps_growth_window_start') }}
            and {{ quarter_index_of_var('eps_growth_deadline') }}
        )
),

has_earnings as (
    select count(*) > 0 as loaded
    from {{ ref('int_eps_growth_asof') }}
    where index_role = 'small' and reported > 0
),

state as (
    select
        as_of_dates.as_of_date,
        max(growth.aggregate_growth) filter (where growth.is_reported) as best_growth,
        -- Ordered input: a tie for the best growth gives its earliest quarter, in every run.
        {{ arg_max_first(
            'growth.calendar_quarter', 'growth.aggregate_growth', 'growth.calendar_quarter_index'
        ) }} filter (where growth.is_reported) as best_quarter,
        count(*) filter (
            where growth.is_reported and growth.aggregate_growth >= {{ var_num('eps_growth_threshold') }}
        ) as quarters_met,
        bool_or(
            growth.is_reported and growth.calendar_quarter_index = {{ quarter_index_of_var('eps_growth_deadline') }}
        ) as deadline_reported,
        max(growth.reported_share) filter (
            where growth.calendar_quarter_index = {{ quarter_index_of_var('eps_growth_deadline') }}
        ) as deadline_reported_share,
        {{ string_agg_ordered(
            "growth.calendar_quarter || '=' || coalesce(cast(round(growth.reported_growth, 4) as string), 'null')
            || (case when coalesce(growth.small_base, false) then ' (small base: not counted)' else '' end)
            || (case when growth.is_reported then '' else ' (not reported)' end)",
            "'; '", 'growth.calendar_quarter_index'
        ) }} as quarters
    from as_of_dates
    left join growth
        on growth.as_of_date = as_of_dates.as_of_date
    group by as_of_dates.as_of_date
)

select
    'eps_growth_15' as trigger_id,
    state.as_of_date,
    state.best_growth as value,
    {{ var_num('eps_growth_threshold') }} as threshold,
    case
        when not has_earnings.loaded then 'pending'
        when state.quarters_met > 0 then 'met'
        when coalesce(state.deadline_reported, false) then 'missed'
        else 'pending'
    end as status,
    has_earnings.loaded as data_sufficient,
    {{ json_text([
        ('window', "'" ~ (var("eps_growth_window_start")) ~ '..' ~ (var("eps_growth_deadline")) ~ "'"),
        ('best_quarter', 'state.best_quarter'),
        ('deadline_reported_share', 'state.deadline_reported_share'),
        ('reported_min', (var('eps_reported_min'))),
        ('quarters', 'state.quarters')
    ]) }} as detail,
    '{{ var("definition_version") }}' as definition_version
from state
cross join has_earnings
