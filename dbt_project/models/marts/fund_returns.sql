{#- Every fund and period as of the latest date held. -#}
with returns as (
    select * from {{ ref('int_fund_period_returns') }}
),

latest as (
    select as_of_date from {{ ref('int_as_of_dates') }} where is_latest
)

select
    cast(returns.fund_id as string) as fund_id,
    cast(returns.fund_name as string) as fund_name,
    cast(returns.period as string) as period,
    cast(returns.start_date as date) as start_date,
    cast(returns.end_date as date) as end_date,
    cast(returns.total_return as double) as total_return,
    cast(returns.total_return < 0 as boolean) as is_loss,
    cast(returns.return_basis as string) as return_basis,
    cast(returns.nav_return as double) as nav_return,
    cast(returns.adjusted_close_return as double) as adjusted_close_return,
    cast(returns.adjusted_series_flag as string) as adjusted_series_flag,
    cast(returns.as_of_date as date) as as_of_date,
    cast(returns.flag_reason as string) as flag_reason
from returns
inner join latest
    on latest.as_of_date = returns.as_of_date
