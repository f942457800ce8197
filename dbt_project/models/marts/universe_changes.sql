{#-
  How each role's index turns over, snapshot by snapshot: the members of a snapshot against those
  of the index's snapshot before it. Additions are in it and not before, removals the reverse;
  removals_mna are the removals that were the target of a deal announced in the
  universe_mna_lookback_months before the snapshot (the deal explains the exit). The first
  snapshot has nothing to compare with: its counts are NULL, not zero. Rows the loader
  quarantined (placeholder tickers, CVRs) never reach stg_universe, so they are not members; a
  ticker change reads as one addition and one removal (the files carry tickers, not a permanent id).
-#}
with roles as (
    {{ benchmark_roles() }}
),

universe as (
    select roles.role as index_role, universe.index_id, universe.as_of_date, universe.symbol
    from {{ ref('stg_universe') }} as universe
    inner join roles
        on roles.index_id = universe.index_id
),

snapshots as (
    select
        index_role,
        index_id,
        as_of_date,
        count(distinct symbol) as members
    from universe
    group by index_role, index_id, as_of_date
),

ordered as (
    select
        *,
        lag(as_of_date) over (partition by index_role order by as_of_date) as previous_as_of_date
    from snapshots
),

additions as (
    select ordered.index_role, ordered.as_of_date, count(distinct current_members.symbol) as additions
    from ordered
    inner join universe as current_members
        on current_members.index_role = ordered.index_role
        and current_members.as_of_date = ordered.as_of_date
    anti join universe as previous_members
        on previous_members.index_role = ordered.index_role
        and previous_members.as_of_date = ordered.previous_as_of_date
        and previous_members.symbol = current_members.symbol
    where ordered.previous_as_of_date is not null
    group by ordered.index_role, ordered.as_of_date
),

removed as (
    select ordered.index_role, ordered.as_of_date, previous_members.symbol
    from ordered
    inner join universe as previous_members
        on previous_members.index_role = ordered.index_role
        and previous_members.as_of_date = ordered.previous_as_of_date
    anti join universe as current_members
        on current_members.index_role = ordered.index_role
        and current_members.as_of_date = ordered.as_of_date
        and current_members.symbol = previous_members.symbol
),

mna_targets as (
    select distinct announce_date, target_symbol from {{ ref('stg_mna_events') }}
),

removals as (
    select
        removed.index_role,
        removed.as_of_date,
        count(distinct removed.symbol) as removals,
        count(distinct removed.symbol) filter (
            where exists (
                select 1
                from mna_targets
                where mna_targets.target_symbol = removed.symbol
                    and mna_targets.announce_date <= removed.as_of_date
                    and mna_targets.announce_date
                    > {{ add_months('removed.as_of_date', -(var('universe_mna_lookback_months') | int)) }}
            )
        ) as removals_mna
    from removed
    group by removed.index_role, removed.as_of_date
)

select
    cast(ordered.index_role as string) as index_role,
    cast(ordered.index_id as string) as index_id,
    cast(ordered.as_of_date as date) as as_of_date,
    cast(ordered.previous_as_of_date as date) as previous_as_of_date,
    cast(ordered.members as integer) as members,
    -- A snapshot with a previous one and no change has zero additions/removals, not NULL.
    cast(case when ordered.previous_as_of_date is not null then coalesce(additions.additions, 0) end as integer)
        as additions,
    cast(case when ordered.previous_as_of_date is not null then coalesce(removals.removals, 0) end as integer)
        as removals,
    cast(case when ordered.previous_as_of_date is not null then coalesce(removals.removals_mna, 0) end as integer)
        as removals_mna
from ordered
left join additions
    on additions.index_role = ordered.index_role
    and additions.as_of_date = ordered.as_of_date
left join removals
    on removals.index_role = ordered.index_role
    and removals.as_of_date = ordered.as_of_date
