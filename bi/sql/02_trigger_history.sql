-- Trigger status at every as-of date (month-end trading days plus the latest day held).
-- Source table marts.triggers.
SELECT
    trigger_id,
    as_of_date,
    status,
    value,
    threshold
FROM marts.triggers
ORDER BY trigger_id, as_of_date
