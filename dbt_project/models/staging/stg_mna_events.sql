with source as (
    select * from {{ source('raw', 'mna_events') }}
),

cleaned as (
    select
        announce_date,
        upper(trim(target_symbol)) as target_symbol,
        nullif(trim(acquirer), '') as acquirer,
        deal_value_usd,
        nullif(trim(status), '') as status,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['announce_date', 'target_symbol']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
