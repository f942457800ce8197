{#-
  unprofitable_40pct, "Nearly 40% of Russell 2000 companies operate at a loss": the share of
  small-index members with a TTM loss at data_as_of, among those with data. Members without a
  TTM could be loss-makers or not, so the verdict is taken on the bounds over all members:
  supported when both lie inside claim_unprofitable_low..claim_unprofitable_high,
  contradicted when both lie outside it on one side, otherwise the missing members decide and
  there is no verdict; none either below claim_min_coverage.
-#}
with profit_at as (
    {{ mart_at_audit_points('profitability', 'profit', where="profit.index_role = 'small' and profit.sector = 'ALL'") }}
)

select
    'unprofitable_40pct' as claim_id,
    'Nearly 40% of Russell 2000 companies operate at a loss' as claim_text,
    'share of small-index members with TTM net income < 0 (by count, among those with data)' as metric,
    share_unprofitable as value,
    {{ var('claim_unprofitable_low') }} || '..' || {{ var('claim_unprofitable_high') }}
    || ' (lower and upper bound over all members)' as threshold,
    case
        when share_unprofitable is null or coverage < {{ var_num('claim_min_coverage') }} then 'insufficient_data'
        when share_unprofitable_lower_bound >= {{ var_num('claim_unprofitable_low') }}
            and share_unprofitable_upper_bound <= {{ var_num('claim_unprofitable_high') }} then 'supported'
        when share_unprofitable_upper_bound < {{ var_num('claim_unprofitable_low') }}
            or share_unprofitable_lower_bound > {{ var_num('claim_unprofitable_high') }} then 'contradicted'
        else 'insufficient_data'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('constituents', 'constituents'),
        ('with_data', 'with_data'),
        ('unprofitable', 'unprofitable'),
        ('coverage', 'coverage'),
        ('without_data', 'without_data'),
        ('share_unprofitable_lower_bound', 'share_unprofitable_lower_bound'),
        ('share_unprofitable_upper_bound', 'share_unprofitable_upper_bound'),
        ('share_unprofitable_cap_weighted', 'share_unprofitable_cap_weighted')
    ]) }} as detail
from profit_at
