{#- Every flagged stretch of history, as BI tools and the dashboard read it (typed in staging). -#}
select
    dataset,
    series,
    date_from,
    date_to,
    rule,
    detail,
    flagged_at
from {{ ref('stg_series_flags') }}
