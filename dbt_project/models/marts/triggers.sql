with unioned as (
    {{ union_all_by_name(
        [ref('int_trigger_rally'), ref('int_trigger_eps'), ref('int_trigger_fed'), ref('int_trigger_mna')],
        ['trigger_id', 'as_of_date', 'value', 'threshold', 'status', 'detail', 'data_sufficient', 'definition_version']
    ) }}
)

select
    cast(trigger_id as string) as trigger_id,
    cast(as_of_date as date) as as_of_date,
    cast(value as double) as value,
    cast(threshold as double) as threshold,
    cast(status as string) as status,
    cast(detail as string) as detail,
    cast(data_sufficient as boolean) as data_sufficient,
    cast(definition_version as string) as definition_version
from unioned
