{#-
  Every filed version of every quarterly fact, with the interval in which it was the
  latest visible version: [report_date, valid_to). A restatement is a new version with a
  later report date; nothing is overwritten. The calendar quarter of a fiscal quarter is
  the calendar quarter containing its period end.

  Per-share figures and share counts are also given on the first share basis of the symbol
  (`_unsplit`, int_split_multiples): EPS filed before and after a split, or re-based by a
  later filing, then compare and add up, and downstream models put them on the basis of the
  date they are used at.

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

-- The share basis each per-share figure and each count is on (int_split_multiples).
eps_basis as (
    {{ with_share_multiple('earnings', 'eps_basis_date', 'eps_share_multiple') }}
),

shares_basis as (
    {{ with_share_multiple('eps_basis', 'shares_as_of', 'shares_share_multiple') }}
),

versioned as (
    select
        symbol,
        issuer_id,
        currency,
        fiscal_period_end,
        report_date,
        net_income,
        eps_diluted,
        eps_diluted * eps_share_multiple as eps_diluted_unsplit,
        revenue,
        shares_outstanding,
        shares_outstanding / shares_share_multiple as shares_unsplit,
        shares_as_of,
        lead(report_date) over (
            partition by symbol, fiscal_period_end order by report_date
        ) as valid_to,
        row_number() over (
            partition by symbol, fiscal_period_end order by report_date
        ) as version_number
    from shares_basis
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
    issuer_id,
    currency,
    net_income,
    eps_diluted,
    eps_diluted_unsplit,
    revenue,
    shares_outstanding,
    shares_unsplit,
    shares_as_of
from primary_flagged
{% if inputs_unchanged() %}where false{% endif %}
