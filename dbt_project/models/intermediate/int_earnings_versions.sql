{#-
  Every filed version of every quarterly fact, with the interval in which it was the
  latest visible version: [report_date, valid_to). A restatement is a new version with a
  later report date; nothing is overwritten. The calendar quarter of a fiscal quarter is
  the calendar quarter containing its period end.

  Kept as it is when no filing arrived since the last build (macros/as_of_incremental.sql).
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_unless_inputs_unchanged() }}",
) }}

with earnings as (
    select * from {{ ref('stg_earnings') }}
),

versioned as (
    select
        symbol,
        fiscal_period_end,
        report_date,
        net_income,
        eps_diluted,
        revenue,
        shares_outstanding,
        lead(report_date) over (
            partition by symbol, fiscal_period_end order by report_date
        ) as valid_to,
        row_number() over (
            partition by symbol, fiscal_period_end order by report_date
        ) as version_number
    from earnings
),

calendar_mapped as (
    select
        *,
        {{ quarter_index('fiscal_period_end') }} as calendar_quarter_index
    from versioned
),

primary_flagged as (
    select
        *,
        -- Two fiscal quarters ending in one calendar quarter (short 52/53-week quarters):
        -- the later one speaks for the calendar quarter.
        fiscal_period_end = max(fiscal_period_end) over (
            partition by symbol, calendar_quarter_index
        ) as is_calendar_quarter_primary
    from calendar_mapped
)

select
    symbol,
    fiscal_period_end,
    report_date,
    valid_to,
    cast(version_number as integer) as version_number,
    version_number = 1 as is_first_report,
    cast(calendar_quarter_index as integer) as calendar_quarter_index,
    {{ quarter_label('calendar_quarter_index') }} as calendar_quarter,
    is_calendar_quarter_primary,
    net_income,
    eps_diluted,
    revenue,
    shares_outstanding
from primary_flagged
{% if inputs_unchanged() %}where false{% endif %}
