{#-
  Daily, 5-day and year-to-date returns per benchmark role. Each return is a total return
  when both of its ends have an adjusted close, else a price return (macro period_return);
  return_basis labels the row by the bases its returns actually used: a row whose adjusted
  close starts today has a price 5-day and YTD return until both ends are adjusted, and is
  not a total-return row ('mixed'). The basis of each return is in its own column.
-#}
with prices as (
    select * from {{ ref('int_benchmark_prices') }}
),

lagged as (
    select
        *,
        lag(date) over by_role as date_1d,
        lag(close) over by_role as close_1d,
        lag(adj_close) over by_role as adj_close_1d,
        lag(date, {{ var('surge_window_trading_days') }}) over by_role as date_5d,
        lag(close, {{ var('surge_window_trading_days') }}) over by_role as close_5d,
        lag(adj_close, {{ var('surge_window_trading_days') }}) over by_role as adj_close_5d
    from prices
    window by_role as (partition by role order by date)
),

year_ends as (
    select role, year(date) as year, date, close, adj_close
    from prices
    qualify row_number() over (partition by role, year(date) order by date desc) = 1
),

with_year_start as (
    select
        lagged.*,
        year_ends.date as ytd_base_date,
        year_ends.close as ytd_base_close,
        year_ends.adj_close as ytd_base_adj_close
    from lagged
    left join year_ends
        on year_ends.role = lagged.role
        and year_ends.year = year(lagged.date) - 1
),

-- Each return reaches back to its own start; a flagged stretch under it sets it aside.
flagged as (
    select
        *,
        {{ flags_over('prices', 'with_year_start.symbol', 'with_year_start.date_1d', 'with_year_start.date') }}
            as flags_1d,
        {{ flags_over('prices', 'with_year_start.symbol', 'with_year_start.date_5d', 'with_year_start.date') }}
            as flags_5d,
        {{ flags_over('prices', 'with_year_start.symbol', 'with_year_start.ytd_base_date', 'with_year_start.date') }}
            as flags_ytd
    from with_year_start
),

returns as (
    select
        *,
        {{ unless_flagged(period_return('close', 'adj_close', 'close_1d', 'adj_close_1d'), 'flags_1d') }} as return_1d,
        {{ unless_flagged(period_return('close', 'adj_close', 'close_5d', 'adj_close_5d'), 'flags_5d') }} as return_5d,
        {{ unless_flagged(period_return('close', 'adj_close', 'ytd_base_close', 'ytd_base_adj_close'), 'flags_ytd') }}
            as ytd_return,
        {{ return_basis('adj_close', 'adj_close_1d') }} as return_1d_basis,
        {{ return_basis('adj_close', 'adj_close_5d') }} as return_5d_basis,
        {{ return_basis('adj_close', 'ytd_base_adj_close') }} as ytd_return_basis,
        nullif(
            concat_ws(
                ' | ',
                'return_1d: ' || flags_1d,
                'return_5d: ' || flags_5d,
                'ytd_return: ' || flags_ytd
            ),
            ''
        ) as flag_reason
    from flagged
),

-- The row's basis over the returns it has (a return needs its start close); a row without
-- any return (the first day) is labelled by its own close.
row_basis as (
    select
        *,
        close_1d is not null or close_5d is not null or ytd_base_close is not null as has_returns,
        (
            (close_1d is null or return_1d_basis = 'total')
            and (close_5d is null or return_5d_basis = 'total')
            and (ytd_base_close is null or ytd_return_basis = 'total')
        ) as all_total,
        (
            (close_1d is null or return_1d_basis = 'price')
            and (close_5d is null or return_5d_basis = 'price')
            and (ytd_base_close is null or ytd_return_basis = 'price')
        ) as all_price
    from returns
)

select
    cast(role as string) as role,
    cast(symbol as string) as symbol,
    cast(date as date) as date,
    cast(close as double) as close,
    cast(adj_close as double) as adj_close,
    cast(return_1d as double) as return_1d,
    cast(return_5d as double) as return_5d,
    cast(ytd_return as double) as ytd_return,
    cast(ytd_base_date as date) as ytd_base_date,
    cast(
        case
            when not has_returns then case when adj_close is not null then 'total' else 'price' end
            when all_total then 'total'
            when all_price then 'price'
            else 'mixed'
        end as string
    ) as return_basis,
    cast(return_5d >= {{ var_num('surge_5d_threshold') }} as boolean) as is_surge,
    cast(flag_reason as string) as flag_reason,
    cast(case when close_1d is not null then return_1d_basis end as string) as return_1d_basis,
    cast(case when close_5d is not null then return_5d_basis end as string) as return_5d_basis,
    cast(case when ytd_base_close is not null then ytd_return_basis end as string) as ytd_return_basis
from row_basis
