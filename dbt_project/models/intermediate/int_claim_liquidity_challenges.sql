{#-
  liquidity_challenges, "Small caps face liquidity challenges": marts.liquidity of both roles
  at data_as_of. Supported when the small index's members trade less (a lower median dollar
  volume) and their prices move more per dollar traded (a higher median Amihud
  illiquidity); contradicted when either fails, since one measure alone does not make a
  liquidity challenge (a small stock trades fewer dollars by its size alone). No verdict
  when either role has no member with volume (or no row) at that day.
-#}
with small as (
    {{ mart_at_audit_points('liquidity', 'liquidity', where="liquidity.index_role = 'small'") }}
),

large as (
    {{ mart_at_audit_points('liquidity', 'liquidity', where="liquidity.index_role = 'large'") }}
),

paired as (
    select
        small.as_of_date,
        small.data_as_of,
        small.audit_view,
        small.median_dollar_volume as small_dollar_volume,
        large.median_dollar_volume as large_dollar_volume,
        small.median_amihud as small_amihud,
        large.median_amihud as large_amihud,
        small.members_with_volume as small_members_with_volume,
        large.members_with_volume as large_members_with_volume,
        (
            coalesce(small.members_with_volume, 0) > 0
            and coalesce(large.members_with_volume, 0) > 0
            and small.median_amihud is not null
            and large.median_amihud is not null
        ) as is_measured
    from small
    inner join large
        on large.as_of_date = small.as_of_date
)

select
    'liquidity_challenges' as claim_id,
    'Small caps face liquidity challenges' as claim_text,
    'median ' || {{ var('liquidity_window_days') }}
    || '-day dollar volume of index members, small / large (and median Amihud illiquidity)' as metric,
    case when is_measured then small_dollar_volume / nullif(large_dollar_volume, 0) end as value,
    'small median dollar volume < large and small median Amihud > large' as threshold,
    case
        when not is_measured then 'insufficient_data'
        when small_dollar_volume < large_dollar_volume and small_amihud > large_amihud then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('small_median_dollar_volume', 'small_dollar_volume'),
        ('large_median_dollar_volume', 'large_dollar_volume'),
        ('small_median_amihud', 'small_amihud'),
        ('large_median_amihud', 'large_amihud'),
        ('small_members_with_volume', 'small_members_with_volume'),
        ('large_members_with_volume', 'large_members_with_volume')
    ]) }} as detail
from paired
