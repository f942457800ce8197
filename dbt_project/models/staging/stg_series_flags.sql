with source as (
    select * from {{ source('audit', 'series_flags') }}
)

select
    cast(dataset as string) as dataset,
    cast(series as string) as series,
    cast(date_from as date) as date_from,
    cast(date_to as date) as date_to,
    cast(rule as string) as rule,
    cast(detail as string) as detail,
    cast(flagged_at as timestamp) as flagged_at
from source
