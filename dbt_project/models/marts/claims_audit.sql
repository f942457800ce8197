{#-
  One row per claim of the article, as of the audit date (the article's date, audit_view
  'article_date') and, when later, as of the latest date held ('latest'). Each claim reads
  the marts at data_as_of, the last trading day on or before its as-of date; a missing
  input gives insufficient_data, never a guess.
-#}
with trading_days as (
    select date from {{ ref('int_trading_days') }}
),

audit_points as (
    select
        {{ var_date('audit_date') }} as as_of_date,
        'article_date' as audit_view,
        (select max(date) from trading_days where date <= {{ var_date('audit_date') }}) as data_as_of
    union all
    select
        max(date) as as_of_date,
        'latest' as audit_view,
        max(date) as data_as_of
    from trading_days
    having max(date) > {{ var_date('audit_date') }}
),

daily as (
    select * from {{ ref('benchmark_daily') }}
),

-- 1. The 5-day surge.
surge_window as (
    select
        audit_points.as_of_date,
        max(daily.return_5d) as best_return_5d,
        -- Ordered input: a tie for the best return gives its earliest date, in every run.
        arg_max(daily.date, daily.return_5d order by daily.date) as best_date,
        count(daily.return_5d) as days_observed,
        bool_or(daily.date = audit_points.data_as_of) as covers_audit_day
    from audit_points
    left join daily
        on daily.role = 'small'
        and daily.date between audit_points.as_of_date - {{ var('claim_surge_window_days') }} and audit_points.as_of_date
    group by audit_points.as_of_date
),

surge as (
    select
        'surge_5d' as claim_id,
        'The Russell 2000 surged 8.5% over five days' as claim_text,
        'max small 5-day return ending within the ' || {{ var('claim_surge_window_days') }} || ' days before the as-of date' as metric,
        best_return_5d as value,
        '>= ' || {{ var('surge_5d_threshold') }} as threshold,
        case
            when best_return_5d is null or not coalesce(covers_audit_day, false) then 'insufficient_data'
            when best_return_5d >= {{ var_num('surge_5d_threshold') }} then 'supported'
            else 'contradicted'
        end as verdict,
        as_of_date,
        json_object('best_end_date', best_date, 'days_observed', days_observed)::varchar as detail
    from surge_window
),

-- 2. The year-to-date lag.
ytd as (
    select
        audit_points.as_of_date,
        small.ytd_return as small_ytd,
        large.ytd_return as large_ytd,
        small.ytd_return - large.ytd_return as spread
    from audit_points
    left join daily as small
        on small.role = 'small' and small.date = audit_points.data_as_of
    left join daily as large
        on large.role = 'large' and large.date = audit_points.data_as_of
),

ytd_lag as (
    select
        'ytd_lag' as claim_id,
        'The index lags the S&P 500 year to date' as claim_text,
        'YTD return spread, small - large' as metric,
        spread as value,
        '< 0' as threshold,
        case
            when spread is null then 'insufficient_data'
            when spread < 0 then 'supported'
            else 'contradicted'
        end as verdict,
        as_of_date,
        json_object('small_ytd', small_ytd, 'large_ytd', large_ytd)::varchar as detail
    from ytd
),

-- 3. Fourteen years of large-cap dominance.
streak_at as (
    select
        audit_points.as_of_date,
        dominance.as_of_year,
        dominance.current_streak,
        dominance.longest_streak,
        dominance.longest_streak_end_year,
        strength.peak_date,
        strength.years_since_peak
    from audit_points
    left join {{ ref('dominance_streak') }} as dominance
        on dominance.as_of_year = year(audit_points.as_of_date) - 1
    left join {{ ref('relative_strength') }} as strength
        on strength.date = audit_points.data_as_of
),

dominance as (
    select
        'large_cap_dominance_14y' as claim_id,
        '14 consecutive years of large-cap dominance' as claim_text,
        'consecutive complete calendar years, ending with the latest, in which large beat small' as metric,
        cast(current_streak as double) as value,
        '>= ' || {{ var('claim_dominance_years') }} as threshold,
        case
            when current_streak is null then 'insufficient_data'
            when current_streak >= {{ var('claim_dominance_years') }} then 'supported'
            else 'contradicted'
        end as verdict,
        as_of_date,
        json_object(
            'latest_complete_year', as_of_year,
            'longest_streak', longest_streak,
            'longest_streak_end_year', longest_streak_end_year,
            'relative_strength_peak_date', peak_date,
            'years_since_relative_strength_peak', years_since_peak
        )::varchar as detail
    from streak_at
),

-- 4. The valuation discount.
gap_at as (
    select audit_points.as_of_date, gap.*
        exclude (as_of_date)
    from audit_points
    left join {{ ref('valuation_gap') }} as gap
        on gap.as_of_date = audit_points.data_as_of
        and gap.method = 'pe_ex_losses'
),

valuation as (
    select
        'valuation_discount' as claim_id,
        'Small caps trade at a valuation discount to large caps' as claim_text,
        'relative P/E ex losses (small / large) against its history' as metric,
        relative as value,
        '< 1 and <= historical median (over at least ' || {{ var('claim_valuation_min_history') }}
            || ' as-of dates)' as threshold,
        case
            when relative is null or history_median is null then 'insufficient_data'
            -- With one observation the relative is its own median: "at or below its
            -- historical median" holds by construction until there is a history to compare.
            when history_count < {{ var('claim_valuation_min_history') }} then 'insufficient_data'
            when relative < 1 and relative <= history_median then 'supported'
            else 'contradicted'
        end as verdict,
        as_of_date,
        json_object(
            'small_pe_ex_losses', small_value,
            'large_pe_ex_losses', large_value,
            'discount', discount,
            'history_median', history_median,
            'percentile', percentile,
            'zscore', zscore,
            'history_count', history_count,
            'min_history', {{ var('claim_valuation_min_history') }}
        )::varchar as detail
    from gap_at
),

-- 5. Nearly 40% unprofitable.
profit_at as (
    select audit_points.as_of_date, profit.* exclude (as_of_date)
    from audit_points
    left join {{ ref('profitability') }} as profit
        on profit.as_of_date = audit_points.data_as_of
        and profit.index_role = 'small'
        and profit.sector = 'ALL'
),

unprofitable as (
    select
        'unprofitable_40pct' as claim_id,
        'Nearly 40% of Russell 2000 companies operate at a loss' as claim_text,
        'share of small-index members with TTM net income < 0 (by count, among those with data)' as metric,
        share_unprofitable as value,
        {{ var('claim_unprofitable_low') }} || '..' || {{ var('claim_unprofitable_high') }}
            || ' (lower and upper bound over all members)' as threshold,
        -- Members without a TTM could be loss-makers or not: the verdict holds for every way
        -- they could fall. Supported when the bounds lie inside the band, contradicted when
        -- they lie wholly outside it, otherwise the missing members decide: no verdict.
        case
            when share_unprofitable is null or coverage < {{ var_num('claim_min_coverage') }} then 'insufficient_data'
            when share_unprofitable_lower_bound >= {{ var_num('claim_unprofitable_low') }}
                and share_unprofitable_upper_bound <= {{ var_num('claim_unprofitable_high') }} then 'supported'
            when share_unprofitable_upper_bound < {{ var_num('claim_unprofitable_low') }}
                or share_unprofitable_lower_bound > {{ var_num('claim_unprofitable_high') }} then 'contradicted'
            else 'insufficient_data'
        end as verdict,
        as_of_date,
        json_object(
            'constituents', constituents,
            'with_data', with_data,
            'unprofitable', unprofitable,
            'coverage', coverage,
            'without_data', without_data,
            'share_unprofitable_lower_bound', share_unprofitable_lower_bound,
            'share_unprofitable_upper_bound', share_unprofitable_upper_bound,
            'share_unprofitable_cap_weighted', share_unprofitable_cap_weighted
        )::varchar as detail
    from profit_at
),

-- 6. 27 of 29 funds with losses.
funds_at as (
    select audit_points.as_of_date, card.* exclude (as_of_date)
    from audit_points
    left join {{ ref('fund_scorecard') }} as card
        on card.as_of_date = audit_points.data_as_of
        and card.period = 'YTD'
),

funds as (
    select
        'funds_27_of_29_losses' as claim_id,
        '27 of 29 tracked small-cap funds reported losses, one down nearly 15%' as claim_text,
        'YTD share of tracked funds with a loss' as metric,
        funds_with_loss / nullif(funds_tracked, 0) as value,
        '>= ' || {{ var('claim_fund_loss_share_min') }} || ' and worst <= ' || {{ var('claim_fund_worst_max') }}
            as threshold,
        case
            when coalesce(funds_tracked, 0) < {{ var('claim_fund_min_tracked') }} then 'insufficient_data'
            -- Losses counted over returns on different bases (NAV only, adjusted NAV, NAV +
            -- distributions) compare unlike things: no verdict until every fund is on one basis.
            when return_basis = 'mixed' then 'insufficient_data'
            when funds_with_loss / funds_tracked >= {{ var_num('claim_fund_loss_share_min') }}
                and worst_return <= {{ var_num('claim_fund_worst_max') }} then 'supported'
            else 'contradicted'
        end as verdict,
        as_of_date,
        json_object(
            'funds_tracked', funds_tracked,
            'funds_with_loss', funds_with_loss,
            'worst_fund_id', worst_fund_id,
            'worst_return', worst_return,
            'median_return', median_return,
            'return_basis', return_basis,
            'funds_total_return_distributions', funds_total_return_distributions,
            'funds_adjusted_close', funds_adjusted_close,
            'funds_nav_only', funds_nav_only,
            'funds_adjusted_set_aside', funds_adjusted_set_aside
        )::varchar as detail
    from funds_at
),

-- 7. Sensitivity to rising Treasury yields.
sensitivity_at as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        sensitivity.* exclude (date),
        sensitivity.date as regression_date
    from audit_points
    asof left join (
        select * from {{ ref('yield_sensitivity') }} where subject = 'spread'
    ) as sensitivity
        on sensitivity.date <= audit_points.data_as_of
),

sensitivity as (
    select
        'yield_sensitivity' as claim_id,
        'Small caps are sensitive to rising Treasury yields' as claim_text,
        't-statistic of the rolling beta of the small - large daily return spread on the daily DGS10 change' as metric,
        t_stat as value,
        'beta < 0 and t <= ' || {{ var('claim_spread_t_max') }} as threshold,
        case
            when beta is null or t_stat is null
                or regression_date < data_as_of - {{ var('claim_max_stale_days') }} then 'insufficient_data'
            when beta < 0 and t_stat <= {{ var_num('claim_spread_t_max') }} then 'supported'
            else 'contradicted'
        end as verdict,
        as_of_date,
        json_object(
            'regression_date', regression_date,
            'beta', beta,
            'correlation', correlation,
            'r_squared', r_squared,
            'n_obs', n_obs
        )::varchar as detail
    from sensitivity_at
),

-- 8-10. The three validation triggers.
trigger_claims as (
    select * from (
        values
            ('trigger_rally_10pct_wow', 'rally_10pct_wow', 'A 10% week-over-week rally would confirm technical strength'),
            ('trigger_eps_growth_15', 'eps_growth_15', '15% EPS growth by Q4 2025 would validate the turnaround'),
            ('trigger_fed_cut_by_deadline', 'fed_cut_by_deadline', 'Fed rate cuts by Q1 2026 serve as a macro catalyst')
    ) as claims (claim_id, trigger_id, claim_text)
),

trigger_rows as (
    select
        trigger_claims.claim_id,
        trigger_claims.claim_text,
        'trigger ' || trigger_claims.trigger_id || ' status' as metric,
        triggers.value,
        'trigger met' as threshold,
        case triggers.status
            when 'met' then 'supported'
            when 'missed' then 'contradicted'
            else 'insufficient_data'
        end as verdict,
        audit_points.as_of_date,
        json_object('trigger_status', coalesce(triggers.status, 'absent'), 'trigger_detail', triggers.detail)::varchar
            as detail
    from audit_points
    cross join trigger_claims
    left join {{ ref('triggers') }} as triggers
        on triggers.trigger_id = trigger_claims.trigger_id
        and triggers.as_of_date = audit_points.data_as_of
),

claims as (
    select * from surge
    union all by name select * from ytd_lag
    union all by name select * from dominance
    union all by name select * from valuation
    union all by name select * from unprofitable
    union all by name select * from funds
    union all by name select * from sensitivity
    union all by name select * from trigger_rows
)

select
    cast(claims.claim_id as varchar) as claim_id,
    cast(claims.claim_text as varchar) as claim_text,
    cast(claims.metric as varchar) as metric,
    cast(claims.value as double) as value,
    cast(claims.threshold as varchar) as threshold,
    cast(claims.verdict as varchar) as verdict,
    cast(claims.as_of_date as date) as as_of_date,
    cast(audit_points.data_as_of as date) as data_as_of,
    cast(audit_points.audit_view as varchar) as audit_view,
    cast(claims.detail as varchar) as detail,
    cast('{{ var("definition_version") }}' as varchar) as definition_version
from claims
inner join audit_points
    on audit_points.as_of_date = claims.as_of_date
