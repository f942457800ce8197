{#- Index-level multiples are aggregates over companies with both a TTM net income and a
    market cap at the as-of date, never averages of company ratios. The float sums add in a
    fixed order (macros/ordered_agg.sql): the same input gives the same bits in every run. -#}
with companies as (
    select * from {{ ref('int_company_asof') }}
),

forward as (
    select * from {{ ref('int_company_forward_estimates') }}
),

estimates_loaded as (
    select count(*) > 0 as loaded from {{ ref('stg_estimates') }}
),

priced as (
    select
        companies.*,
        forward.n12m_net_income_estimate
    from companies
    left join forward
        on forward.symbol = companies.symbol
        and forward.as_of_date = companies.as_of_date
    where companies.market_cap is not null
),

aggregated as (
    select
        index_role,
        as_of_date,
        count(*) as priced_companies,
        {{ ordered_agg('sum', 'market_cap') }} as market_cap,
        count(*) filter (where has_ttm) as with_data,
        {{ ordered_agg('sum', 'market_cap') }} filter (where has_ttm) as cap_with_data,
        {{ ordered_agg('sum', 'ttm_net_income') }} filter (where has_ttm) as ttm_net_income,
        {{ ordered_agg('sum', 'market_cap') }} filter (where ttm_net_income > 0) as cap_profitable,
        {{ ordered_agg('sum', 'ttm_net_income') }} filter (where ttm_net_income > 0) as ttm_net_income_profitable,
        median(market_cap / ttm_net_income) filter (where ttm_net_income > 0) as median_pe,
        count(n12m_net_income_estimate) as with_estimates,
        {{ ordered_agg('sum', 'market_cap') }} filter (where n12m_net_income_estimate is not null)
            as cap_with_estimates,
        {{ ordered_agg('sum', 'n12m_net_income_estimate') }} as n12m_net_income_estimate
    from priced
    group by index_role, as_of_date
),

-- Every role and as-of date with members, even when no company is priced.
frames as (
    select distinct index_role, as_of_date from companies
)

select
    cast(frames.index_role as string) as index_role,
    cast(frames.as_of_date as date) as as_of_date,
    cast(aggregated.market_cap as double) as market_cap,
    cast(
        case when aggregated.ttm_net_income > 0 then aggregated.cap_with_data / aggregated.ttm_net_income end as double
    ) as pe_incl_losses,
    cast(
        case
            when aggregated.ttm_net_income_profitable > 0
                then aggregated.cap_profitable / aggregated.ttm_net_income_profitable
        end as double
    ) as pe_ex_losses,
    cast(aggregated.ttm_net_income / nullif(aggregated.cap_with_data, 0) as double) as earnings_yield,
    cast(aggregated.median_pe as double) as median_pe,
    cast(
        case
            when estimates_loaded.loaded and aggregated.n12m_net_income_estimate > 0
                then aggregated.cap_with_estimates / aggregated.n12m_net_income_estimate
        end as double
    ) as forward_pe,
    cast(coalesce(aggregated.priced_companies, 0) as integer) as priced_companies,
    cast(coalesce(aggregated.with_data, 0) as integer) as with_data,
    cast(coalesce(aggregated.with_estimates, 0) as integer) as with_estimates
from frames
cross join estimates_loaded
left join aggregated
    on aggregated.index_role = frames.index_role
    and aggregated.as_of_date = frames.as_of_date
