{#-
  Loss-makers per index role, as-of date and sector. share_unprofitable counts only members
  with a TTM; members without one (recent IPOs with under four quarters, IFRS filers,
  delinquent filers whose TTM went stale, companies reporting in another currency than USD:
  foreign_currency_reporters) are left out of it, and they skew to losses. Constituents are
  issuers: an issuer with two listed classes counts once (int_company_asof). The
  bounds say what the share over all members could be: the lower bound counts every member
  without a TTM as profitable, the upper bound counts each as a loss-maker.
-#}
with companies as (
    select * from {{ ref('int_company_asof') }}
),

by_sector as (
    select
        index_role,
        as_of_date,
        sector,
        count(*) as constituents,
        count(*) filter (where has_ttm) as with_data,
        count(*) filter (where reports_in_foreign_currency) as foreign_currency_reporters,
        count(*) filter (where ttm_net_income < 0) as unprofitable,
        {{ ordered_agg('sum', 'market_cap') }} filter (where has_ttm) as cap_with_data,
        {{ ordered_agg('sum', 'market_cap') }} filter (where ttm_net_income < 0) as cap_unprofitable
    from companies
    -- Per sector, and over all sectors (the rollup's row with a NULL sector: 'ALL' below).
    group by index_role, as_of_date, rollup(sector)
)

select
    cast(index_role as string) as index_role,
    cast(as_of_date as date) as as_of_date,
    cast(coalesce(sector, 'ALL') as string) as sector,
    cast(constituents as integer) as constituents,
    cast(with_data as integer) as with_data,
    cast(unprofitable as integer) as unprofitable,
    cast(unprofitable / nullif(with_data, 0) as double) as share_unprofitable,
    cast(coalesce(cap_unprofitable, 0) / nullif(cap_with_data, 0) as double) as share_unprofitable_cap_weighted,
    cast(with_data / nullif(constituents, 0) as double) as coverage,
    cast(constituents - with_data as integer) as without_data,
    cast(foreign_currency_reporters as integer) as foreign_currency_reporters,
    cast(unprofitable / nullif(constituents, 0) as double) as share_unprofitable_lower_bound,
    cast((unprofitable + constituents - with_data) / nullif(constituents, 0) as double)
        as share_unprofitable_upper_bound
from by_sector
