{#- The fund universe per period and as-of date; funds are counted by the basis of their return. -#}
with returns as (
    select * from {{ ref('int_fund_period_returns') }}
)

select
    cast(period as string) as period,
    cast(as_of_date as date) as as_of_date,
    cast(count(total_return) as integer) as funds_tracked,
    cast(count(*) filter (where total_return < 0) as integer) as funds_with_loss,
    -- Ordered input: a tie for the worst return names the lowest fund_id, not whichever
    -- fund a thread happened to see first.
    cast({{ arg_min_first('fund_id', 'total_return', 'fund_id') }} as string) as worst_fund_id,
    cast(min(total_return) as double) as worst_return,
    cast(median(total_return) as double) as median_return,
    cast(count(*) as integer) as funds_in_universe,
    -- Funds with a return, by the basis it was computed on (int_fund_period_returns).
    cast(count(total_return) filter (where return_basis = 'total_return_distributions') as integer)
        as funds_total_return_distributions,
    cast(count(total_return) filter (where return_basis = 'adjusted_close') as integer) as funds_adjusted_close,
    cast(count(total_return) filter (where return_basis = 'nav_only') as integer) as funds_nav_only,
    cast(count(total_return) filter (where adjusted_series_flag is not null) as integer) as funds_adjusted_set_aside,
    -- The one basis of every fund with a return, 'mixed' when they differ (NULL: no return).
    cast(case
        when count(distinct return_basis) filter (where total_return is not null) > 1 then 'mixed'
        else min(return_basis) filter (where total_return is not null)
    end as string) as return_basis
from returns
group by period, as_of_date
