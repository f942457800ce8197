with source as (
    select * from {{ source('raw', 'splits') }}
),

cleaned as (
    select
        upper(trim(symbol)) as symbol,
        date,
        ratio,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['symbol', 'date']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
