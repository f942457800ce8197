-- Which of the article's claims does the data support or contradict?
-- One row per claim and audit date (the article's date, and the latest day held when later).
-- Verdicts: supported, contradicted, mixed (true of some of the things a claim names),
-- insufficient_data, and not_checkable (no free source holds the data: reason says what is missing).
-- Source table marts.claims_audit.
SELECT
    claim_id,
    claim_text,
    metric,
    value,
    threshold,
    verdict,
    reason,
    as_of_date
FROM marts.claims_audit
ORDER BY as_of_date, claim_id
