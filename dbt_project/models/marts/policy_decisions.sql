with changes as (
    select * from {{ ref('int_policy_changes') }}
)

select
    cast(effective_date as date) as effective_date,
    cast(previous_date as date) as previous_date,
    cast(upper_before as double) as upper_before,
    cast(upper_after as double) as upper_after,
    cast(lower_before as double) as lower_before,
    cast(lower_after as double) as lower_after,
    cast(change_bp as integer) as change_bp,
    cast(direction as string) as direction,
    cast(lower_derived as boolean) as lower_derived
from changes
