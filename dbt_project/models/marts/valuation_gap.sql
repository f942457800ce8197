{#- Small versus large per valuation method, and where today's relative stands against
    its own history up to that date (point in time: never against later dates). -#}
with valuation as (
    select * from {{ ref('valuation') }}
),

methods as (
    select index_role, as_of_date, method, value
    from valuation
    unpivot include nulls (
        value for method in (pe_incl_losses, pe_ex_losses, median_pe, forward_pe)
    )
),

paired as (
    select
        small.as_of_date,
        small.method,
        small.value as small_value,
        large.value as large_value,
        small.value / nullif(large.value, 0) as relative
    from methods as small
    inner join methods as large
        on large.as_of_date = small.as_of_date
        and large.method = small.method
        and large.index_role = 'large'
    where small.index_role = 'small'
),

history as (
    select
        current_day.as_of_date,
        current_day.method,
        count(past.relative) as history_count,
        count(past.relative) filter (where past.relative <= current_day.relative) as at_or_below,
        {{ ordered_agg('avg', 'past.relative') }} as history_mean,
        {{ ordered_agg('stddev_samp', 'past.relative') }} as history_stddev,
        median(past.relative) as history_median
    from paired as current_day
    left join paired as past
        on past.method = current_day.method
        and past.as_of_date <= current_day.as_of_date
    group by current_day.as_of_date, current_day.method
)

select
    cast(paired.as_of_date as date) as as_of_date,
    cast(paired.method as string) as method,
    cast(paired.small_value as double) as small_value,
    cast(paired.large_value as double) as large_value,
    cast(paired.relative as double) as relative,
    cast(1 - paired.relative as double) as discount,
    cast(
        case when paired.relative is not null then history.at_or_below / nullif(history.history_count, 0) end as double
    ) as percentile,
    cast((paired.relative - history.history_mean) / nullif(history.history_stddev, 0) as double) as zscore,
    cast(history.history_median as double) as history_median,
    cast(history.history_count as integer) as history_count
from paired
inner join history
    on history.as_of_date = paired.as_of_date
    and history.method = paired.method
