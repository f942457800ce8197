with returns as (
    select * from {{ ref('int_fund_period_returns') }}
)

select
    cast(period as varchar) as period,
    cast(as_of_date as date) as as_of_date,
    cast(count(total_return) as integer) as funds_tracked,
    cast(count(*) filter (where total_return < 0) as integer) as funds_with_loss,
    -- Ordered input: a tie for the worst return names the lowest fund_id, not whichever
    -- fund a thread happened to see first.
    cast(arg_min(fund_id, total_return order by fund_id) as varchar) as worst_fund_id,
    cast(min(total_return) as double) as worst_return,
    cast(median(total_return) as double) as median_return,
    cast(count(*) as integer) as funds_in_universe
from returns
group by period, as_of_date
