{#-
  A floating-point aggregate (sum, avg, stddev_samp, ...) fed its values in a fixed order:
  `{{ ordered_agg('sum', 'market_cap') }} filter (where has_ttm)` is
  `sum(market_cap order by market_cap) filter (where has_ttm)`.

  Why: DuckDB aggregates in parallel, each thread over the rows it happens to get, then
  merges the partial states; DOUBLE addition is not associative, so a plain sum(x) over a
  group of three or more rows can change in its last bits (~1e-15 relative) from one run to
  the next on the same input, and the published marts' checksums with it (issue #14, 7).
  With ORDER BY inside the call DuckDB sorts each group's values before aggregating them
  one by one: the result no longer depends on threads. Ordering by the value itself (not by
  a key) needs no unique key and still fixes the sequence: rows that tie on the value add
  the same number. NULLs are skipped by the aggregate as before.

  Cost: a sort per group, measured as nothing at this warehouse's group sizes. Integer and
  DECIMAL sums are exact and need none of this; neither do min, max, count and median.
-#}
{% macro ordered_agg(function, expr) -%}
    {{ return(adapter.dispatch('ordered_agg')(function, expr)) }}
{%- endmacro %}

{% macro duckdb__ordered_agg(function, expr) -%}
    {{ function }}({{ expr }} order by {{ expr }})
{%- endmacro %}

{#- Spark has no ORDER BY inside an aggregate: the plain one (see spark__sorted_list_agg). -#}
{% macro spark__ordered_agg(function, expr) -%}
    {{ function }}({{ expr }})
{%- endmacro %}

{#-
  The same fixed-order aggregate through a list: `{{ sorted_list_agg('sum', 'x', 'y > 0') }}` is
  `list_sum(list_sort(list(x) filter (where y > 0)))`: the group's values collected (in any
  order), sorted ascending, then aggregated one by one: the same additions in the same order as
  ordered_agg, so the same bits (NULLs skipped, NULL for no value, as the plain aggregate).
  `median` works too (list_median: no order needed, none harmed).

  Why a second spelling: DuckDB's ORDER BY inside an aggregate buffers each group's rows in its
  own chunk collection. Fed rows of ~1,000 groups interleaved, that costs far more than the sort:
  int_eps_growth_asof's aggregate (6.6 M rows, 1,116 groups, four ordered sums and a median)
  took 35-60 s at 30 M price rows and spilled ~9 GB; a plain median next to list states was
  as bad (the mix, not either part, degrades the hash aggregate). With every value aggregate
  a list: 13 s, bit for bit the same result. Use it where a group holds thousands of rows.
-#}
{% macro sorted_list_agg(function, expr, where=none) -%}
    {{ return(adapter.dispatch('sorted_list_agg')(function, expr, where)) }}
{%- endmacro %}

{% macro duckdb__sorted_list_agg(function, expr, where) -%}
    list_{{ function }}(list_sort(list({{ expr }}){% if where %} filter (where {{ where }}){% endif %}))
{%- endmacro %}

{#- Spark: the plain aggregate. Its partial sums are merged in the order of the plan's
    partitions, fixed for a given plan; the last bits may differ from DuckDB's fixed order
    (~1e-15 relative), far inside the engines' parity tolerance (tests/test_spark_parity.py). -#}
{% macro spark__sorted_list_agg(function, expr, where) -%}
    {{ function }}({{ expr }}){% if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}
