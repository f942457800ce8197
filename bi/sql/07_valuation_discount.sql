-- Small-cap valuation discount to large caps (1 - small / large) per method, beside its
-- history band: the 10th, 50th and 90th percentile of the discount over the whole history
-- held. percentile and zscore are point in time (against history up to each date).
-- Source table marts.valuation_gap.
SELECT
    as_of_date,
    method,
    small_value,
    large_value,
    relative,
    discount,
    percentile,
    zscore,
    quantile_cont(discount, 0.1) OVER (PARTITION BY method) AS history_p10,
    quantile_cont(discount, 0.5) OVER (PARTITION BY method) AS history_median,
    quantile_cont(discount, 0.9) OVER (PARTITION BY method) AS history_p90
FROM marts.valuation_gap
WHERE discount IS NOT NULL
ORDER BY method, as_of_date
