"""WAREHOUSE_SOURCE=live: free public services behind the Source protocol (docs/live-data.md).

source.py routes each dataset to its adapter: fred.py (rates), ishares.py (universe),
sec_companyfacts.py (earnings), prices.py (prices, fund NAVs, funds, splits), sec_mna.py
(M&A events). They share http.py (retries, backoff, rate limits), store.py (what lands
where), context.py, members.py, progress.py and config.py.
"""
