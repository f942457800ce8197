{#-
  universe_replenished, "The universe is being replenished as IPOs and M&A deals create fresh
  investment opportunities": the small index's additions and removals (marts.universe_changes)
  summed over its snapshots of the claim_universe_months before data_as_of, supported when the
  index gained at least as many members as it lost. Fewer than claim_universe_min_snapshots
  snapshots in the window (the first snapshot counts) and the window holds no turnover of its
  own to judge: no verdict and no value.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

changes as (
    select as_of_date, previous_as_of_date, additions, removals, removals_mna
    from {{ ref('universe_changes') }}
    where index_role = 'small'
),

windows as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        count(changes.as_of_date) as snapshots,
        sum(changes.additions) filter (where changes.previous_as_of_date is not null)::bigint as additions,
        sum(changes.removals) filter (where changes.previous_as_of_date is not null)::bigint as removals,
        sum(changes.removals_mna) filter (where changes.previous_as_of_date is not null)::bigint as removals_mna
    from audit_points
    left join changes
        on changes.as_of_date <= audit_points.data_as_of
        and changes.as_of_date
        > {{ add_months('audit_points.data_as_of', -(var('claim_universe_months') | int)) }}
    group by audit_points.as_of_date, audit_points.data_as_of, audit_points.audit_view
),

judged as (
    select
        *,
        snapshots >= {{ var('claim_universe_min_snapshots') | int }} as has_window
    from windows
)

select
    'universe_replenished' as claim_id,
    'The universe is being replenished as IPOs and M&A deals create fresh investment opportunities'
        as claim_text,
    'Net additions to the small index over the ' || {{ var('claim_universe_months') | int }}
    || ' months before (additions - removals)' as metric,
    case when has_window then (additions - removals)::double end as value,
    '>= 0' as threshold,
    case
        when not has_window then 'insufficient_data'
        when additions >= removals then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('additions', 'additions'),
        ('removals', 'removals'),
        ('removals_mna', 'removals_mna'),
        ('snapshots', 'snapshots')
    ]) }} as detail
from judged
