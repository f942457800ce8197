-- Small-cap fund scorecard per period at the latest as-of date: how many funds lost money,
-- the worst fund and the median return. Source table marts.fund_scorecard.
SELECT
    period,
    as_of_date,
    funds_tracked,
    funds_with_loss,
    worst_fund_id,
    worst_return,
    median_return
FROM marts.fund_scorecard
WHERE as_of_date = (SELECT max(as_of_date) FROM marts.fund_scorecard)
ORDER BY period
