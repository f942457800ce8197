{#-
  sector_leaders, "Defense, technology and healthcare lead the resurgence": for each sector the
  article names (var claim_sectors), the small index's sector_returns row at data_as_of of the
  first of its names with members in the 6-month window, and its relative_6m. Supported when
  every named sector beat the index (relative_6m > 0), contradicted when none did, 'mixed'
  when some did (each sector's result is in the detail); no verdict when any of them has no
  row or no 6-month return.

  A sector whose name does not contain the named one (spaces and case aside) is a proxy for
  it: no free source splits defense out of GICS Industrials, so Industrials stands in for it,
  and the detail says so (proxy: true); 'Technology' for technology is the same sector.
-#}
{%- set claim_sectors = var('claim_sectors') %}

with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

-- A row without members in the 6-month window (a sector of the 3-month window only) has no
-- 6-month return to read: the next name is tried instead.
small_sectors as (
    select sector, as_of_date, members, return_6m, relative_6m, index_return_6m, start_6m
    from {{ ref('sector_returns') }}
    where index_role = 'small' and members > 0
),

claim_sector_names as (
    select
        names.claim_sector,
        names.claim_order,
        names.sector,
        names.preference,
        names.is_proxy
    from (
        values
        {% for claim_sector, names in claim_sectors.items() %}
            {% set outer_loop = loop %}
            {% for name in names %}
                {% set is_proxy = (claim_sector | lower | replace(' ', '')) not in (name | lower | replace(' ', '')) %}
                (
                    '{{ claim_sector }}',
                    {{ outer_loop.index }},
                    '{{ name | replace("'", "''") }}',
                    {{ loop.index }},
                    {{ 'true' if is_proxy else 'false' }}
                ){{ ',' if not (outer_loop.last and loop.last) }}
            {% endfor %}
        {% endfor %}
    ) as names (claim_sector, claim_order, sector, preference, is_proxy)
),

-- Per audit point and named sector, the first of its names with a row (none: NULLs).
matched as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        claim_sector_names.claim_sector,
        claim_sector_names.claim_order,
        small_sectors.sector,
        small_sectors.relative_6m,
        small_sectors.index_return_6m,
        small_sectors.start_6m,
        {{ json_value([
            ('sector', 'small_sectors.sector'),
            ('proxy', 'small_sectors.sector is not null and claim_sector_names.is_proxy'),
            ('members', 'small_sectors.members'),
            ('return_6m', 'small_sectors.return_6m'),
            ('relative_6m', 'small_sectors.relative_6m')
        ]) }} as sector_detail
    from audit_points
    cross join claim_sector_names
    left join small_sectors
        on small_sectors.as_of_date = audit_points.data_as_of
        and small_sectors.sector = claim_sector_names.sector
    qualify
        row_number() over (
            partition by audit_points.as_of_date, claim_sector_names.claim_sector
            order by small_sectors.sector is null, claim_sector_names.preference
        ) = 1
),

per_point as (
    select
        as_of_date,
        any_value(data_as_of) as data_as_of,
        any_value(audit_view) as audit_view,
        count(*) as sectors_named,
        count(relative_6m) as sectors_measured,
        count(*) filter (where relative_6m > 0) as sectors_leading,
        max(index_return_6m) as index_return_6m,
        max(start_6m) as start_6m,
        -- {"defense": {...}, "technology": {...}, ...} in the order of claim_sectors.
        {{ json_object_agg('claim_sector', 'sector_detail', 'claim_order') }} as sectors_detail
    from matched
    group by as_of_date
)

select
    'sector_leaders' as claim_id,
    'Defense, technology and healthcare lead the resurgence' as claim_text,
    'named sectors whose 6-month return (small index members, cap-weighted) beats the small index' as metric,
    case when sectors_measured = sectors_named then cast(sectors_leading as double) end as value,
    'relative_6m > 0 for all ' || sectors_named || ' named sectors' as threshold,
    case
        when sectors_measured < sectors_named then 'insufficient_data'
        when sectors_leading = sectors_named then 'supported'
        when sectors_leading = 0 then 'contradicted'
        else 'mixed'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_patch_text(
        'sectors_detail', [('index_return_6m', 'index_return_6m'), ('start_6m', 'start_6m')]
    ) }} as detail
from per_point
