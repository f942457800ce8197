-- Do small caps face liquidity challenges? Per index and as-of date: the median member's
-- 63-day average dollar volume (USD) and median Amihud illiquidity (|return| per million USD
-- traded), over the members with enough trading days. As-of dates where no member has enough
-- (no member prices in the data) measure nothing and are left out. Source table marts.liquidity.
SELECT
    index_role,
    index_id,
    as_of_date,
    members,
    members_with_volume,
    median_dollar_volume,
    median_amihud
FROM marts.liquidity
WHERE members_with_volume > 0
ORDER BY index_role, as_of_date
