with source as (
    select * from {{ source('raw', 'earnings') }}
),

cleaned as (
    select
        upper(trim(symbol)) as symbol,
        fiscal_period_end,
        report_date,
        net_income,
        eps_diluted,
        revenue,
        shares_outstanding,
        nullif(trim(currency), '') as currency,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['symbol', 'fiscal_period_end', 'report_date']) }}
)

select * exclude (_loaded_at, _source_line) from deduplicated
