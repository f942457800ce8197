{#-
  The incremental as-of models (int_company_asof, int_eps_growth_asof) hold one block of rows
  per as-of date, each computed from facts public at that date. A run recomputes the dates
  from a boundary on: the earlier of the pipeline's plan (the earliest date of the raw rows new
  since the last build: pipelines/as_of_plan.py) and the model's own latest as-of date (it may
  stop being a month end when the next day comes). The first build and --full-refresh create
  the table from scratch.

  The plan is the table audit.dbt_as_of_plan, which the pipeline writes before its build and
  drops after it. A `dbt build` run by hand finds none: it recomputes every row (slower, same
  result), says so in its log, and clears the pipeline's record of what was built
  (audit.dbt_as_of_state), so that the next pipeline run rebuilds these models in full rather
  than trust rows it did not build (a hand run may have used other --vars).
-#}

{#- The pipeline's plan as {'rebuild_from': 'YYYY-MM-DD' or none (full), 'unchanged': [names]},
    or none when no plan is there (dbt run by hand). -#}
{% macro as_of_plan() -%}
    {%- set table = adapter.get_relation(database=target.database, schema='audit', identifier='dbt_as_of_plan') -%}
    {%- if table is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set joined = 'array_join' if target.type == 'spark' else 'array_to_string' -%}
    {%- set rows = run_query("select cast(rebuild_from as string), " ~ joined ~ "(unchanged_inputs, ',') from " ~ table).rows -%}
    {%- if rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'rebuild_from': rows[0][0], 'unchanged': (rows[0][1] or '').split(',')}) }}
{%- endmacro %}

{#- Said once per model, when it runs without a plan: what differs from a pipeline build. -#}
{% macro without_plan_notice() -%}
    {{ log(model.name ~ ": no as-of plan from the pipeline (audit.dbt_as_of_plan): every row is recomputed, and the "
           ~ "pipeline's next run rebuilds it in full", info=true) }}
{%- endmacro %}

{#- The boundary as a 'YYYY-MM-DD' string, or none when the whole table is being created. -#}
{% macro as_of_rebuild_from() -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set plan = as_of_plan() -%}
    {%- set latest = run_query('select cast(max(as_of_date) as string) from ' ~ this).columns[0].values()[0] -%}
    {%- if plan is none or plan.rebuild_from is none or latest is none -%}
        {{ return('0001-01-01') }}
    {%- endif -%}
    {{ return([plan.rebuild_from, latest] | min) }}
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

{#- A hand run forgets what the pipeline recorded as built (see the top of this file). -#}
{% macro forget_pipeline_build_without_plan() -%}
    {%- if execute and as_of_plan() is none -%}
        {%- do without_plan_notice() -%}
        {%- set state = adapter.get_relation(database=target.database, schema='audit', identifier='dbt_as_of_state') -%}
        {%- if state is not none -%}
            {%- do run_query('delete from ' ~ state) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: remove the rows about to be recomputed (nothing on a first build). -#}
{% macro delete_rebuilt_as_of_rows() -%}
    {%- do forget_pipeline_build_without_plan() -%}
    {%- if execute and is_incremental() -%}
        {{ return(adapter.dispatch('delete_rebuilt_as_of_rows')()) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__delete_rebuilt_as_of_rows() -%}
    delete from {{ this }} where {{ as_of_rebuilt('as_of_date') }}
{%- endmacro %}

{#- Spark: the table is partitioned by as_of_date and written by partition replacement
    (insert_overwrite: as_of_config()). Replacement alone would keep a partition the new rows
    no longer hold (the previous latest as-of date, once it is no longer a month end), so every
    partition from the boundary on is dropped first, as DuckDB deletes those rows. -#}
{% macro spark__delete_rebuilt_as_of_rows() -%}
    {%- set since = as_of_rebuild_from() -%}
    {%- for row in run_query('show partitions ' ~ this) -%}
        {%- set day = row[0].split('=')[1] -%}
        {%- if day >= since -%}
            {%- do run_query('alter table ' ~ this ~ " drop if exists partition (as_of_date = '" ~ day ~ "')") -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- The as-of models' materialization: DuckDB appends after the pre-hook's delete; Spark
    replaces whole as_of_date partitions (its Parquet tables have no DELETE). -#}
{% macro as_of_config() -%}
    {%- if target.type == 'spark' -%}
        {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['as_of_date']}) }}
    {%- endif -%}
    {{ return({'incremental_strategy': 'append'}) }}
{%- endmacro %}

{#-
  Models that read only inputs a daily update rarely touches (int_earnings_versions,
  int_company_ttm: filings) are incremental in a simpler way: when none of the raw sources
  upstream of the model gained or lost a batch since the last whole build (the plan's
  unchanged inputs), the run keeps the table as it is; otherwise it recomputes every row.
  Without a plan every row is recomputed.
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
    {%- set plan = as_of_plan() -%}
    {%- set unchanged = plan.unchanged if plan is not none else [] -%}
    {%- set sources = upstream_sources(model) -%}
    {{ return(sources | length > 0 and sources | reject('in', unchanged) | list | length == 0) }}
{%- endmacro %}

{#- Pre-hook: remove every row unless they are kept (nothing on a first build). -#}
{% macro delete_unless_inputs_unchanged() -%}
    {%- do forget_pipeline_build_without_plan() -%}
    {%- if execute and is_incremental() and not inputs_unchanged() -%}
        {#- Spark's Parquet tables have no DELETE; emptying the table is the same here. -#}
        {{ 'truncate table' if target.type == 'spark' else 'delete from' }} {{ this }}
    {%- endif -%}
{%- endmacro %}
