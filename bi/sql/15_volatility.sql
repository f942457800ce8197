-- Are small caps more volatile than large caps, and how consistently? 63-trading-day realized
-- volatility (annualized) of each benchmark and their ratio small / large, per trading day;
-- the ratio is NULL where either window holds too few returns. Source table marts.volatility.
SELECT
    date,
    small_symbol,
    large_symbol,
    small_vol_63d,
    large_vol_63d,
    ratio,
    small_obs,
    large_obs
FROM marts.volatility
ORDER BY date
