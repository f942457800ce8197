{#-
  The article's claims that no free source the warehouse reads can settle, at every audit
  point, each with the reason: saying so is part of the audit (a silent omission would read as
  if the claim had been checked). The metric names the data that would settle it.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

claims (claim_id, claim_text, metric, reason) as (
    values
    (
        'call_options_spike',
        'The surge came with a spike in call options activity',
        'Call option volume on small-cap index options',
        'Needs option volume by underlying; none of the free sources the warehouse reads '
        || '(FRED, SEC EDGAR, daily bars, index holdings) publishes it'
    ),
    (
        'retail_participation',
        'Retail participation remains subdued',
        'Retail share of small-cap trading volume',
        'Needs order flow split by investor type (retail vs institutional), which no free '
        || 'source the warehouse reads publishes'
    ),
    (
        'us_share_of_global_small_caps',
        'The US market represents about 60% of global small caps',
        'US share of global small-cap market cap',
        'Needs the market cap of small caps listed outside the US (a global small-cap index '
        || 'by country); the warehouse holds US listings only'
    )
)

select
    claims.claim_id,
    claims.claim_text,
    claims.metric,
    null::double as value,
    'none' as threshold,
    'not_checkable' as verdict,
    claims.reason,
    audit_points.as_of_date,
    audit_points.data_as_of,
    audit_points.audit_view,
    {{ json_text([('reason', 'claims.reason')]) }} as detail
from audit_points
cross join claims
