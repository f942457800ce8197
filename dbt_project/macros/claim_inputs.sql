{#-
  The rows of a mart dated at each audit point's data_as_of (left-joined: an audit point without
  data keeps its row, and the claim reads insufficient_data), with the audit point's columns
  first. `where` narrows the mart to the slice the claim reads (a period, a method, a role).
-#}
{% macro mart_at_audit_points(model, alias, where='true') -%}
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        {{ star_except(['as_of_date'], alias) }}
    from {{ ref('int_claim_audit_points') }} as audit_points
    left join {{ ref(model) }} as {{ alias }}
        on {{ alias }}.as_of_date = audit_points.data_as_of
        and {{ where }}
{%- endmacro %}
