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
    {{ function }}({{ expr }} order by {{ expr }})
{%- endmacro %}
