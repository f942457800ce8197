with source as (
    select * from {{ source('raw', 'estimates') }}
),

cleaned as (
    select
        upper(trim(symbol)) as symbol,
        fiscal_period_end,
        as_of_date,
        eps_estimate,
        net_income_estimate,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['symbol', 'fiscal_period_end', 'as_of_date']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
