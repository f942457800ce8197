{#-
  Daily bars of the index members: every symbol ever in a snapshot of either role's index,
  never a benchmark symbol (the benchmarks have their own series, int_benchmark_prices). The
  input of the member-level marts (liquidity, sector returns).

  Share basis: a close is on the basis of its price file's split_basis_date (as traded when
  blank); close_adjusted puts every close on the first known basis with int_split_multiples,
  as int_company_asof does (close x multiple at the basis date). A split therefore leaves no
  jump in return_1d, whichever basis each file came on. close and volume stay as given:
  in any one file they are on the same basis, so dollar_volume = close x volume does not
  depend on it.

  Only bars on the market calendar (int_trading_days) are kept: the member windows count
  trading days by day_index, and a bar dated on a day the market did not trade (a weekend
  stamp, a holiday) would sit in no window while still breaking the chain of returns. The
  sample has none (0 of its 655k member bars); a real file that has some loses them here, and
  the next bar's return then runs from the previous trading-day bar.

  return_1d = close_adjusted / the previous kept bar's - 1 (NULL on a symbol's first bar): the
  previous bar, not the previous trading day, so a member that did not trade for a few days
  has one return spanning the gap.
-#}
with roles as (
    {{ benchmark_roles() }}
),

member_symbols as (
    select distinct universe.symbol
    from {{ ref('stg_universe') }} as universe
    inner join roles
        on roles.index_id = universe.index_id
    where universe.symbol not in ({{ benchmark_symbol_list() }})
),

-- The constant list is pushed below stg_prices' de-duplication; the member filter is not.
prices as (
    select
        prices.symbol,
        prices.date,
        prices.close,
        prices.volume,
        coalesce(prices.split_basis_date, prices.date) as close_basis_date
    from {{ ref('stg_prices') }} as prices
    where prices.symbol not in ({{ benchmark_symbol_list() }})
        and prices.symbol in (select member_symbols.symbol from member_symbols)
),

on_calendar as (
    select
        prices.*,
        trading_days.day_index
    from prices
    inner join {{ ref('int_trading_days') }} as trading_days
        on trading_days.date = prices.date
),

with_multiple as (
    {{ with_share_multiple('on_calendar', 'close_basis_date', 'share_multiple') }}
),

adjusted as (
    select
        *,
        close * share_multiple as close_adjusted
    from with_multiple
)

select
    symbol,
    date,
    day_index,
    close,
    volume,
    close_adjusted,
    close * volume as dollar_volume,
    close_adjusted / lag(close_adjusted) over (partition by symbol order by date) - 1 as return_1d
from adjusted
