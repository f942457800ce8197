{#-
  The article's guardrails per as-of date D. increase: a sustained small-cap rally week
  ended within signal_lookback_weeks before D (its check known by D) and the EPS trigger is
  met or improvers_share of the latest reported quarter is at least signal_improvers_min.
  reassess: the Fed trigger is missed, or pending (on data that reaches the date) with no
  cut in the last fed_recent_cut_months, or M&A is tepid. increase wins over reassess (the rules' order in
  metrics.md); reasons lists every rule that fired either way.

  The Fed trigger is windowed to the article: it counts cuts in (fed_window_start,
  fed_deadline] only, so on or before fed_window_start it is pending by construction, and
  "pending with no recent cut" would fire the stall rule on every such date whatever the Fed
  did. The Fed rules are evaluated only once the window is open (fed_rules_in_window);
  before, the signal rests on the other rules and the column says so.
-#}
with as_of_dates as (
    select as_of_date from {{ ref('int_as_of_dates') }}
),

triggers as (
    select * from {{ ref('triggers') }}
),

rallies as (
    select * from {{ ref('int_rally_weeks') }}
),

cuts as (
    select effective_date from {{ ref('int_policy_changes') }} where direction = 'cut'
),

eps_latest_quarter as (
    select as_of_date, calendar_quarter, improvers_share
    from {{ ref('int_eps_growth_asof') }}
    where index_role = 'small' and is_reported
    qualify row_number() over (partition by as_of_date order by calendar_quarter_index desc) = 1
),

recent_rally as (
    select
        as_of_dates.as_of_date,
        max(rallies.week_end_date) as last_sustained_rally_week
    from as_of_dates
    inner join rallies
        on rallies.sustained
        and rallies.check_week_end_date <= as_of_dates.as_of_date
        and rallies.week_end_date > as_of_dates.as_of_date - {{ var('signal_lookback_weeks') | int * 7 }}
    group by as_of_dates.as_of_date
),

recent_cut as (
    select
        as_of_dates.as_of_date,
        max(cuts.effective_date) as last_cut_date
    from as_of_dates
    inner join cuts
        on cuts.effective_date <= as_of_dates.as_of_date
        and cuts.effective_date > as_of_dates.as_of_date - interval {{ var('fed_recent_cut_months') }} month
    group by as_of_dates.as_of_date
),

inputs as (
    select
        as_of_dates.as_of_date,
        recent_rally.last_sustained_rally_week,
        eps.status as eps_status,
        eps_latest_quarter.calendar_quarter as latest_reported_quarter,
        eps_latest_quarter.improvers_share,
        fed.status as fed_status,
        fed.data_sufficient as fed_data_sufficient,
        recent_cut.last_cut_date,
        mna.status as mna_status
    from as_of_dates
    left join recent_rally on recent_rally.as_of_date = as_of_dates.as_of_date
    left join eps_latest_quarter on eps_latest_quarter.as_of_date = as_of_dates.as_of_date
    left join recent_cut on recent_cut.as_of_date = as_of_dates.as_of_date
    left join triggers as eps
        on eps.as_of_date = as_of_dates.as_of_date and eps.trigger_id = 'eps_growth_15'
    left join triggers as fed
        on fed.as_of_date = as_of_dates.as_of_date and fed.trigger_id = 'fed_cut_by_deadline'
    left join triggers as mna
        on mna.as_of_date = as_of_dates.as_of_date and mna.trigger_id = 'mna_tepid'
),

rules as (
    select
        *,
        as_of_date > {{ var_date('fed_window_start') }} as fed_rules_in_window,
        last_sustained_rally_week is not null as rule_sustained_rally,
        coalesce(eps_status = 'met', false) as rule_eps_met,
        coalesce(improvers_share >= {{ var_num('signal_improvers_min') }}, false) as rule_improvers,
        coalesce(as_of_date > {{ var_date('fed_window_start') }} and fed_status = 'missed', false)
            as rule_fed_missed,
        coalesce(
            as_of_date > {{ var_date('fed_window_start') }}
            and fed_status = 'pending' and fed_data_sufficient and last_cut_date is null,
            false
        ) as rule_fed_stalled,
        coalesce(mna_status = 'met', false) as rule_mna_tepid
    from inputs
),

decided as (
    select
        *,
        rule_sustained_rally and (rule_eps_met or rule_improvers) as is_increase,
        rule_fed_missed or rule_fed_stalled or rule_mna_tepid as is_reassess
    from rules
)

select
    cast(as_of_date as date) as as_of_date,
    cast(
        case when is_increase then 'increase' when is_reassess then 'reassess' else 'hold' end as string
    ) as signal,
    cast(
        coalesce(
            nullif(
                concat_ws(
                    ', ',
                    case
                        when rule_sustained_rally
                            then 'sustained_rally_within_' || {{ var('signal_lookback_weeks') }} || 'w'
                    end,
                    case when rule_eps_met then 'eps_growth_met' end,
                    case when rule_improvers then 'improvers_share_at_least_' || {{ var('signal_improvers_min') }} end,
                    case when rule_fed_missed then 'fed_cut_missed' end,
                    case
                        when rule_fed_stalled
                            then 'fed_pending_no_cut_' || {{ var('fed_recent_cut_months') }} || 'm'
                    end,
                    case when rule_mna_tepid then 'mna_tepid' end
                ),
                ''
            ),
            'none'
        ) as string
    ) as reasons,
    cast(last_sustained_rally_week as date) as last_sustained_rally_week,
    cast(eps_status as string) as eps_status,
    cast(latest_reported_quarter as string) as latest_reported_quarter,
    cast(improvers_share as double) as improvers_share,
    cast(fed_status as string) as fed_status,
    cast(last_cut_date as date) as last_cut_date,
    cast(mna_status as string) as mna_status,
    cast(fed_rules_in_window as boolean) as fed_rules_in_window,
    cast('{{ var("definition_version") }}' as string) as definition_version
from decided
