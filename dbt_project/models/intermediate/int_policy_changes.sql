{#-
  Fed policy decisions: a date on which the target range's upper bound (DFEDTARU) differs
  from its previous observation. The lower bound comes from DFEDTARL on the same dates or,
  where it is missing, is derived as upper - fed_range_width (valid since lower_bound_derivable_since).
-#}
with rates as (
    select series_id, date, value
    from {{ ref('stg_rates') }}
    where series_id in ('DFEDTARU', 'DFEDTARL')
),

upper_bound as (
    select
        date,
        value as upper_after,
        lag(value) over (order by date) as upper_before,
        lag(date) over (order by date) as previous_date
    from rates
    where series_id = 'DFEDTARU'
),

lower_bound as (
    select date, value
    from rates
    where series_id = 'DFEDTARL'
),

changes as (
    select *
    from upper_bound
    where upper_before is not null
        and upper_after <> upper_before
),

with_lower as (
    select
        changes.date as effective_date,
        changes.previous_date,
        changes.upper_before,
        changes.upper_after,
        lower_before.value as lower_before_observed,
        lower_after.value as lower_after_observed
    from changes
    left join lower_bound as lower_before
        on lower_before.date = changes.previous_date
    left join lower_bound as lower_after
        on lower_after.date = changes.date
),

derivable as (
    select
        *,
        previous_date >= {{ var_date('lower_bound_derivable_since') }} as can_derive_before,
        effective_date >= {{ var_date('lower_bound_derivable_since') }} as can_derive_after
    from with_lower
)

select
    effective_date,
    previous_date,
    upper_before,
    upper_after,
    coalesce(
        lower_before_observed,
        case when can_derive_before then upper_before - {{ var_num('fed_range_width') }} end
    ) as lower_before,
    coalesce(
        lower_after_observed,
        case when can_derive_after then upper_after - {{ var_num('fed_range_width') }} end
    ) as lower_after,
    cast(round((upper_after - upper_before) * 100) as integer) as change_bp,
    case when upper_after < upper_before then 'cut' else 'hike' end as direction,
    (
        (lower_before_observed is null and can_derive_before)
        or (lower_after_observed is null and can_derive_after)
    ) as lower_derived
from derivable
