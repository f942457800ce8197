{#-
  mna_tepid as of each as-of date D, on the windows of marts.mna_activity (int_mna_monthly):
  the latest calendar month complete at D (its last trading day on or before D; at a month's
  last trading day that month itself, earlier in a month the month before) is judged: deals
  in the 3 months ending with it against 3 x the monthly average of the 12 months ending
  with it. met (M&A is tepid) when below mna_tepid_ratio x that; not_met otherwise (detail
  says 'accelerating' above mna_hot_ratio x); pending with data_sufficient false before 12
  months of M&A coverage or without M&A data or small-index membership.
-#}
with as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

complete_months as (
    select * from {{ ref('int_mna_monthly') }}
    where is_complete_month
),

judged as (
    select
        as_of_dates.as_of_date,
        complete_months.month,
        complete_months.deals_3m,
        complete_months.deals_12m,
        complete_months.trailing_12m_avg,
        complete_months.ratio_3m,
        complete_months.status as activity,
        coalesce(complete_months.has_coverage, false) as has_coverage
    from as_of_dates
    {{ asof_join(
        'left', 'as_of_dates', 'complete_months', [],
        'complete_months.last_trading_day', '<=', 'as_of_dates.as_of_date'
    ) }}
)

select
    'mna_tepid' as trigger_id,
    as_of_date,
    case when has_coverage then ratio_3m end as value,
    {{ var_num('mna_tepid_ratio') }} as threshold,
    case
        when not has_coverage then 'pending'
        when activity = 'tepid' then 'met'
        else 'not_met'
    end as status,
    has_coverage as data_sufficient,
    {{ json_text([
        ('month', 'month'),
        ('deals_3m', 'deals_3m'),
        ('deals_12m', 'deals_12m'),
        ('monthly_avg_12m', 'trailing_12m_avg'),
        ('activity', "coalesce(activity, 'insufficient_data')"),
        ('hot_ratio', (var('mna_hot_ratio')))
    ]) }} as detail,
    '{{ var("definition_version") }}' as definition_version
from judged
