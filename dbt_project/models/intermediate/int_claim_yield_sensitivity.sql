{#-
  yield_sensitivity, "Small caps are sensitive to rising Treasury yields": the rolling
  regression of the small - large daily return spread on the daily DGS10 change, the latest on
  or before data_as_of; supported when beta < 0 with t at claim_spread_t_max or lower. A
  regression more than claim_max_stale_days older than data_as_of is not read: no verdict.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

spread_regressions as (
    select * from {{ ref('yield_sensitivity') }}
    where subject = 'spread'
),

sensitivity_at as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        -- sqlfluff reads the excluded column as an unqualified reference
        {{ star_except(['date'], 'spread_regressions') }},  -- noqa: RF02
        spread_regressions.date as regression_date
    from audit_points
    {{ asof_join(
        'left', 'audit_points', 'spread_regressions', [],
        'spread_regressions.date', '<=', 'audit_points.data_as_of'
    ) }}
)

select
    'yield_sensitivity' as claim_id,
    'Small caps are sensitive to rising Treasury yields' as claim_text,
    't-statistic of the rolling beta of the small - large daily return spread on the daily DGS10 change' as metric,
    t_stat as value,
    'beta < 0 and t <= ' || {{ var('claim_spread_t_max') }} as threshold,
    case
        when beta is null or t_stat is null
            or regression_date < data_as_of - {{ var('claim_max_stale_days') }} then 'insufficient_data'
        when beta < 0 and t_stat <= {{ var_num('claim_spread_t_max') }} then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('regression_date', 'regression_date'),
        ('beta', 'beta'),
        ('correlation', 'correlation'),
        ('r_squared', 'r_squared'),
        ('n_obs', 'n_obs')
    ]) }} as detail
from sensitivity_at
