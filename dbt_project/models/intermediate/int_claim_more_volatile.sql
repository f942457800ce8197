{#-
  more_volatile, "Small caps are inherently more volatile": the small / large volatility ratio
  (marts.volatility) at data_as_of, supported when above 1 today and on most (more than half)
  of the days with a ratio in the trailing claim_volatility_years: "inherently" asks for the
  usual state, not one quarter's reading. No ratio today, or fewer than
  claim_volatility_min_days days with a ratio in those years: no verdict.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

volatility as (
    select date, small_vol_63d, large_vol_63d, ratio from {{ ref('volatility') }}
),

history as (
    select
        audit_points.as_of_date,
        count(volatility.ratio) as days,
        count(volatility.ratio) filter (where volatility.ratio > 1) as days_above_1
    from audit_points
    left join volatility
        on volatility.date > {{ add_months('audit_points.data_as_of', -12 * var('claim_volatility_years') | int) }}
        and volatility.date <= audit_points.data_as_of
    group by audit_points.as_of_date
),

at_point as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        today.small_vol_63d,
        today.large_vol_63d,
        today.ratio,
        history.days,
        history.days_above_1 / nullif(history.days, 0) as share_days_above_1
    from audit_points
    left join volatility as today
        on today.date = audit_points.data_as_of
    left join history
        on history.as_of_date = audit_points.as_of_date
)

select
    'more_volatile' as claim_id,
    'Small caps are inherently more volatile' as claim_text,
    '63-day realized volatility ratio, small / large' as metric,
    ratio as value,
    '> 1, and > 1 on more than half of the days of the trailing '
    || {{ var('claim_volatility_years') }} || ' years' as threshold,
    case
        when ratio is null or days < {{ var('claim_volatility_min_days') }} then 'insufficient_data'
        when ratio > 1 and share_days_above_1 > 0.5 then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('small_vol_63d', 'small_vol_63d'),
        ('large_vol_63d', 'large_vol_63d'),
        ('share_days_above_1', 'share_days_above_1'),
        ('days', 'days')
    ]) }} as detail
from at_point
