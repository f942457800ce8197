{#-
  One row per claim of the article per audit point (int_claim_audit_points). Each claim is
  its own model, int_claim_* (its rule and unit tests beside it); here they are unioned and
  given the mart's types.
-#}
with claims as (
    {{ union_all_by_name(
        [
            ref('int_claim_surge_5d'),
            ref('int_claim_ytd_lag'),
            ref('int_claim_large_cap_dominance'),
            ref('int_claim_valuation_discount'),
            ref('int_claim_unprofitable'),
            ref('int_claim_fund_losses'),
            ref('int_claim_yield_sensitivity'),
            ref('int_claim_triggers'),
            ref('int_claim_more_volatile'),
            ref('int_claim_correction_rebounds'),
            ref('int_claim_liquidity_challenges'),
            ref('int_claim_sector_leaders'),
            ref('int_claim_universe_replenished'),
            ref('int_claim_named_company_margins'),
            ref('int_claim_not_checkable')
        ],
        [
            'claim_id', 'claim_text', 'metric', 'value', 'threshold', 'verdict', 'reason', 'as_of_date',
            'data_as_of', 'audit_view', 'detail'
        ]
    ) }}
)

select
    cast(claim_id as string) as claim_id,
    cast(claim_text as string) as claim_text,
    cast(metric as string) as metric,
    cast(value as double) as value,
    cast(threshold as string) as threshold,
    cast(verdict as string) as verdict,
    cast(reason as string) as reason,
    cast(as_of_date as date) as as_of_date,
    cast(data_as_of as date) as data_as_of,
    cast(audit_view as string) as audit_view,
    cast(detail as string) as detail,
    cast('{{ var("definition_version") }}' as string) as definition_version
from claims
