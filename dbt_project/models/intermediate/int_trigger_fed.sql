{#-
  fed_cut_by_deadline as of each as-of date D: met when a cut took effect in
  (fed_window_start, fed_deadline] and on or before D; pending while D is before the
  deadline; missed after it, but only when DFEDTARU is observed through the deadline
  (otherwise it stays pending with data_sufficient false: the data cannot tell).
-#}
with as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

cuts as (
    select *
    from {{ ref('int_policy_changes') }}
    where direction = 'cut'
        and effective_date > {{ var_date('fed_window_start') }}
        and effective_date <= {{ var_date('fed_deadline') }}
),

coverage as (
    select max(date) as last_observed
    from {{ ref('stg_rates') }}
    where series_id = 'DFEDTARU'
),

state as (
    select
        as_of_dates.as_of_date,
        min(cuts.effective_date) as first_cut_date,
        min_by(cuts.change_bp, cuts.effective_date) as first_cut_bp,
        count(cuts.effective_date) as cuts_in_window,
        sum(cuts.change_bp) as total_change_bp
    from as_of_dates
    left join cuts
        on cuts.effective_date <= as_of_dates.as_of_date
    group by as_of_dates.as_of_date
)

select
    'fed_cut_by_deadline' as trigger_id,
    state.as_of_date,
    cast(state.first_cut_bp as double) as value,
    cast(null as double) as threshold,
    case
        when state.cuts_in_window > 0 then 'met'
        when state.as_of_date <= {{ var_date('fed_deadline') }} then 'pending'
        when coverage.last_observed >= {{ var_date('fed_deadline') }} then 'missed'
        else 'pending'
    end as status,
    coalesce(
        state.cuts_in_window > 0
        or coverage.last_observed >= least(state.as_of_date, {{ var_date('fed_deadline') }}),
        false
    ) as data_sufficient,
    {{ json_text([
        ('window', "'(" ~ (var("fed_window_start")) ~ ', ' ~ (var("fed_deadline")) ~ "]'"),
        ('first_cut_date', 'state.first_cut_date'),
        ('first_cut_bp', 'state.first_cut_bp'),
        ('cuts_in_window', 'state.cuts_in_window'),
        ('total_change_bp', 'state.total_change_bp'),
        ('dfedtaru_observed_through', 'coverage.last_observed')
    ]) }} as detail,
    '{{ var("definition_version") }}' as definition_version
from state
cross join coverage
