{#-
  Each index issuer at each as-of date with the facts public at that date: TTM net income
  (point in time; NULL when stale: its latest quarter ended more than ttm_max_age_days
  before the date, so a filer that stopped filing is not carried on its last TTM for ever;
  ttm_is_stale says so; NULL too for a company reporting in another currency than USD,
  which the USD aggregates cannot add: reports_in_foreign_currency), the close at the date
  (latest on or before it, at most price_max_stale_days old: 0 = the close at the date
  itself), the latest visible shares outstanding, and market cap = close x shares.

  Share basis (docs/metrics.md): a close is on the basis of its price file's
  split_basis_date (as traded when blank), a share count on the basis of the date it was
  counted at (shares_as_of: a cover page's date, or the period end), TTM EPS on the first
  known basis (int_company_ttm). All three are put on the basis of the as-of date with the
  splits the warehouse holds (int_split_multiples), so market cap = close x shares is the
  same whichever basis each came on: close x first-basis shares x the splits up to the
  close's basis date.

  Issuer level: the share classes of one issuer (GOOGL and GOOG: one issuer_id, the SEC CIK)
  carry the issuer's whole earnings and share count each; the issuer counts once, as the
  class with a price and the largest index weight (then the first symbol), with its total
  cap. listed_classes says how many of its classes were members at the date.

  Incremental by as-of date (macros/as_of_incremental.sql): a daily run recomputes the new
  date and the previous latest one, reading only the prices those dates can use.
-#}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ delete_rebuilt_as_of_rows() }}",
    **as_of_config()
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
    select symbol, date, close, split_basis_date
    from {{ ref('stg_prices') }}
    where {{ as_of_rebuilt('date', var('price_max_stale_days')) }}
),

with_ttm as (
    select
        members.*,
        ttm.issuer_id,
        ttm.currency as reporting_currency,
        ttm.known_from as facts_known_from,
        ttm.latest_period_end,
        ttm.ttm_net_income,
        ttm.ttm_eps_diluted_unsplit,
        ttm.shares_unsplit,
        ttm.shares_as_of
    from members
    {{ asof_join(
        'left', 'members', 'ttm', [('ttm.symbol', 'members.symbol')],
        'ttm.known_from', '<=', 'members.as_of_date'
    ) }}
),

with_price as (
    select
        with_ttm.*,
        prices.close as close_raw,
        prices.date as close_date,
        -- The basis the close is on: the file's declared one, else the day it traded.
        coalesce(prices.split_basis_date, prices.date) as close_basis_date
    from with_ttm
    {{ asof_join(
        'left', 'with_ttm', 'prices', [('prices.symbol', 'with_ttm.symbol')],
        'prices.date', '<=', 'with_ttm.as_of_date'
    ) }}
),

multiple_at_close_basis as (
    {{ with_share_multiple('with_price', 'close_basis_date', 'close_basis_share_multiple') }}
),

multiple_at_as_of as (
    {{ with_share_multiple('multiple_at_close_basis', 'as_of_date', 'as_of_share_multiple') }}
),

-- A close older than price_max_stale_days is not used: neither it nor its date is kept.
-- A TTM whose latest quarter is older than ttm_max_age_days is not used either: a timely
-- filer always has a younger one visible (see dbt_project.yml), so the company is delinquent
-- and its last TTM says nothing about the date.
combined as (
    select
        *,
        (
            ttm_net_income is not null
            and latest_period_end < as_of_date - {{ var('ttm_max_age_days') }}
        ) as ttm_is_stale,
        coalesce(reporting_currency <> 'USD', false) as reports_in_foreign_currency,
        (
            latest_period_end >= as_of_date - {{ var('ttm_max_age_days') }}
            and coalesce(reporting_currency, 'USD') = 'USD'
        ) as ttm_usable,
        close_date >= as_of_date - {{ var('price_max_stale_days') }} as close_usable
    from multiple_at_as_of
),

on_as_of_basis as (
    select
        *,
        case when ttm_usable then ttm_net_income end as ttm_net_income_used,
        case when ttm_usable then ttm_eps_diluted_unsplit / as_of_share_multiple end as ttm_eps_diluted,
        case when close_usable then close_raw * close_basis_share_multiple / as_of_share_multiple end as close,
        case when close_usable then close_date end as close_date_used,
        shares_unsplit * as_of_share_multiple as shares_outstanding,
        coalesce(issuer_id, symbol) as issuer
    from combined
),

-- One row per issuer: its classes carry the same filings, so one of them speaks for it.
issuers as (
    select
        *,
        count(*) over (partition by index_role, as_of_date, issuer) as listed_classes
    from on_as_of_basis
    qualify
        row_number() over (
            partition by index_role, as_of_date, issuer
            order by close is null asc, index_weight desc nulls last, symbol asc
        ) = 1
)

select
    index_role,
    index_id,
    as_of_date,
    symbol,
    issuer as issuer_id,
    cast(listed_classes as integer) as listed_classes,
    sector,
    snapshot_date,
    facts_known_from,
    latest_period_end,
    ttm_net_income_used as ttm_net_income,
    ttm_eps_diluted,
    ttm_net_income_used is not null as has_ttm,
    ttm_is_stale,
    reporting_currency,
    reports_in_foreign_currency,
    close,
    close_date_used as close_date,
    shares_outstanding,
    shares_as_of,
    close * shares_outstanding as market_cap
from issuers
