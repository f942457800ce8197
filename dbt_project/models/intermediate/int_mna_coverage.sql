{#- What the M&A measures can rely on: the first month with any event loaded and whether
    the small index has membership snapshots. One row. -#}
with roles as (
    {{ benchmark_roles() }}
)

select
    (select cast(date_trunc('month', min(announce_date)) as date) from {{ ref('stg_mna_events') }}) as first_month,
    (
        select count(*) > 0
        from {{ ref('stg_universe') }} as universe
        inner join roles
            on universe.index_id = roles.index_id
            and roles.role = 'small'
    ) as has_membership
