{#-
  named_company_margins, "companies like AIMEI Health Technology with improving margins": the
  named company's net margin (net income / revenue) in its latest fiscal quarter reported by
  data_as_of against the same quarter a year earlier (a quarter ending 350..380 days before),
  each in its latest version visible at data_as_of. Improving: supported; not: contradicted.
  The article names the company and nothing else: when the warehouse holds no filing of it
  with revenue, no free source the warehouse reads can check the claim (not_checkable, with
  the reason); filings without a year-earlier quarter to compare give insufficient_data.
-#}
{%- set company = var('claim_named_company') %}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

filings as (
    select fiscal_period_end, report_date, net_income, revenue
    from {{ ref('stg_earnings') }}
    where symbol = '{{ company["symbol"] }}'
        and revenue > 0
),

-- Each quarter as known at each audit point: its latest version reported by then.
visible as (
    select
        audit_points.as_of_date,
        filings.fiscal_period_end,
        filings.net_income / filings.revenue as net_margin
    from audit_points
    inner join filings
        on filings.report_date <= audit_points.data_as_of
    qualify
        row_number() over (
            partition by audit_points.as_of_date, filings.fiscal_period_end
            order by filings.report_date desc
        ) = 1
),

latest as (
    select * from visible
    qualify row_number() over (partition by as_of_date order by fiscal_period_end desc) = 1
),

compared as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        latest.fiscal_period_end as latest_period_end,
        latest.net_margin as latest_margin,
        year_ago.fiscal_period_end as year_ago_period_end,
        year_ago.net_margin as year_ago_margin,
        (select count(*) from filings) as filings_with_revenue
    from audit_points
    left join latest
        on latest.as_of_date = audit_points.as_of_date
    left join visible as year_ago
        on year_ago.as_of_date = audit_points.as_of_date
        and year_ago.fiscal_period_end
        between latest.fiscal_period_end - 380 and latest.fiscal_period_end - 350
    qualify
        row_number() over (
            partition by audit_points.as_of_date order by year_ago.fiscal_period_end desc nulls last
        ) = 1
)

select
    'named_company_margins' as claim_id,
    'Companies like {{ company["name"] }} have improving margins' as claim_text,
    'Net margin, latest quarter - same quarter a year earlier' as metric,
    latest_margin - year_ago_margin as value,
    '> 0' as threshold,
    case
        when filings_with_revenue = 0 then 'not_checkable'
        when latest_margin is null or year_ago_margin is null then 'insufficient_data'
        when latest_margin > year_ago_margin then 'supported'
        else 'contradicted'
    end as verdict,
    case
        when filings_with_revenue = 0
            then 'The warehouse holds no filing with revenue of {{ company["name"] }} ({{ company["symbol"] }})'
    end as reason,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('symbol', "'" ~ (company["symbol"]) ~ "'"),
        ('latest_period_end', 'latest_period_end'),
        ('latest_margin', 'latest_margin'),
        ('year_ago_period_end', 'year_ago_period_end'),
        ('year_ago_margin', 'year_ago_margin')
    ]) }} as detail
from compared
