-- Is the small-cap universe being replenished? Per snapshot of the small index: members
-- added and removed since the previous snapshot, and the removals that were M&A targets
-- announced in the 12 months before it. The first snapshot has nothing to compare with
-- (NULL counts). Source table marts.universe_changes.
SELECT
    index_id,
    as_of_date,
    previous_as_of_date,
    members,
    additions,
    removals,
    removals_mna,
    additions - removals AS net_change
FROM marts.universe_changes
WHERE index_role = 'small'
ORDER BY as_of_date
