-- Position signal (increase / hold / reassess) at every as-of date, newest first,
-- with every rule that fired. Source table marts.position_signal.
SELECT
    as_of_date,
    signal,
    reasons
FROM marts.position_signal
ORDER BY as_of_date DESC
