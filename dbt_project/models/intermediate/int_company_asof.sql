{#-
  Each index member at each as-of date with the facts public at that date: TTM net income
  (point in time; NULL when stale: its latest quarter ended more than ttm_max_age_days
  before the date, so a filer that stopped filing is not carried on its last TTM for ever;
  ttm_is_stale says so), the close at the date (latest on or before it, at most
  price_max_stale_days old: 0 = the close at the date itself), the latest visible shares
  outstanding carried through any split after their period end, and market cap =
  close x shares.

  Incremental by as-of date (macros/as_of_incremental.sql): a daily run recomputes the new
  date and the previous latest one, reading only the prices those dates can use.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_as_of_rows() }}",
) }}

with members as (
    select *
    from {{ ref('int_index_membership') }}
    where {{ as_of_rebuilt('as_of_date') }}
),

ttm as (
    select * from {{ ref('int_company_ttm') }}
),

-- Only closes young enough to be used at a date being computed. The bound is a constant,
-- so DuckDB applies it below stg_prices' de-duplication instead of de-duplicating every row.
prices as (
    select symbol, date, close
    from {{ ref('stg_prices') }}
    where {{ as_of_rebuilt('date', var('price_max_stale_days')) }}
),

splits as (
    select symbol, date, ratio
    from {{ ref('stg_splits') }}
),

with_ttm as (
    select
        members.*,
        ttm.known_from as facts_known_from,
        ttm.latest_period_end,
        ttm.ttm_net_income,
        ttm.ttm_eps_diluted,
        ttm.shares_outstanding as filed_shares_outstanding,
        ttm.shares_period_end
    from members
    asof left join ttm
        on ttm.symbol = members.symbol
        and ttm.known_from <= members.as_of_date
),

with_price as (
    select
        with_ttm.*,
        prices.close as close_raw,
        prices.date as close_date
    from with_ttm
    asof left join prices
        on prices.symbol = with_ttm.symbol
        and prices.date <= with_ttm.as_of_date
),

-- Splits after the period end the shares were counted at, on or before the as-of date.
split_factors as (
    select
        with_price.index_role,
        with_price.as_of_date,
        with_price.symbol,
        exp({{ ordered_agg('sum', 'ln(splits.ratio)') }}) as split_factor
    from with_price
    inner join splits
        on splits.symbol = with_price.symbol
        and splits.date > with_price.shares_period_end
        and splits.date <= with_price.as_of_date
    group by all
),

-- A close older than price_max_stale_days is not used: neither it nor its date is kept.
-- A TTM whose latest quarter is older than ttm_max_age_days is not used either: a timely
-- filer always has a younger one visible (see dbt_project.yml), so the company is delinquent
-- and its last TTM says nothing about the date.
combined as (
    select
        with_price.* exclude (close_raw, close_date, ttm_net_income, ttm_eps_diluted),
        with_price.ttm_net_income is not null
            and with_price.latest_period_end < with_price.as_of_date - {{ var('ttm_max_age_days') }}
            as ttm_is_stale,
        case
            when with_price.latest_period_end >= with_price.as_of_date - {{ var('ttm_max_age_days') }}
                then with_price.ttm_net_income
        end as ttm_net_income,
        case
            when with_price.latest_period_end >= with_price.as_of_date - {{ var('ttm_max_age_days') }}
                then with_price.ttm_eps_diluted
        end as ttm_eps_diluted,
        case
            when with_price.close_date >= with_price.as_of_date - {{ var('price_max_stale_days') }}
                then with_price.close_raw
        end as close,
        case
            when with_price.close_date >= with_price.as_of_date - {{ var('price_max_stale_days') }}
                then with_price.close_date
        end as close_date,
        with_price.filed_shares_outstanding * coalesce(split_factors.split_factor, 1.0) as shares_outstanding
    from with_price
    left join split_factors
        on split_factors.index_role = with_price.index_role
        and split_factors.as_of_date = with_price.as_of_date
        and split_factors.symbol = with_price.symbol
)

select
    index_role,
    index_id,
    as_of_date,
    symbol,
    sector,
    snapshot_date,
    facts_known_from,
    latest_period_end,
    ttm_net_income,
    ttm_eps_diluted,
    ttm_net_income is not null as has_ttm,
    ttm_is_stale,
    close,
    close_date,
    shares_outstanding,
    close * shares_outstanding as market_cap
from combined
