{#-
  surge_5d, "The Russell 2000 surged 8.5% over five days": the best small 5-day return
  ending within claim_surge_window_days calendar days before each audit point, supported at
  or above surge_5d_threshold. When the small series does not reach data_as_of, a surge may
  lie in the days not held: no verdict.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

small_daily as (
    select date, return_5d from {{ ref('benchmark_daily') }}
    where role = 'small'
),

surge_window as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        max(small_daily.return_5d) as best_return_5d,
        -- Ordered input: a tie for the best return gives its earliest date, in every run.
        {{ arg_max_first('small_daily.date', 'small_daily.return_5d', 'small_daily.date') }} as best_date,
        count(small_daily.return_5d) as days_observed,
        bool_or(small_daily.date = audit_points.data_as_of) as covers_audit_day
    from audit_points
    left join small_daily
        on small_daily.date between (audit_points.as_of_date - {{ var('claim_surge_window_days') }})
        and audit_points.as_of_date
    group by audit_points.as_of_date, audit_points.data_as_of, audit_points.audit_view
)

select
    'surge_5d' as claim_id,
    'The Russell 2000 surged 8.5% over five days' as claim_text,
    'max small 5-day return ending within the '
    || {{ var('claim_surge_window_days') }}
    || ' days before the as-of date' as metric,
    best_return_5d as value,
    '>= ' || {{ var('surge_5d_threshold') }} as threshold,
    case
        when best_return_5d is null or not coalesce(covers_audit_day, false) then 'insufficient_data'
        when best_return_5d >= {{ var_num('surge_5d_threshold') }} then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([('best_end_date', 'best_date'), ('days_observed', 'days_observed')]) }} as detail
from surge_window
