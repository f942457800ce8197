{#-
  The dates the monthly marts are computed for: every month-end trading day, the latest
  trading day held, and the trading day in force at the audit date (the article's date).
-#}
with trading_days as (
    select * from {{ ref('int_trading_days') }}
),

audit_day as (
    select max(date) as date
    from trading_days
    where date <= {{ var_date('audit_date') }}
)

select
    trading_days.date as as_of_date,
    trading_days.is_month_end,
    trading_days.is_latest,
    coalesce(trading_days.date = audit_day.date, false) as is_audit_date
from trading_days
cross join audit_day
where trading_days.is_month_end
    or trading_days.is_latest
    or trading_days.date = audit_day.date
