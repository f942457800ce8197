{#-
  What the M&A measures can rely on. One row.

  Deals count only when their target was in the small index's snapshot in force at the
  announcement (int_mna_small_targets), so a deal announced before the first snapshot is
  dropped, not counted: months before it would read as months without deals, and a trailing
  average over them would be too low for a year (the acceleration ratio too high). Coverage
  therefore starts at the later of the first month with an event and the first month wholly
  after the first snapshot (the snapshot's own month when it is dated the 1st).
-#}
with roles as (
    {{ benchmark_roles() }}
),

events as (
    select min(announce_date) as first_event_date
    from {{ ref('stg_mna_events') }}
),

small_snapshots as (
    select
        min(universe.as_of_date) as first_snapshot_date,
        count(*) > 0 as has_membership
    from {{ ref('stg_universe') }} as universe
    inner join roles
        on roles.index_id = universe.index_id
        and roles.role = 'small'
),

first_months as (
    select
        events.first_event_date,
        small_snapshots.first_snapshot_date,
        small_snapshots.has_membership,
        cast(date_trunc('month', events.first_event_date) as date) as first_event_month,
        case
            when small_snapshots.first_snapshot_date = date_trunc('month', small_snapshots.first_snapshot_date)
                then small_snapshots.first_snapshot_date
            else cast(date_trunc('month', small_snapshots.first_snapshot_date) + interval 1 month as date)
        end as first_snapshot_month
    from events
    cross join small_snapshots
)

select
    -- NULL when either is missing: no coverage at all.
    case
        when first_event_month is not null and first_snapshot_month is not null
            then greatest(first_event_month, first_snapshot_month)
    end as first_month,
    has_membership,
    first_event_date,
    first_snapshot_date
from first_months
