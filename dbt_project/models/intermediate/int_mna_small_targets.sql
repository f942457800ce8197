{#- M&A events whose target was a member of the small index's snapshot in force at the
    announcement date. -#}
with roles as (
    {{ benchmark_roles() }}
),

events as (
    select * from {{ ref('stg_mna_events') }}
),

small_universe as (
    select universe.symbol, universe.as_of_date as snapshot_date
    from {{ ref('stg_universe') }} as universe
    inner join roles
        on roles.index_id = universe.index_id
        and roles.role = 'small'
),

snapshots as (
    select distinct snapshot_date from small_universe
),

events_in_force as (
    select events.*, snapshots.snapshot_date
    from events
    {{ asof_join('inner', 'events', 'snapshots', [], 'snapshots.snapshot_date', '<=', 'events.announce_date') }}
)

select
    events_in_force.announce_date,
    events_in_force.target_symbol,
    events_in_force.acquirer,
    events_in_force.deal_value_usd,
    events_in_force.status,
    events_in_force.snapshot_date
from events_in_force
inner join small_universe
    on small_universe.snapshot_date = events_in_force.snapshot_date
    and small_universe.symbol = events_in_force.target_symbol
