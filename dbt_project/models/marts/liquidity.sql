{#-
  Liquidity of each role's index at each as-of date where a snapshot is in force: the members
  of that snapshot (point in time: int_index_membership, never a later snapshot), each measured
  over its bars of the last liquidity_window_days trading days up to the date, and the medians
  over the members that traded on at least liquidity_min_days of them.

  Per member: days = bars with volume > 0 and a close; avg_dollar_volume = mean of close x
  volume over the bars with a volume (a zero counts: a session without trades is illiquid, not
  missing); amihud = mean of |return_1d| / dollar volume over the bars with a return and a
  dollar volume > 0, x 1e6 (the price move per million dollars traded). A window's first
  return runs from the bar before the window, as every return_1d does.

  A member without enough days (a new listing, a halted or thinly traded stock) is in members
  but in neither median: a few sessions would rank it on noise.

  The window is a day_index range: each bar is matched to the as-of dates whose window holds
  it by a range join, then to the members at those dates on equal keys, so no member is ever
  compared with every bar of its history.
-#}
with members as (
    select index_role, index_id, as_of_date, symbol
    from {{ ref('int_index_membership') }}
),

trading_days as (
    select date, day_index from {{ ref('int_trading_days') }}
),

as_of_days as (
    select distinct
        members.as_of_date,
        trading_days.day_index
    from members
    inner join trading_days
        on trading_days.date = members.as_of_date
),

bars as (
    select symbol, day_index, close, volume, dollar_volume, return_1d
    from {{ ref('int_member_bars') }}
),

-- Every bar in the window of every as-of date: a range join on day_index (DuckDB's piecewise
-- merge join), each bar once per window that holds it (about three: 63 days, month ends).
-- Materialized, because left inline the optimizer joins the members to their bars on the
-- symbol first and checks the range on each pair: every member date against its symbol's
-- whole history.
window_bars as {{ materialized_hint() }} (
    select
        as_of_days.as_of_date,
        bars.*
    from as_of_days
    inner join bars
        on bars.day_index > as_of_days.day_index - {{ var('liquidity_window_days') }}
        and bars.day_index <= as_of_days.day_index
),

member_window_bars as (
    select
        members.index_role,
        members.as_of_date,
        members.symbol,
        window_bars.close,
        window_bars.volume,
        window_bars.dollar_volume,
        -- Amihud's price impact of the day: defined with a return and a dollar volume > 0.
        case
            when window_bars.return_1d is not null and window_bars.dollar_volume > 0
                then abs(window_bars.return_1d) / window_bars.dollar_volume
        end as price_impact
    from members
    inner join window_bars
        on window_bars.as_of_date = members.as_of_date
        and window_bars.symbol = members.symbol
),

per_member as (
    select
        index_role,
        as_of_date,
        symbol,
        count(*) filter (where volume > 0 and close is not null) as days,
        {{ ordered_agg('avg', 'dollar_volume') }} filter (where volume is not null) as avg_dollar_volume,
        {{ ordered_agg('avg', 'price_impact') }} * 1e6 as amihud
    from member_window_bars
    group by index_role, as_of_date, symbol
),

-- Every member of the snapshot, with its measures when it had bars in the window.
measured as (
    select
        members.index_role,
        members.index_id,
        members.as_of_date,
        members.symbol,
        per_member.avg_dollar_volume,
        per_member.amihud,
        coalesce(per_member.days >= {{ var('liquidity_min_days') }}, false) as has_volume
    from members
    left join per_member
        on per_member.index_role = members.index_role
        and per_member.as_of_date = members.as_of_date
        and per_member.symbol = members.symbol
)

select
    index_role,
    index_id,
    as_of_date,
    cast(count(*) as integer) as members,
    cast(count(*) filter (where has_volume) as integer) as members_with_volume,
    median(avg_dollar_volume) filter (where has_volume) as median_dollar_volume,
    median(amihud) filter (where has_volume) as median_amihud
from measured
group by index_role, index_id, as_of_date
