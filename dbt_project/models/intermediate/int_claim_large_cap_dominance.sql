{#-
  large_cap_dominance_14y, "14 consecutive years of large-cap dominance": the streak of
  complete calendar years in which large beat small, ending with the year before the audit
  point's (the audit year is not complete), supported at claim_dominance_years or more. The
  relative-strength peak at data_as_of is context for the detail.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

streak_at as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        dominance.as_of_year,
        dominance.current_streak,
        dominance.longest_streak,
        dominance.longest_streak_end_year,
        strength.peak_date,
        strength.years_since_peak
    from audit_points
    left join {{ ref('dominance_streak') }} as dominance
        on dominance.as_of_year = year(audit_points.as_of_date) - 1
    left join {{ ref('relative_strength') }} as strength
        on strength.date = audit_points.data_as_of
)

select
    'large_cap_dominance_14y' as claim_id,
    '14 consecutive years of large-cap dominance' as claim_text,
    'consecutive complete calendar years, ending with the latest, in which large beat small' as metric,
    cast(current_streak as double) as value,
    '>= ' || {{ var('claim_dominance_years') }} as threshold,
    case
        when current_streak is null then 'insufficient_data'
        when current_streak >= {{ var('claim_dominance_years') }} then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('latest_complete_year', 'as_of_year'),
        ('longest_streak', 'longest_streak'),
        ('longest_streak_end_year', 'longest_streak_end_year'),
        ('relative_strength_peak_date', 'peak_date'),
        ('years_since_relative_strength_peak', 'years_since_peak')
    ]) }} as detail
from streak_at
