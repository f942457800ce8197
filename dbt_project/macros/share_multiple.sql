{#-
  Every row of `relation` with the share multiple (int_split_multiples) of its symbol at the
  date in `date_column`: 1 before the symbol's first known split. The one lookup behind every
  share-basis conversion (docs/metrics.md, "Share basis"); `relation` needs a `symbol` column.
-#}
{% macro with_share_multiple(relation, date_column, as_column) -%}
    select
        {{ relation }}.*,
        coalesce(split_multiples.share_multiple, 1) as {{ as_column }}
    from {{ relation }}
    {{ asof_join(
        'left', relation, ref('int_split_multiples') ~ ' as split_multiples',
        [('split_multiples.symbol', relation ~ '.symbol')],
        'split_multiples.split_date', '<=', relation ~ '.' ~ date_column
    ) }}
{%- endmacro %}
