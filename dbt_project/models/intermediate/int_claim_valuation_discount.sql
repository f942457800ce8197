{#-
  valuation_discount, "Small caps trade at a valuation discount to large caps": the relative
  P/E ex losses (small / large) at data_as_of, supported when below 1 and at or below its own
  historical median. With one observation the relative is its own median, so the comparison
  holds by construction: fewer than claim_valuation_min_history as-of dates of history give
  no verdict.
-#}
with gap_at as (
    {{ mart_at_audit_points('valuation_gap', 'gap', where="gap.method = 'pe_ex_losses'") }}
)

select
    'valuation_discount' as claim_id,
    'Small caps trade at a valuation discount to large caps' as claim_text,
    'relative P/E ex losses (small / large) against its history' as metric,
    relative as value,
    '< 1 and <= historical median (over at least ' || {{ var('claim_valuation_min_history') }}
    || ' as-of dates)' as threshold,
    case
        when relative is null or history_median is null then 'insufficient_data'
        -- Too short a history is its own median: the comparison would hold by construction.
        when history_count < {{ var('claim_valuation_min_history') }} then 'insufficient_data'
        when relative < 1 and relative <= history_median then 'supported'
        else 'contradicted'
    end as verdict,
    as_of_date,
    data_as_of,
    audit_view,
    {{ json_text([
        ('small_pe_ex_losses', 'small_value'),
        ('large_pe_ex_losses', 'large_value'),
        ('discount', 'discount'),
        ('history_median', 'history_median'),
        ('percentile', 'percentile'),
        ('zscore', 'zscore'),
        ('history_count', 'history_count'),
        ('min_history', (var('claim_valuation_min_history')))
    ]) }} as detail
from gap_at
