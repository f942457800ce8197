-- The small-cap benchmark's total-return level, the series the drawdown episodes are measured
-- on: daily returns chained, a missing return counting as none (the scale starts at 1 and does
-- not matter, only ratios of levels do). Source table marts.benchmark_daily.
SELECT
    symbol,
    date,
    exp(sum(ln(1 + coalesce(return_1d, 0))) OVER (ORDER BY date)) AS level,
    return_1d
FROM marts.benchmark_daily
WHERE role = 'small'
ORDER BY date
