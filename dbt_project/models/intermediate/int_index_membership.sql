{#-
  Point-in-time index membership at each as-of date: the members of the latest snapshot
  of the role's index taken on or before that date.
-#}
with roles as (
    {{ benchmark_roles() }}
),

as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

universe as (
    select universe.*, roles.role as index_role
    from {{ ref('stg_universe') }} as universe
    inner join roles
        on roles.index_id = universe.index_id
),

snapshots as (
    select distinct index_role, index_id, as_of_date as snapshot_date
    from universe
),

index_dates as (
    select roles.role as index_role, as_of_dates.as_of_date
    from as_of_dates
    cross join roles
),

snapshot_in_force as (
    select
        index_dates.index_role,
        index_dates.as_of_date,
        snapshots.index_id,
        snapshots.snapshot_date
    from index_dates
    {{ asof_join(
        'inner', 'index_dates', 'snapshots', [('snapshots.index_role', 'index_dates.index_role')],
        'snapshots.snapshot_date', '<=', 'index_dates.as_of_date'
    ) }}
)

select
    snapshot_in_force.index_role,
    snapshot_in_force.index_id,
    snapshot_in_force.as_of_date,
    snapshot_in_force.snapshot_date,
    universe.symbol,
    coalesce(universe.sector, 'UNKNOWN') as sector,
    universe.weight as index_weight
from snapshot_in_force
inner join universe
    on universe.index_role = snapshot_in_force.index_role
    and universe.as_of_date = snapshot_in_force.snapshot_date
