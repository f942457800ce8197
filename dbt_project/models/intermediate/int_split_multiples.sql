{#-
  The share basis of every date, per symbol: share_multiple is the product of the ratios of
  the symbol's splits up to and including split_date, i.e. how many shares one share held
  before the first known split has become. The multiple at a date t is that of the latest
  split on or before t (none: 1, the first basis).

  Every figure tied to a share is put on one basis with it: a share count counted at date A
  is shares / multiple(A) in first-basis shares; a per-share figure (a close, an EPS) on the
  basis of date B is value x multiple(B). Back on the basis of a date D, a count is
  multiplied by multiple(D) and a per-share figure divided by it. A product, not exp of a
  sum of logarithms, so that whole ratios give exact figures.
-#}
with splits as (
    select symbol, date as split_date, ratio
    from {{ ref('stg_splits') }}
)

select
    symbol,
    split_date,
    ratio,
    {{ product_over(
        'ratio', 'partition by symbol order by split_date rows between unbounded preceding and current row'
    ) }} as share_multiple
from splits
