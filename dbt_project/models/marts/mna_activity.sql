{#-
  Monthly small-cap M&A activity: the windows and the status come from int_mna_monthly, the
  one definition the mna_tepid trigger reads too. The latest month, while partial, shows its
  deals so far and no status (is_complete_month false).
-#}
with monthly as (
    select * from {{ ref('int_mna_monthly') }}
)

select
    cast(month as date) as month,
    cast(deals as integer) as deals,
    cast(deal_value_usd as double) as deal_value_usd,
    cast(deals_3m as integer) as deals_3m,
    cast(trailing_12m_avg as double) as trailing_12m_avg,
    cast(status as string) as status,
    cast(is_complete_month as boolean) as is_complete_month
from monthly
