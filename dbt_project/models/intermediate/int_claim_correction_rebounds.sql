{#-
  correction_rebounds, "Significant corrections are often followed by multi-month rebounds":
  the small benchmark's drawdown episodes (marts.drawdown_episodes: 20%+) whose rebound was
  known at data_as_of (rebound_date on or before it), supported when more than half rebounded
  (rebound_6m > 0). No such episode: no verdict.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

episodes as (
    select depth, rebound_6m, rebound_date from {{ ref('drawdown_episodes') }} where role = 'small'
),

counted as (
    select
        audit_points.as_of_date,
        audit_points.data_as_of,
        audit_points.audit_view,
        count(episodes.rebound_date) as episodes,
        count(episodes.rebound_date) filter (where episodes.rebound_6m > 0) as positive,
        min(episodes.depth) as worst_depth
    from audit_points
    left join episodes
        on episodes.rebound_date <= audit_points.data_as_of
    group by audit_points.as_of_date, audit_points.data_as_of, audit_points.audit_view
)

select
    'correction_rebounds' as claim_id,
    'Significant corrections are often followed by multi-month rebounds' as claim_text,
    'share of the small benchmark''s drawdowns of {{ (var("drawdown_min_depth") * 100) | round | int }}%+ '
    || 'with a positive {{ var("drawdown_rebound_months") }}-month return from the trough' as metric,
    positive / nullif(episodes, 0) as value,
    '> 0.5' as threshold,
    case
        when episodes = 0 then 'insufficient_data'
        when positive > episodes / 2 then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('episodes', 'episodes'),
        ('positive', 'positive'),
        ('worst_depth', 'worst_depth')
    ]) }} as detail
from counted
