with source as (
    select * from {{ source('raw', 'rates') }}
),

cleaned as (
    select
        upper(trim(series_id)) as series_id,
        date,
        value,
        _loaded_at,
        _source_file,
        _source_line
    from source
    -- FRED leaves holidays blank: they are no observation, never a zero.
    where value is not null
),

deduplicated as (
    {{ latest_per_key('cleaned', ['series_id', 'date']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
