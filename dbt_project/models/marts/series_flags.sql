{#- Every flagged stretch of history, as BI tools and the dashboard read it. -#}
with flags as (
    select * from {{ ref('stg_series_flags') }}
)

select
    cast(dataset as varchar) as dataset,
    cast(series as varchar) as series,
    cast(date_from as date) as date_from,
    cast(date_to as date) as date_to,
    cast(rule as varchar) as rule,
    cast(detail as varchar) as detail,
    cast(flagged_at as timestamp) as flagged_at
from flags
