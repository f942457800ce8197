with source as (
    select * from {{ source('raw', 'fund_navs') }}
),

cleaned as (
    select
        upper(trim(fund_id)) as fund_id,
        date,
        nav,
        adj_nav,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['fund_id', 'date']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
