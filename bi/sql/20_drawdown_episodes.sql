-- How deep were the small-cap benchmark's corrections, and did multi-month rebounds follow?
-- Each decline of the drawdown threshold or more: peak, trough, depth, the return 6 months
-- after the trough, and the recovery of the peak (NULL while not recovered).
-- Source table marts.drawdown_episodes.
SELECT
    symbol,
    peak_date,
    trough_date,
    depth,
    trading_days_to_trough,
    rebound_date,
    rebound_6m,
    recovery_date,
    is_recovered
FROM marts.drawdown_episodes
WHERE role = 'small'
ORDER BY peak_date
