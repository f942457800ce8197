{#-
  Sector returns of each role's index members at each as-of date, over two windows
  (sector_short_months, sector_long_months): a buy-and-hold portfolio of the index as it stood
  when the window began.

  Window start S = the last trading day on or before the as-of date minus the window. Its
  members are those of the snapshot in force at S (the latest on or before S: point in time,
  never a later snapshot), sector blank -> 'UNKNOWN'. Each member's return is C(D) / C(S) - 1,
  C(t) = its latest close_adjusted (int_member_bars: one share basis) on or before t, so a
  member acquired inside the window keeps its last close: its holders were paid about that.
  Its weight is the snapshot's index_weight drifted with its price to S (x C(S) / C(snapshot
  date)): the weight the index held it at when the window began, a cap weight without share
  counts. Left out: members without an index_weight, without a close on or before S (at most
  sector_start_max_stale_days old) or on or before the snapshot date (no start price, no drift).

  A sector's return is the weighted mean over its kept members; the index's the same over all
  of them, so the sectors' returns weighted by their weights add up to it. A row per sector
  with kept members in either window; members counts the long window's.
-#}
with roles as (
    {{ benchmark_roles() }}
),

trading_days as (
    select date from {{ ref('int_trading_days') }}
),

window_lengths as (
    select {{ var('sector_short_months') }} as window_months
    union all
    select {{ var('sector_long_months') }} as window_months
),

window_targets as (
    select
        as_of_dates.as_of_date,
        window_lengths.window_months,
        {{ add_months('as_of_dates.as_of_date', '-window_lengths.window_months') }} as target_date
    from {{ ref('int_as_of_dates') }} as as_of_dates
    cross join window_lengths
),

-- A window reaching before the market calendar has no start.
windows as (
    select
        window_targets.as_of_date,
        window_targets.window_months,
        trading_days.date as start_date
    from window_targets
    {{ asof_join(
        'inner', 'window_targets', 'trading_days', [],
        'trading_days.date', '<=', 'window_targets.target_date'
    ) }}
),

universe as (
    select
        roles.role as index_role,
        universe.as_of_date as snapshot_date,
        universe.symbol,
        coalesce(universe.sector, 'UNKNOWN') as sector,
        universe.weight as index_weight
    from {{ ref('stg_universe') }} as universe
    inner join roles
        on roles.index_id = universe.index_id
),

snapshots as (
    select distinct index_role, snapshot_date from universe
),

window_roles as (
    select windows.*, roles.role from windows cross join roles
),

window_snapshots as (
    select
        window_roles.role as index_role,
        window_roles.as_of_date,
        window_roles.window_months,
        window_roles.start_date,
        snapshots.snapshot_date
    from window_roles
    {{ asof_join(
        'inner', 'window_roles', 'snapshots', [('snapshots.index_role', 'window_roles.role')],
        'snapshots.snapshot_date', '<=', 'window_roles.start_date'
    ) }}
),

window_members as (
    select
        window_snapshots.*,
        universe.symbol,
        universe.sector,
        universe.index_weight
    from window_snapshots
    inner join universe
        on universe.index_role = window_snapshots.index_role
        and universe.snapshot_date = window_snapshots.snapshot_date
    where universe.index_weight is not null
),

closes as (
    select symbol, date, close_adjusted
    from {{ ref('int_member_bars') }}
    where close_adjusted is not null
),

at_end as (
    select
        window_members.*,
        closes.close_adjusted as close_end
    from window_members
    {{ asof_join(
        'inner', 'window_members', 'closes', [('closes.symbol', 'window_members.symbol')],
        'closes.date', '<=', 'window_members.as_of_date'
    ) }}
),

at_start as (
    select
        at_end.*,
        closes.close_adjusted as close_start,
        closes.date as close_start_date
    from at_end
    {{ asof_join(
        'inner', 'at_end', 'closes', [('closes.symbol', 'at_end.symbol')],
        'closes.date', '<=', 'at_end.start_date'
    ) }}
),

at_snapshot as (
    select
        at_start.*,
        closes.close_adjusted as close_snapshot
    from at_start
    {{ asof_join(
        'inner', 'at_start', 'closes', [('closes.symbol', 'at_start.symbol')],
        'closes.date', '<=', 'at_start.snapshot_date'
    ) }}
),

-- The asof inner joins above dropped every member without the three closes; a start close
-- older than sector_start_max_stale_days is no start price either (a member delisted before the
-- window, or a vendor file that ended years ago would read as a 0% return).
kept as (
    select
        index_role,
        as_of_date,
        window_months,
        sector,
        index_weight * close_start / close_snapshot as start_weight,
        close_end / close_start - 1 as member_return
    from at_snapshot
    where close_start_date >= start_date - {{ var('sector_start_max_stale_days') }}
),

weighted as (
    select
        *,
        start_weight * member_return as weighted_return
    from kept
),

sector_windows as (
    select
        index_role,
        as_of_date,
        window_months,
        sector,
        count(*) as members,
        {{ ordered_agg('sum', 'weighted_return') }}
        / nullif({{ ordered_agg('sum', 'start_weight') }}, 0) as sector_return
    from weighted
    group by index_role, as_of_date, window_months, sector
),

index_windows as (
    select
        index_role,
        as_of_date,
        window_months,
        {{ ordered_agg('sum', 'weighted_return') }}
        / nullif({{ ordered_agg('sum', 'start_weight') }}, 0) as index_return
    from weighted
    group by index_role, as_of_date, window_months
),

by_sector as (
    select
        index_role,
        sector,
        as_of_date,
        max(members) filter (where window_months = {{ var('sector_long_months') }}) as members,
        max(sector_return) filter (where window_months = {{ var('sector_short_months') }}) as return_3m,
        max(sector_return) filter (where window_months = {{ var('sector_long_months') }}) as return_6m
    from sector_windows
    group by index_role, sector, as_of_date
),

by_index as (
    select
        index_role,
        as_of_date,
        max(index_return) filter (where window_months = {{ var('sector_short_months') }}) as index_return_3m,
        max(index_return) filter (where window_months = {{ var('sector_long_months') }}) as index_return_6m
    from index_windows
    group by index_role, as_of_date
),

window_starts as (
    select
        as_of_date,
        max(start_date) filter (where window_months = {{ var('sector_short_months') }}) as start_3m,
        max(start_date) filter (where window_months = {{ var('sector_long_months') }}) as start_6m
    from windows
    group by as_of_date
)

select
    by_sector.index_role,
    by_sector.sector,
    by_sector.as_of_date,
    cast(coalesce(by_sector.members, 0) as integer) as members,
    by_sector.return_3m,
    by_sector.return_6m,
    by_index.index_return_3m,
    by_index.index_return_6m,
    by_sector.return_3m - by_index.index_return_3m as relative_3m,
    by_sector.return_6m - by_index.index_return_6m as relative_6m,
    window_starts.start_3m,
    window_starts.start_6m
from by_sector
inner join by_index
    on by_index.index_role = by_sector.index_role
    and by_index.as_of_date = by_sector.as_of_date
inner join window_starts
    on window_starts.as_of_date = by_sector.as_of_date
