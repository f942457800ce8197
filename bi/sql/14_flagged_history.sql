-- Which stretches of history did the quality gates set aside, and why? The marts leave every
-- return, streak and aggregate across these stretches NULL, with a flag_reason naming them.
-- Source marts.series_flags.
SELECT
    dataset,
    series,
    rule,
    date_from,
    date_to,
    detail
FROM marts.series_flags
ORDER BY date_to DESC, dataset, series, rule
