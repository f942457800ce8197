-- Year-to-date fund scorecard at every as-of date: funds tracked and funds with a loss.
-- Source table marts.fund_scorecard.
SELECT
    as_of_date,
    funds_tracked,
    funds_with_loss,
    worst_return,
    median_return
FROM marts.fund_scorecard
WHERE period = 'YTD'
ORDER BY as_of_date
