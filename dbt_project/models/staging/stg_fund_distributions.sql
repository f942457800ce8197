{#- Fund distributions per share by ex-date and kind ('dividend', 'capital_gain'). -#}
with source as (
    select * from {{ source('raw', 'fund_distributions') }}
),

cleaned as (
    select
        upper(trim(fund_id)) as fund_id,
        ex_date,
        amount,
        lower(trim(kind)) as kind,
        pay_date,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

deduplicated as (
    {{ latest_per_key('cleaned', ['fund_id', 'ex_date', 'kind']) }}
)

select {{ star_except(['_loaded_at', '_source_line']) }} from deduplicated
