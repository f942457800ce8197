{#-
  The Spark engine (WAREHOUSE_ENGINE=spark, docs/scale-out.md). Before a build, the pipeline
  writes each table dbt reads (its sources, the as-of plan) as a Parquet folder under
  <warehouse>/spark/inputs/<schema>/<table> (pipelines/spark_engine.py). This hook, run at the
  start of every dbt invocation on Spark, registers each folder as a Parquet table of the
  catalog; a table whose folder is absent (no as-of plan: a hand run) is dropped, so the models
  see exactly what the pipeline exported.
-#}
{% macro register_spark_inputs() -%}
    {%- if target.type != 'spark' or not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set root = (var('warehouse_dir', none) or env_var('WAREHOUSE_DIR')) ~ '/spark/inputs' -%}
    {%- set sources = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- do sources.append(source.schema ~ '.' ~ source.name) -%}
    {%- endfor -%}
    {#- A hand run (no list from the pipeline) registers every source, and no as-of plan. -#}
    {%- set exported = var('spark_inputs', sources) -%}
    {%- for table in (sources + ['audit.dbt_as_of_plan']) | unique | list -%}
        {%- do run_query('create schema if not exists ' ~ table.split('.')[0]) -%}
        {%- do run_query('drop table if exists ' ~ table) -%}
        {%- if table in exported -%}
            {%- do run_query('create table ' ~ table ~ " using parquet location '" ~ root ~ '/' ~ table.replace('.', '/') ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
