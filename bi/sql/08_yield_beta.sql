-- Rolling sensitivity of small, large and the spread (small - large) daily returns to the
-- daily change in the 10-year Treasury yield (per percentage point).
-- Source table marts.yield_sensitivity.
SELECT
    date,
    subject,
    beta,
    t_stat,
    correlation,
    r_squared,
    n_obs
FROM marts.yield_sensitivity
WHERE beta IS NOT NULL
ORDER BY subject, date
