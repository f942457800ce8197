{#- Every calendar quarter, as known at the latest date held. -#}
with growth as (
    select * from {{ ref('int_eps_growth_asof') }}
),

latest as (
    select as_of_date from {{ ref('int_as_of_dates') }} where is_latest
)

select
    cast(growth.index_role as string) as index_role,
    cast(growth.calendar_quarter as string) as calendar_quarter,
    cast(growth.quarter_end as date) as quarter_end,
    cast(growth.companies as integer) as companies,
    cast(growth.aggregate_growth as double) as aggregate_growth,
    cast(growth.negative_base as boolean) as negative_base,
    cast(growth.base_earnings_yield as double) as base_earnings_yield,
    cast(growth.small_base as boolean) as small_base,
    cast(growth.median_eps_growth as double) as median_eps_growth,
    cast(growth.improvers_share as double) as improvers_share,
    cast(growth.beat_rate as double) as beat_rate,
    cast(growth.reported_share as double) as reported_share,
    cast(growth.is_reported as boolean) as is_reported,
    cast(growth.constituents as integer) as constituents,
    cast(growth.net_income_sum as double) as net_income_sum,
    cast(growth.net_income_base_sum as double) as net_income_base_sum,
    cast(growth.as_of_date as date) as as_of_date
from growth
inner join latest
    on latest.as_of_date = growth.as_of_date
