-- Monthly M&A deals targeting small-cap index members, against the trailing 12-month average
-- (status tepid / normal / accelerating). Source table marts.mna_activity.
SELECT
    month,
    deals,
    deal_value_usd,
    trailing_12m_avg,
    status
FROM marts.mna_activity
ORDER BY month
