with years as (
    select * from {{ ref('calendar_year_returns') }}
),

islands as (
    select
        *,
        -- Consecutive years won by the large benchmark share an island id.
        year - row_number() over (partition by large_won order by year) as island
    from years
),

-- A year set aside by a flagged stretch has no winner: no streak reaches across it.
streaks as (
    select
        year,
        large_won,
        flag_reason,
        case
            when large_won then row_number() over (partition by large_won, island order by year)
            when large_won is null then null
            else 0
        end as current_streak
    from islands
),

running as (
    select
        year,
        current_streak,
        flag_reason,
        max(current_streak) over history as longest_streak,
        -- The most recent year in which the longest streak so far ended.
        max_by(year, current_streak * 10000 + year) over history as longest_streak_end_year
    from streaks
    window history as (order by year rows between unbounded preceding and current row)
)

select
    cast(year as integer) as as_of_year,
    cast(current_streak as integer) as current_streak,
    cast(coalesce(longest_streak, 0) as integer) as longest_streak,
    cast(case when longest_streak > 0 then longest_streak_end_year end as integer) as longest_streak_end_year,
    cast(flag_reason as string) as flag_reason
from running
