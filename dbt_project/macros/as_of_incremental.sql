{#-
  The incremental as-of models (int_company_asof, int_eps_growth_asof) hold one block of rows
  per as-of date, each computed from facts public at that date. A run recomputes the dates
  from a boundary on: the earlier of the pipeline's plan (env WAREHOUSE_AS_OF_REBUILD_FROM,
  the earliest date of the raw rows new since the last build: pipelines/as_of_plan.py) and
  the model's own latest as-of date (it may stop being a month end when the next day comes).
  Without a plan (dbt run by hand) every row is recomputed; the first build and
  --full-refresh create the table from scratch.
-#}

{#- The boundary as a 'YYYY-MM-DD' string, or none when the whole table is being created. -#}
{% macro as_of_rebuild_from() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set planned = env_var('WAREHOUSE_AS_OF_REBUILD_FROM', '') -%}
    {%- set latest = run_query('select cast(max(as_of_date) as varchar) from ' ~ this).columns[0].values()[0] -%}
    {%- if not planned or latest is none -%}
        {{ return('0001-01-01') }}
    {%- endif -%}
    {{ return([planned, latest] | min) }}
{%- endmacro %}

{#- A condition keeping the as-of dates being recomputed (`true` when all are). -#}
{% macro as_of_rebuilt(column, days_before=0) -%}
    {%- set since = as_of_rebuild_from() -%}
    {%- if since is none -%}
        true
    {%- else -%}
        {{ column }} >= date '{{ since }}' - {{ days_before }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: remove the rows about to be recomputed (nothing on a first build). -#}
{% macro delete_rebuilt_as_of_rows() -%}
    {%- if execute and is_incremental() -%}
        delete from {{ this }} where {{ as_of_rebuilt('as_of_date') }}
    {%- endif -%}
{%- endmacro %}

{#-
  Models that read only inputs a daily update rarely touches (int_earnings_versions,
  int_company_ttm: filings) are incremental in a simpler way: when none of the raw sources
  upstream of the model gained or lost a batch since the last whole build (env
  WAREHOUSE_UNCHANGED_INPUTS, from the same plan), the run keeps the table as it is;
  otherwise it recomputes every row. Without a plan every row is recomputed.
-#}

{#- The raw source names a model reads, through every model it refs. -#}
{% macro upstream_sources(node) -%}
    {%- set queue = node.depends_on.nodes | list -%}
    {%- set seen = [] -%}
    {%- set found = [] -%}
    {#- Jinja's loop walks the list as it grows: a breadth-first walk up the graph. -#}
    {%- for uid in queue if uid not in seen -%}
        {%- do seen.append(uid) -%}
        {%- if uid in graph.sources -%}
            {%- do found.append(graph.sources[uid].name) -%}
        {%- elif uid in graph.nodes -%}
            {%- do queue.extend(graph.nodes[uid].depends_on.nodes) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found | unique | list) }}
{%- endmacro %}

{#- True when this run may keep the model's rows: all its raw sources are unchanged. -#}
{% macro inputs_unchanged() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set unchanged = env_var('WAREHOUSE_UNCHANGED_INPUTS', '').split(',') -%}
    {%- set sources = upstream_sources(model) -%}
    {{ return(sources | length > 0 and sources | reject('in', unchanged) | list | length == 0) }}
{%- endmacro %}

{#- Pre-hook: remove every row unless they are kept (nothing on a first build). -#}
{% macro delete_unless_inputs_unchanged() -%}
    {%- if execute and is_incremental() and not inputs_unchanged() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}
