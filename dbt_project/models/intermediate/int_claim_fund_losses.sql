{#-
  funds_27_of_29_losses, "27 of 29 tracked small-cap funds reported losses, one down nearly
  15%": the YTD share of tracked funds with a loss at data_as_of, supported at
  claim_fund_loss_share_min or more with the worst return at claim_fund_worst_max or lower.
  No verdict under claim_fund_min_tracked funds, nor when the funds' returns are on different
  bases (NAV only, adjusted NAV, NAV + distributions): their losses compare unlike things.
-#}
with funds_at as (
    {{ mart_at_audit_points('fund_scorecard', 'card', where="card.period = 'YTD'") }}
)

select
    'funds_27_of_29_losses' as claim_id,
    '27 of 29 tracked small-cap funds reported losses, one down nearly 15%' as claim_text,
    'YTD share of tracked funds with a loss' as metric,
    funds_with_loss / nullif(funds_tracked, 0) as value,
    '>= ' || {{ var('claim_fund_loss_share_min') }} || ' and worst <= ' || {{ var('claim_fund_worst_max') }}
        as threshold,
    case
        when coalesce(funds_tracked, 0) < {{ var('claim_fund_min_tracked') }} then 'insufficient_data'
        -- Losses on different return bases compare unlike things.
        when return_basis = 'mixed' then 'insufficient_data'
        when funds_with_loss / funds_tracked >= {{ var_num('claim_fund_loss_share_min') }}
            and worst_return <= {{ var_num('claim_fund_worst_max') }} then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('funds_tracked', 'funds_tracked'),
        ('funds_with_loss', 'funds_with_loss'),
        ('worst_fund_id', 'worst_fund_id'),
        ('worst_return', 'worst_return'),
        ('median_return', 'median_return'),
        ('return_basis', 'return_basis'),
        ('funds_total_return_distributions', 'funds_total_return_distributions'),
        ('funds_adjusted_close', 'funds_adjusted_close'),
        ('funds_nav_only', 'funds_nav_only'),
        ('funds_adjusted_set_aside', 'funds_adjusted_set_aside')
    ]) }} as detail
from funds_at
