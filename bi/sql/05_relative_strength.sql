-- Small / large relative strength (rebased to 1), with the small-cap rally weeks and
-- 5-day surges marked. Sources marts.relative_strength, marts.benchmark_weekly,
-- marts.benchmark_daily; the thresholds are the ones the marts applied (the rally trigger's
-- threshold, and the surge claim's threshold in the claims audit), never restated here.
WITH rally_threshold AS (
    SELECT arg_max(threshold, as_of_date) AS threshold
    FROM marts.triggers
    WHERE trigger_id = 'rally_10pct_wow'
),
surge_threshold AS (
    SELECT TRY_CAST(regexp_extract(arg_max(threshold, as_of_date), '-?[0-9]*\.?[0-9]+') AS DOUBLE) AS threshold
    FROM marts.claims_audit
    WHERE claim_id = 'surge_5d'
),
rally_weeks AS (
    SELECT week_end_date, wow_return
    FROM marts.benchmark_weekly
    WHERE role = 'small' AND wow_return >= (SELECT threshold FROM rally_threshold)
),
surges AS (
    SELECT date, return_5d
    FROM marts.benchmark_daily
    WHERE role = 'small' AND return_5d >= (SELECT threshold FROM surge_threshold)
)
SELECT
    rs.date,
    rs.ratio,
    rs.peak_date,
    rs.drawdown_from_peak,
    rs.years_since_peak,
    -- A calendar week runs Monday to Sunday: the band spans the rally week's trading days.
    CASE WHEN rally_weeks.week_end_date IS NOT NULL THEN CAST(date_trunc('week', rs.date) AS DATE) END AS rally_week_start,
    rally_weeks.wow_return AS rally_wow_return,
    surges.return_5d AS surge_return_5d
FROM marts.relative_strength AS rs
LEFT JOIN rally_weeks ON rally_weeks.week_end_date = rs.date
LEFT JOIN surges ON surges.date = rs.date
ORDER BY rs.date
