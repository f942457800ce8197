with rally as (
    select * from {{ ref('int_trigger_rally') }}
),

eps as (
    select * from {{ ref('int_trigger_eps') }}
),

fed as (
    select * from {{ ref('int_trigger_fed') }}
),

mna as (
    select * from {{ ref('int_trigger_mna') }}
),

unioned as (
    select * from rally
    union all by name
    select * from eps
    union all by name
    select * from fed
    union all by name
    select * from mna
)

select
    cast(trigger_id as varchar) as trigger_id,
    cast(as_of_date as date) as as_of_date,
    cast(value as double) as value,
    cast(threshold as double) as threshold,
    cast(status as varchar) as status,
    cast(detail as varchar) as detail,
    cast(data_sufficient as boolean) as data_sufficient,
    cast(definition_version as varchar) as definition_version
from unioned
