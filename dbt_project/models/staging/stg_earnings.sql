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
        upper(nullif(trim(currency), '')) as currency,
        -- The contract's defaults for the optional columns (../../../README.md, "Your own files").
        coalesce(shares_as_of, fiscal_period_end) as shares_as_of,
        coalesce(eps_basis_date, report_date) as eps_basis_date,
        coalesce(nullif(trim(issuer_id), ''), upper(trim(symbol))) as issuer_id,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['symbol', 'fiscal_period_end', 'report_date']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
