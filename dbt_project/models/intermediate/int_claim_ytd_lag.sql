{#-
  ytd_lag, "The index lags the S&P 500 year to date": the small minus large YTD return at
  data_as_of, supported when below zero (a tie is no lag). Either return missing: no verdict.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

daily as (
    select role, date, ytd_return from {{ ref('benchmark_daily') }}
),

ytd as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        small.ytd_return as small_ytd,
        large.ytd_return as large_ytd,
        small.ytd_return - large.ytd_return as spread
    from audit_points
    left join daily as small
        on small.role = 'small' and small.date = audit_points.data_as_of
    left join daily as large
        on large.role = 'large' and large.date = audit_points.data_as_of
)

select
    'ytd_lag' as claim_id,
    'The index lags the S&P 500 year to date' as claim_text,
    'YTD return spread, small - large' as metric,
    spread as value,
    '< 0' as threshold,
    case
        when spread is null then 'insufficient_data'
        when spread < 0 then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([('small_ytd', 'small_ytd'), ('large_ytd', 'large_ytd')]) }} as detail
from ytd
