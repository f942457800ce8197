with source as (
    select * from {{ source('raw', 'funds') }}
),

cleaned as (
    select
        upper(trim(fund_id)) as fund_id,
        nullif(trim(name), '') as name,
        nullif(trim(category), '') as category,
        nullif(trim(share_class), '') as share_class,
        nullif(trim(domicile), '') as domicile,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['fund_id']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
