{#-
  The points the article's claims are audited at: the audit date (audit_view 'article_date')
  and, when the data reaches later, the latest date held ('latest'). Each claim reads the marts
  at data_as_of, the last trading day on or before as_of_date (NULL when none is held).
-#}
with trading_days as (
    select date from {{ ref('int_trading_days') }}
),

article_date as (
    select
        {{ var_date('audit_date') }} as as_of_date,
        'article_date' as audit_view,
        (select max(date) from trading_days where date <= {{ var_date('audit_date') }}) as data_as_of
),

latest as (
    select
        max(date) as as_of_date,
        'latest' as audit_view,
        max(date) as data_as_of
    from trading_days
    -- Data that ends on the audit date has one view, not the same one twice.
    having max(date) > {{ var_date('audit_date') }}
)

select * from article_date
union all
select * from latest
