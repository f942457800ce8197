{#-
  Each fund's daily total-return index from its NAV and its distributions, and whether its
  adjusted NAV (a publisher's adjusted close) agrees with those distributions.

  Total return, distributions reinvested at the ex-date NAV (the standard index):
      TR_t = TR_{t-1} * (nav_t + dist_t) / nav_{t-1},   TR = 1 on the fund's first NAV,
  where dist_t is every distribution (dividend and capital gain) whose ex-date falls on t, or
  on the days since the previous NAV (an ex-date without a NAV counts on the next NAV).

  Check of the adjusted series (funds with distributions and an adjusted NAV): on every
  ex-date the adjusted NAV's one-day return must match (nav_t + dist_t) / nav_{t-1} within
  fund_adjusted_gap_max, and its return over the whole span both series cover must match the
  index's within fund_adjusted_span_gap_max. Yahoo's mutual-fund Adj Close counts a capital
  gain twice (once in Dividends, once as a capital gain) and fails the first test on every
  capital-gain ex-date. A failing series is `adjusted_disagrees`; the period returns then use
  NAV + distributions (they do whenever distributions are held) and say so.
-#}
with navs as (
    select fund_id, date, nav, adj_nav
    from {{ ref('stg_fund_navs') }}
),

distributions as (
    select fund_id, ex_date, amount, kind
    from {{ ref('stg_fund_distributions') }}
),

-- A distribution counts on the first NAV on or after its ex-date.
placed as (
    select distributions.fund_id, navs.date, distributions.amount, distributions.kind
    from distributions
    {{ asof_join(
        'inner', 'distributions', 'navs', [('navs.fund_id', 'distributions.fund_id')],
        'navs.date', '>=', 'distributions.ex_date'
    ) }}
),

per_day as (
    select
        fund_id,
        date,
        {{ ordered_agg('sum', 'amount') }} as distribution,
        {{ ordered_agg('sum', 'amount') }} filter (where kind = 'capital_gain') as capital_gain
    from placed
    group by fund_id, date
),

daily as (
    select
        navs.fund_id,
        navs.date,
        navs.nav,
        navs.adj_nav,
        coalesce(per_day.distribution, 0) as distribution,
        coalesce(per_day.capital_gain, 0) as capital_gain,
        lag(navs.nav) over by_date as previous_nav,
        lag(navs.adj_nav) over by_date as previous_adj_nav,
        navs.fund_id in (select distributions.fund_id from distributions) as has_distributions
    from navs
    left join per_day
        on per_day.fund_id = navs.fund_id
        and per_day.date = navs.date
    window by_date as (partition by navs.fund_id order by navs.date)
),

indexed as (
    select
        *,
        round(exp(sum(ln(coalesce((nav + distribution) / previous_nav, 1))) over (
            partition by fund_id order by date rows between unbounded preceding and current row
        )), {{ var('fund_index_round_digits') }}) as total_return_index,
        case
            when has_distributions and distribution > 0 and adj_nav is not null and previous_adj_nav is not null
                then
                    round(
                        (adj_nav / previous_adj_nav) / ((nav + distribution) / previous_nav) - 1,
                        {{ var('fund_index_round_digits') }}
                    )
        end as adjusted_gap
    from daily
),

-- The span both series cover, per fund.
span as (
    select
        fund_id,
        min(date) as span_start,
        max(date) as span_end,
        min_by(adj_nav, date) as adj_first,
        max_by(adj_nav, date) as adj_last,
        min_by(total_return_index, date) as tr_first,
        max_by(total_return_index, date) as tr_last,
        max_by(adjusted_gap, abs(adjusted_gap)) as worst_event_gap,
        max_by(date, abs(adjusted_gap)) as worst_event_date,
        count(adjusted_gap) filter (where abs(adjusted_gap) > {{ var_num('fund_adjusted_gap_max') }})
            as events_disagreeing,
        count(adjusted_gap) as events_checked
    from indexed
    where adj_nav is not null and has_distributions
    group by fund_id
),

checked as (
    select
        *,
        (adj_last / adj_first) / (tr_last / tr_first) - 1 as span_gap
    from span
),

verdict as (
    select
        fund_id,
        events_disagreeing > 0 or abs(span_gap) > {{ var_num('fund_adjusted_span_gap_max') }} as adjusted_disagrees,
        case
            when events_disagreeing > 0 or abs(span_gap) > {{ var_num('fund_adjusted_span_gap_max') }} then
                'adjusted NAV disagrees with the fund''s distributions: '
                || cast(events_disagreeing as string) || ' of ' || cast(events_checked as string)
                || ' ex-dates off by more than ' || '{{ var("fund_adjusted_gap_max") }}'
                || coalesce(
                    ' (worst ' || cast(worst_event_date as string) || ': '
                    || printf('%+.4f', worst_event_gap) || ')',
                    ''
                )
                || '; over ' || cast(span_start as string) || '..' || cast(span_end as string)
                || ' adjusted ' || printf('%+.4f', adj_last / adj_first - 1)
                || ' vs NAV + distributions ' || printf('%+.4f', tr_last / tr_first - 1)
                || ': NAV + distributions used'
        end as adjusted_check
    from checked
)

select
    indexed.fund_id,
    indexed.date,
    indexed.nav,
    indexed.adj_nav,
    cast(indexed.distribution as double) as distribution,
    cast(indexed.capital_gain as double) as capital_gain,
    indexed.total_return_index,
    indexed.adjusted_gap,
    indexed.has_distributions,
    coalesce(verdict.adjusted_disagrees, false) as adjusted_disagrees,
    verdict.adjusted_check
from indexed
left join verdict
    on verdict.fund_id = indexed.fund_id
