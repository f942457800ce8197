"""Who answers for each asset, as the UI shows it: one place, so the owners stay consistent."""

# Ingestion, gates, dbt models and the published serving file.
DATA_ENGINEERING = "team:data-engineering"
# What analysts read beside the BI tools: the dashboard and the dbt docs page.
ANALYTICS = "team:analytics"
