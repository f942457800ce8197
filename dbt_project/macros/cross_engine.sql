{#-
  What DuckDB and Spark SQL spell differently, one macro each (adapter.dispatch: duckdb__X is
  the warehouse's default engine, spark__X the scale-out engine; docs/scale-out.md). The DuckDB
  spelling of each is what the models used before the Spark engine existed, so the default
  engine's SQL and results are unchanged. Spark runs with ANSI mode off (dbt-spark's session
  method forces it): a failed cast gives NULL, as DuckDB's try_cast does.
-#}

{#-
  An as-of join: each row of `left` joined to the row of `right` with the same `equal` keys
  whose `right_time` is the latest at or before (op '<=', '<') or the earliest at or after
  (op '>=', '>') the row's `left_time`. `equal` is a list of (right expression, left
  expression) pairs; `kind` is 'left' or 'inner'. `left` and `right` are relation names (CTEs).
  Written after `from <left>`:
      from members {{ asof_join('left', 'members', 'ttm', [('ttm.symbol', 'members.symbol')],
                                'ttm.known_from', '<=', 'members.as_of_date') }}
  The right rows' (keys, time) must be unique, as DuckDB's ASOF JOIN picks one row per match.
-#}
{% macro asof_join(kind, left, right, equal, right_time, op, left_time) -%}
    {{ return(adapter.dispatch('asof_join')(kind, left, right, equal, right_time, op, left_time)) }}
{%- endmacro %}

{% macro duckdb__asof_join(kind, left, right, equal, right_time, op, left_time) -%}
    asof {{ kind }} join {{ right }}
        on {% for r, l in equal %}{{ r }} = {{ l }} and {% endfor %}{{ right_time }} {{ op }} {{ left_time }}
{%- endmacro %}

{#- Spark has no as-of join. The distinct (keys, time) of the left rows and the (keys, time) of
    the right rows go into one ordered list per key; a window carries the latest (or next)
    right time to each left time, and the right row is then joined on its keys and that time.
    One sort of both sides, not a range join: its cost grows as n log n, not as left x right. -#}
{% macro spark__asof_join(kind, left, right, equal, right_time, op, left_time) -%}
    {#- `right` may carry an alias ('intermediate.x as x'): the helper relation is named after it. -#}
    {%- set m = '__asof_' ~ right.split(' ')[-1] -%}
    {%- set backward = op in ('<=', '<') -%}
    {#- Ties: a right time equal to the left time counts for '<=' and '>=' (the right row sorts
        on the side the window reads from), not for '<' and '>'. -#}
    {%- set right_first = (op == '<=') or (op == '>') -%}
    {%- set keys = [] -%}{%- for _ in equal -%}{%- do keys.append('__k' ~ loop.index) -%}{%- endfor -%}
    {{ kind }} join (
        select {% for k in keys %}{{ k }}, {% endfor %}__t as __left_time, __match
        from (
            select
                {% for k in keys %}{{ k }}, {% endfor %}__t, __side,
                {% if backward -%}
                last_value(__rt, true) over (
                    partition by {{ keys | join(', ') if keys else 'null' }}
                    order by __t, __side rows between unbounded preceding and current row
                )
                {%- else -%}
                first_value(__rt, true) over (
                    partition by {{ keys | join(', ') if keys else 'null' }}
                    order by __t, __side rows between current row and unbounded following
                )
                {%- endif %} as __match
            from (
                select distinct {% for r, l in equal %}{{ l }} as __k{{ loop.index }}, {% endfor %}
                    {{ left_time }} as __t, {{ 1 if right_first else 0 }} as __side, null as __rt
                from {{ left }}
                union all
                select distinct {% for r, l in equal %}{{ r }} as __k{{ loop.index }}, {% endfor %}
                    {{ right_time }} as __t, {{ 0 if right_first else 1 }} as __side, {{ right_time }} as __rt
                from {{ right }}
            ) as __both
        ) as __carried
        where __side = {{ 1 if right_first else 0 }}
    ) as {{ m }}
        on {% for r, l in equal %}{{ m }}.__k{{ loop.index }} = {{ l }} and {% endfor %}{{ m }}.__left_time = {{ left_time }}
    {{ kind }} join {{ right }}
        on {% for r, l in equal %}{{ r }} = {{ l }} and {% endfor %}{{ right_time }} = {{ m }}.__match
{%- endmacro %}

{#- Whole days from `start` to `end` (dates). -#}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between')(start, end)) }}
{%- endmacro %}
{% macro duckdb__days_between(start, end) %}date_diff('day', {{ start }}, {{ end }}){% endmacro %}
{% macro spark__days_between(start, end) %}datediff({{ end }}, {{ start }}){% endmacro %}

{#- A date `n` calendar months after `d` (clamped to the month's last day), as a DATE on both. -#}
{% macro add_months(d, n) -%}
    {{ return(adapter.dispatch('add_months')(d, n)) }}
{%- endmacro %}
{% macro duckdb__add_months(d, n) %}cast({{ d }} + to_months(cast({{ n }} as integer)) as date){% endmacro %}
{% macro spark__add_months(d, n) %}add_months({{ d }}, {{ n }}){% endmacro %}

{#- The first day of `d`'s month, quarter or year (part: 'month', 'quarter', 'year'), as a DATE. -#}
{% macro trunc_date(part, d) -%}
    {{ return(adapter.dispatch('trunc_date')(part, d)) }}
{%- endmacro %}
{% macro duckdb__trunc_date(part, d) %}cast(date_trunc('{{ part }}', {{ d }}) as date){% endmacro %}
{% macro spark__trunc_date(part, d) %}trunc({{ d }}, '{{ part }}'){% endmacro %}

{#- ISO day of the week: 1 = Monday .. 7 = Sunday. -#}
{% macro iso_dow(d) -%}
    {{ return(adapter.dispatch('iso_dow')(d)) }}
{%- endmacro %}
{% macro duckdb__iso_dow(d) %}isodow({{ d }}){% endmacro %}
{% macro spark__iso_dow(d) %}(weekday({{ d }}) + 1){% endmacro %}

{#- Integer division, truncated toward zero for positive operands. -#}
{% macro int_div(a, b) -%}
    {{ return(adapter.dispatch('int_div')(a, b)) }}
{%- endmacro %}
{% macro duckdb__int_div(a, b) %}({{ a }} // {{ b }}){% endmacro %}
{% macro spark__int_div(a, b) %}({{ a }} div {{ b }}){% endmacro %}

{#- A JSON object text from key, expression pairs: `{{ json_text([('a', 'x'), ('b', 'y')]) }}`.
    Null values are kept as JSON null on both engines (Spark's to_json drops them by default). -#}
{% macro json_text(pairs) -%}
    {{ return(adapter.dispatch('json_text')(pairs)) }}
{%- endmacro %}
{% macro duckdb__json_text(pairs) -%}
    cast(json_object({% for k, v in pairs %}'{{ k }}', {{ v }}{{ ', ' if not loop.last }}{% endfor %}) as varchar)
{%- endmacro %}
{% macro spark__json_text(pairs) -%}
    to_json(named_struct({% for k, v in pairs %}'{{ k }}', {{ v }}{{ ', ' if not loop.last }}{% endfor %}), map('ignoreNullFields', 'false'))
{%- endmacro %}

{#- A list value from expressions, and the list of a group's values (any order). -#}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of')(items)) }}
{%- endmacro %}
{% macro duckdb__list_of(items) %}[{{ items | join(', ') }}]{% endmacro %}
{% macro spark__list_of(items) %}array({{ items | join(', ') }}){% endmacro %}

{#- Every column but some: `select {{ star_except(['_loaded_at']) }} from t` (DuckDB's
    EXCLUDE, Spark's EXCEPT). `relation` qualifies the star: `{{ star_except(['x'], 't') }}`. -#}
{% macro star_except(columns, relation=none) -%}
    {{ return(adapter.dispatch('star_except')(columns, relation)) }}
{%- endmacro %}
{% macro duckdb__star_except(columns, relation) %}{{ relation ~ '.' if relation }}* exclude ({{ columns | join(', ') }}){% endmacro %}
{% macro spark__star_except(columns, relation) %}{{ relation ~ '.' if relation }}* except ({{ columns | join(', ') }}){% endmacro %}

{#- The group's texts joined by `sep` in the order of `order_by` (NULL for no row). -#}
{% macro string_agg_ordered(expr, sep, order_by) -%}
    {{ return(adapter.dispatch('string_agg_ordered')(expr, sep, order_by)) }}
{%- endmacro %}
{% macro duckdb__string_agg_ordered(expr, sep, order_by) %}string_agg({{ expr }}, {{ sep }} order by {{ order_by }}){% endmacro %}
{% macro spark__string_agg_ordered(expr, sep, order_by) %}listagg({{ expr }}, {{ sep }}) within group (order by {{ order_by }}){% endmacro %}

{#- The product of a window's values. Spark has no product aggregate: the window's values are
    multiplied left to right in the window's order (DuckDB's order may differ in the last bits). -#}
{% macro product_over(expr, window) -%}
    {{ return(adapter.dispatch('product_over')(expr, window)) }}
{%- endmacro %}
{% macro duckdb__product_over(expr, window) %}product({{ expr }}) over ({{ window }}){% endmacro %}
{% macro spark__product_over(expr, window) -%}
    aggregate(collect_list(cast({{ expr }} as double)) over ({{ window }}), cast(1 as double), (acc, x) -> acc * x)
{%- endmacro %}

{#- The `x` of the row with the largest `y`, ties going to the smallest `tie_order` (DuckDB's
    arg_max over rows fed in that order keeps the first maximum); rows with a NULL y are skipped. -#}
{% macro arg_max_first(x, y, tie_order) -%}
    {{ return(adapter.dispatch('arg_max_first')(x, y, tie_order)) }}
{%- endmacro %}
{% macro duckdb__arg_max_first(x, y, tie_order) %}arg_max({{ x }}, {{ y }} order by {{ tie_order }}){% endmacro %}
{% macro spark__arg_max_first(x, y, tie_order) -%}
    min_by({{ x }}, case when {{ y }} is not null then struct(-({{ y }}), {{ tie_order }}) end)
{%- endmacro %}

{#- The `x` of the row with the smallest `y`, ties going to the smallest `tie_order`. -#}
{% macro arg_min_first(x, y, tie_order) -%}
    {{ return(adapter.dispatch('arg_min_first')(x, y, tie_order)) }}
{%- endmacro %}
{% macro duckdb__arg_min_first(x, y, tie_order) %}arg_min({{ x }}, {{ y }} order by {{ tie_order }}){% endmacro %}
{% macro spark__arg_min_first(x, y, tie_order) -%}
    min_by({{ x }}, case when {{ y }} is not null then struct({{ y }}, {{ tie_order }}) end)
{%- endmacro %}

{#- DuckDB's hint to compute a CTE once (the model says why where it uses it); Spark plans CTEs itself. -#}
{% macro materialized_hint() -%}
    {{ return(adapter.dispatch('materialized_hint')()) }}
{%- endmacro %}
{% macro duckdb__materialized_hint() %}materialized{% endmacro %}
{% macro spark__materialized_hint() %}{% endmacro %}

{#- The rows of `relations` stacked by column name, a column a relation lacks read as NULL
    (DuckDB's UNION ALL BY NAME). Spark has none: each relation's columns are looked up in the
    catalog and listed in the order of `columns`, the names the model selects from the union. -#}
{% macro union_all_by_name(relations, columns) -%}
    {{ return(adapter.dispatch('union_all_by_name')(relations, columns)) }}
{%- endmacro %}
{% macro duckdb__union_all_by_name(relations, columns) -%}
    {%- for relation in relations %}
    select * from {{ relation }}
    {%- if not loop.last %}
    union all by name{% endif %}
    {%- endfor %}
{%- endmacro %}
{% macro spark__union_all_by_name(relations, columns) -%}
    {%- for relation in relations %}
    {%- set present = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list if execute else columns -%}
    select {% for c in columns %}{{ c if c in present else 'null as ' ~ c }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ relation }}
    {% if not loop.last %}union all {% endif %}
    {%- endfor %}
{%- endmacro %}

{#- A JSON object as a value to nest in another (DuckDB JSON, Spark struct): `json_text` of an
    outer object then writes it as an object, not as a quoted string. -#}
{% macro json_value(pairs) -%}
    {{ return(adapter.dispatch('json_value')(pairs)) }}
{%- endmacro %}
{% macro duckdb__json_value(pairs) -%}
    json_object({% for k, v in pairs %}'{{ k }}', {{ v }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}
{% macro spark__json_value(pairs) -%}
    named_struct({% for k, v in pairs %}'{{ k }}', {{ v }}{{ ', ' if not loop.last }}{% endfor %})
{%- endmacro %}

{#- A group's `value`s (json_value) as one JSON object keyed by `key`, keys in `order_by` order. -#}
{% macro json_object_agg(key, value, order_by) -%}
    {{ return(adapter.dispatch('json_object_agg')(key, value, order_by)) }}
{%- endmacro %}
{% macro duckdb__json_object_agg(key, value, order_by) -%}
    to_json(map_from_entries(list(({{ key }}, {{ value }}) order by {{ order_by }})))
{%- endmacro %}
{% macro spark__json_object_agg(key, value, order_by) -%}
    map_from_entries(transform(
        array_sort(collect_list(struct({{ order_by }} as o, {{ key }} as k, {{ value }} as v))),
        e -> struct(e.k, e.v)
    ))
{%- endmacro %}

{#- The text of json_object_agg's object with `pairs` added, a pair whose value is NULL left out
    (DuckDB's json_merge_patch: a null in the patch removes the key). -#}
{% macro json_patch_text(object, pairs) -%}
    {{ return(adapter.dispatch('json_patch_text')(object, pairs)) }}
{%- endmacro %}
{% macro duckdb__json_patch_text(object, pairs) -%}
    cast(json_merge_patch({{ object }}, {{ duckdb__json_value(pairs) }}) as string)
{%- endmacro %}
{% macro spark__json_patch_text(object, pairs) -%}
    concat(
        regexp_replace(to_json({{ object }}, map('ignoreNullFields', 'false')), '[}]$', '')
        {%- for k, v in pairs %},
        case when {{ v }} is not null
            then ',' || regexp_extract(to_json(named_struct('{{ k }}', {{ v }})), '^[{](.*)[}]$', 1) else '' end
        {%- endfor %},
        '}'
    )
{%- endmacro %}
