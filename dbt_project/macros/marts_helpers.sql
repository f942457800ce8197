{#-
  Small helpers shared by the intermediate and marts models. Every threshold, window and
  date lives in dbt_project.yml `vars`; these macros only turn a var into SQL once.
-#}

{#- The benchmark roles and what plays them, as a relation (role, symbol, index_id). -#}
{% macro benchmark_roles() -%}
    select 'small' as role, upper('{{ var("small_symbol") }}') as symbol, upper('{{ var("small_index") }}') as index_id
    union all
    select 'large' as role, upper('{{ var("large_symbol") }}') as symbol, upper('{{ var("large_index") }}') as index_id
{%- endmacro %}

{#- The benchmark symbols as constants: a constant list is pushed below stg_prices'
    de-duplication (it filters on the partition key), a subquery is not, and the whole
    price table would be de-duplicated to keep two symbols. -#}
{% macro benchmark_symbol_list() -%}
    upper('{{ var("small_symbol") }}'), upper('{{ var("large_symbol") }}')
{%- endmacro %}

{#- A date var as a DATE literal. -#}
{% macro var_date(name) -%}
    cast('{{ var(name) }}' as date)
{%- endmacro %}

{#- A number var as a DOUBLE literal. -#}
{% macro var_num(name) -%}
    cast({{ var(name) }} as double)
{%- endmacro %}

{#- Calendar quarter index (year * 4 + quarter - 1) of a date expression. -#}
{% macro quarter_index(date_expr) -%}
    (year({{ date_expr }}) * 4 + quarter({{ date_expr }}) - 1)
{%- endmacro %}

{#- Calendar quarter index of a 'YYYYQn' label var (e.g. eps_growth_deadline = 2025Q4). -#}
{% macro quarter_index_of_var(name) -%}
    {%- set label = var(name) | string -%}
    ({{ label[0:4] | int }} * 4 + {{ label[5:6] | int }} - 1)
{%- endmacro %}

{#- 'YYYYQn' label of a calendar quarter index expression. -#}
{% macro quarter_label(index_expr) -%}
    (cast({{ int_div('(' ~ index_expr ~ ')', 4) }} as string) || 'Q' || cast(({{ index_expr }}) % 4 + 1 as string))
{%- endmacro %}

{#- Last day of the calendar quarter with the given index. -#}
{% macro quarter_end_date(index_expr) -%}
    last_day(make_date(
        cast({{ int_div('(' ~ index_expr ~ ')', 4) }} as integer), cast((({{ index_expr }}) % 4) * 3 + 3 as integer), 1
    ))
{%- endmacro %}

{#-
  Return between two closes: from the adjusted closes when both ends have one (total
  return), else from the traded closes (price return).
-#}
{% macro period_return(close_end, adj_end, close_start, adj_start) -%}
    case
        when {{ adj_end }} is not null and {{ adj_start }} is not null then {{ adj_end }} / {{ adj_start }} - 1
        else {{ close_end }} / {{ close_start }} - 1
    end
{%- endmacro %}

{#- 'total' when both ends of a return have an adjusted close, 'price' otherwise. -#}
{% macro return_basis(adj_end, adj_start) -%}
    case when {{ adj_end }} is not null and {{ adj_start }} is not null then 'total' else 'price' end
{%- endmacro %}

{#-
  The flagged stretches of one series that a value from its observation at `start_expr` to
  the one at `end_expr` reaches across, as text ('unexplained_jump IWM 2019-03-01..2019-03-04;
  ...'), NULL when there is none. Semantics in data_quality/series_flags.py: a flag
  (date_from, date_to) touches (start, end] when start < date_to and end > date_from. A value
  with a NULL start (no earlier observation) reaches across nothing. `rules`: only flags of
  these rules (default: every rule).
-#}
{% macro flags_over(dataset, series_expr, start_expr, end_expr, rules=none) -%}
    (
        select {{ string_agg_ordered(
            "f.rule || ' ' || f.series || ' ' || cast(f.date_from as string) || '..' || cast(f.date_to as string)",
            "'; '", 'f.date_from, f.rule'
        ) }}
        from {{ ref('stg_series_flags') }} as f
        where f.dataset = '{{ dataset }}'
            and f.series = {{ series_expr }}
            and f.date_from < {{ end_expr }}
            and f.date_to > {{ start_expr }}
            {%- if rules %}
            and f.rule in ({% for r in rules %}'{{ r }}'{{ ", " if not loop.last }}{% endfor %})
            {%- endif %}
    )
{%- endmacro %}

{#- A value kept only when no flagged stretch lies under it. -#}
{% macro unless_flagged(value_expr, reason_expr) -%}
    case when {{ reason_expr }} is null then {{ value_expr }} end
{%- endmacro %}
