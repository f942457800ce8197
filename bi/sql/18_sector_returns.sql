-- Which sectors lead the small-cap index? Each sector's 6-month return relative to the small
-- index, at the latest as-of date and at each audit date of the claims audit (the article's
-- date first): the rows in force on that date, so the bars are the ones the sector claim read.
-- Sources marts.sector_returns, marts.claims_audit (its audit dates only).
WITH small AS (
    SELECT * FROM marts.sector_returns
    WHERE index_role = 'small'
),

audit_dates AS (
    SELECT DISTINCT as_of_date AS audit_date
    FROM marts.claims_audit
),

shown AS (
    SELECT max(as_of_date) AS as_of_date
    FROM small
    UNION
    SELECT (SELECT max(small.as_of_date) FROM small WHERE small.as_of_date <= audit_dates.audit_date) AS as_of_date
    FROM audit_dates
)

SELECT
    small.as_of_date,
    CASE
        WHEN small.as_of_date = (SELECT min(audit_date) FROM audit_dates) THEN 'article date'
        WHEN small.as_of_date = (SELECT max(as_of_date) FROM small) THEN 'latest'
        ELSE 'audit date'
    END AS view,
    small.sector,
    small.members,
    small.return_6m,
    small.index_return_6m,
    small.relative_6m,
    small.return_3m,
    small.relative_3m,
    small.start_6m
FROM small
INNER JOIN shown ON shown.as_of_date = small.as_of_date
ORDER BY small.as_of_date, small.relative_6m DESC
