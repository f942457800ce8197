{#-
  One row per claim of the article per audit point (int_claim_audit_points). Each claim is
  its own model, int_claim_* (its rule and unit tests beside it); here they are unioned and
  given the mart's types.
-#}
with surge_5d as (
    select * from {{ ref('int_claim_surge_5d') }}
),

ytd_lag as (
    select * from {{ ref('int_claim_ytd_lag') }}
),

large_cap_dominance as (
    select * from {{ ref('int_claim_large_cap_dominance') }}
),

valuation_discount as (
    select * from {{ ref('int_claim_valuation_discount') }}
),

unprofitable as (
    select * from {{ ref('int_claim_unprofitable') }}
),

fund_losses as (
    select * from {{ ref('int_claim_fund_losses') }}
),

yield_sensitivity as (
    select * from {{ ref('int_claim_yield_sensitivity') }}
),

triggers as (
    select * from {{ ref('int_claim_triggers') }}
),

more_volatile as (
    select * from {{ ref('int_claim_more_volatile') }}
),

correction_rebounds as (
    select * from {{ ref('int_claim_correction_rebounds') }}
),

liquidity_challenges as (
    select * from {{ ref('int_claim_liquidity_challenges') }}
),

sector_leaders as (
    select * from {{ ref('int_claim_sector_leaders') }}
),

universe_replenished as (
    select * from {{ ref('int_claim_universe_replenished') }}
),

named_company_margins as (
    select * from {{ ref('int_claim_named_company_margins') }}
),

not_checkable as (
    select * from {{ ref('int_claim_not_checkable') }}
),

claims as (
    select * from surge_5d
    union all by name
    select * from ytd_lag
    union all by name
    select * from large_cap_dominance
    union all by name
    select * from valuation_discount
    union all by name
    select * from unprofitable
    union all by name
    select * from fund_losses
    union all by name
    select * from yield_sensitivity
    union all by name
    select * from triggers
    union all by name
    select * from more_volatile
    union all by name
    select * from correction_rebounds
    union all by name
    select * from liquidity_challenges
    union all by name
    select * from sector_leaders
    union all by name
    select * from universe_replenished
    union all by name
    select * from named_company_margins
    union all by name
    select * from not_checkable
)

select
    cast(claim_id as varchar) as claim_id,
    cast(claim_text as varchar) as claim_text,
    cast(metric as varchar) as metric,
    cast(value as double) as value,
    cast(threshold as varchar) as threshold,
    cast(verdict as varchar) as verdict,
    cast(reason as varchar) as reason,
    cast(as_of_date as date) as as_of_date,
    cast(data_as_of as date) as data_as_of,
    cast(audit_view as varchar) as audit_view,
    cast(detail as varchar) as detail,
    cast('{{ var("definition_version") }}' as varchar) as definition_version
from claims
