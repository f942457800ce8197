with source as (
    select * from {{ source('raw', 'universe') }}
),

cleaned as (
    select
        upper(trim(index_id)) as index_id,
        upper(trim(symbol)) as symbol,
        as_of_date,
        nullif(trim(name), '') as name,
        nullif(trim(sector), '') as sector,
        weight,
        shares_outstanding,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['index_id', 'symbol', 'as_of_date']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
