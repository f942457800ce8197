-- Share of index members with negative trailing-twelve-month net income, by count and by
-- market cap, for the whole index (sector 'ALL'). Source table marts.profitability.
SELECT
    index_role,
    as_of_date,
    share_unprofitable,
    share_unprofitable_cap_weighted,
    unprofitable,
    with_data,
    constituents,
    coverage
FROM marts.profitability
WHERE sector = 'ALL'
ORDER BY index_role, as_of_date
