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
