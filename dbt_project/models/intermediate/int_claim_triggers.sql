{#-
  The three validation triggers as claims (trigger_rally_10pct_wow, trigger_eps_growth_15,
  trigger_fed_cut_by_deadline): each reads its trigger's status at data_as_of in
  marts.triggers. met is supported, missed contradicted; not_met and pending do not settle the
  claim yet, and a trigger without a row is 'absent' in the detail: no verdict for either.
-#}
with audit_points as (
    select * from {{ ref('int_claim_audit_points') }}
),

trigger_claims as (
    select * from (
        values
        ('trigger_rally_10pct_wow', 'rally_10pct_wow', 'A 10% week-over-week rally would confirm technical strength'),
        ('trigger_eps_growth_15', 'eps_growth_15', '15% EPS growth by Q4 2025 would validate the turnaround'),
        ('trigger_fed_cut_by_deadline', 'fed_cut_by_deadline', 'Fed rate cuts by Q1 2026 serve as a macro catalyst')
    -- the alias names the VALUES columns, which sqlfluff counts as unused
    ) as claims (claim_id, trigger_id, claim_text)  -- noqa: AL05
),

triggers as (
    select * from {{ ref('triggers') }}
)

select
    trigger_claims.claim_id,
    trigger_claims.claim_text,
    'trigger ' || trigger_claims.trigger_id || ' status' as metric,
    triggers.value,
    'trigger met' as threshold,
    case triggers.status
        when 'met' then 'supported'
        when 'missed' then 'contradicted'
        else 'insufficient_data'
    end as verdict,
    audit_points.as_of_date,
    audit_points.data_as_of,
    audit_points.audit_view,
    {{ json_text([
        ('trigger_status', "coalesce(triggers.status, 'absent')"),
        ('trigger_detail', 'triggers.detail')
    ]) }}
        as detail
from audit_points
cross join trigger_claims
left join triggers
    on triggers.trigger_id = trigger_claims.trigger_id
    and triggers.as_of_date = audit_points.data_as_of
