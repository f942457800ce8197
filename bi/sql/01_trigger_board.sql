-- Trigger board: the article's validation triggers at the latest as-of date.
-- Source table marts.triggers (status is met / not_met / pending / missed).
SELECT
    trigger_id,
    status,
    value,
    threshold,
    detail,
    as_of_date,
    definition_version
FROM marts.triggers
WHERE as_of_date = (SELECT max(as_of_date) FROM marts.triggers)
ORDER BY trigger_id
