{#-
  One row per contract key from a raw table. When the same key arrives twice, the row
  from the most recently loaded file wins (a vendor's corrected re-delivery); identical
  duplicates collapse. Conflicting values are reported by the quality gate, not here.
-#}
{% macro latest_per_key(source_relation, key_columns) -%}
    select *
    from {{ source_relation }}
    qualify row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by _loaded_at desc, _source_file desc, _source_line desc
    ) = 1
{%- endmacro %}
