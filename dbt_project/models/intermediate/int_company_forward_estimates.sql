{#-
  Next-twelve-month estimated net income per company and as-of date: the four fiscal
  quarters after the latest reported one, each from its latest estimate dated on or before
  the as-of date (net income estimate, else EPS estimate x shares outstanding). NULL unless
  four consecutive quarters are estimated, by the TTM rule of int_company_ttm: each quarter
  ttm_quarter_min_days..ttm_quarter_max_days long (the first one starts after the latest
  reported quarter) and the four spanning ttm_span_min_days..ttm_span_max_days. Empty when
  no estimates are loaded.
-#}
with companies as (
    select distinct symbol, as_of_date, latest_period_end, shares_outstanding
    from {{ ref('int_company_asof') }}
    where latest_period_end is not null
),

estimates as (
    select * from {{ ref('stg_estimates') }}
),

candidate_estimates as (
    select
        companies.symbol,
        companies.as_of_date,
        companies.latest_period_end,
        estimates.fiscal_period_end,
        coalesce(
            estimates.net_income_estimate,
            estimates.eps_estimate * companies.shares_outstanding
        ) as net_income_estimate
    from companies
    inner join estimates
        on estimates.symbol = companies.symbol
        and estimates.fiscal_period_end > companies.latest_period_end
        and estimates.fiscal_period_end <= companies.latest_period_end + {{ var('ttm_span_max_days') | int }}
        and estimates.as_of_date <= companies.as_of_date
    qualify
        row_number() over (
            partition by companies.symbol, companies.as_of_date, estimates.fiscal_period_end
            order by estimates.as_of_date desc
        ) = 1
),

next_four as (
    select
        *,
        {{ days_between(
            'coalesce(lag(fiscal_period_end) over (partition by symbol, as_of_date order by fiscal_period_end),'
            ~ ' latest_period_end)',
            'fiscal_period_end'
        ) }} as quarter_days
    from candidate_estimates
    qualify row_number() over (partition by symbol, as_of_date order by fiscal_period_end) <= 4
)

select
    symbol,
    as_of_date,
    min(fiscal_period_end) as first_period_end,
    max(fiscal_period_end) as last_period_end,
    {{ ordered_agg('sum', 'net_income_estimate') }} as n12m_net_income_estimate
from next_four
group by symbol, as_of_date
having count(*) = 4
    and count(net_income_estimate) = 4
    and bool_and(quarter_days between {{ var('ttm_quarter_min_days') }} and {{ var('ttm_quarter_max_days') }})
    and (
        {{ days_between('any_value(latest_period_end)', 'max(fiscal_period_end)') }}
        between {{ var('ttm_span_min_days') }} and {{ var('ttm_span_max_days') }}
    )
