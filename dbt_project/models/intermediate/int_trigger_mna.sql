{#-
  mna_tepid as of each as-of date D: deals (small-index targets) announced in the 3 months
  up to D against 3 x the monthly average of the 12 months up to D. met (M&A is tepid)
  when below mna_tepid_ratio x that; not_met otherwise (detail says 'accelerating' above
  mna_hot_ratio x); pending with data_sufficient false before 12 months of M&A coverage
  or without M&A data or small-index membership.
-#}
with as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

small_targets as (
    select * from {{ ref('int_mna_small_targets') }}
),

coverage as (
    select * from {{ ref('int_mna_coverage') }}
),

counts as (
    select
        as_of_dates.as_of_date,
        count(*) filter (
            where small_targets.announce_date > as_of_dates.as_of_date - to_months({{ var('mna_recent_months') }})
        ) as deals_3m,
        count(small_targets.announce_date) as deals_12m
    from as_of_dates
    left join small_targets
        on small_targets.announce_date <= as_of_dates.as_of_date
        and small_targets.announce_date > as_of_dates.as_of_date - to_months({{ var('mna_trailing_months') }})
    group by as_of_dates.as_of_date
),

rated as (
    select
        counts.*,
        counts.deals_12m / {{ var_num('mna_trailing_months') }} as monthly_avg_12m,
        counts.deals_3m / nullif(
            {{ var('mna_recent_months') }} * counts.deals_12m / {{ var_num('mna_trailing_months') }}, 0
        ) as ratio_3m,
        coverage.first_month is not null
            and coverage.has_membership
            and counts.as_of_date - to_months({{ var('mna_trailing_months') }})
                >= coverage.first_month - interval 1 day as has_coverage
    from counts
    cross join coverage
)

select
    'mna_tepid' as trigger_id,
    as_of_date,
    case when has_coverage then ratio_3m end as value,
    {{ var_num('mna_tepid_ratio') }} as threshold,
    case
        when not has_coverage then 'pending'
        when deals_3m < {{ var_num('mna_tepid_ratio') }} * {{ var('mna_recent_months') }} * monthly_avg_12m then 'met'
        else 'not_met'
    end as status,
    coalesce(has_coverage, false) as data_sufficient,
    json_object(
        'deals_3m', deals_3m,
        'deals_12m', deals_12m,
        'monthly_avg_12m', monthly_avg_12m,
        'activity', case
            when not has_coverage then 'insufficient_data'
            when deals_3m < {{ var_num('mna_tepid_ratio') }} * {{ var('mna_recent_months') }} * monthly_avg_12m
                then 'tepid'
            when deals_3m > {{ var_num('mna_hot_ratio') }} * {{ var('mna_recent_months') }} * monthly_avg_12m
                then 'accelerating'
            else 'steady'
        end,
        'hot_ratio', {{ var('mna_hot_ratio') }}
    )::varchar as detail,
    '{{ var("definition_version") }}' as definition_version
from rated
