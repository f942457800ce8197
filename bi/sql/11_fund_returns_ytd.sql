-- Every tracked fund's year-to-date return at the latest date held, worst first.
-- Source table marts.fund_returns.
SELECT
    fund_id,
    fund_name,
    start_date,
    end_date,
    total_return,
    is_loss
FROM marts.fund_returns
WHERE period = 'YTD' AND total_return IS NOT NULL
ORDER BY total_return
