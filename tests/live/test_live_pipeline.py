"""A whole WAREHOUSE_SOURCE=live run of the graph (`python -m pipelines.run`) against the local services."""

from __future__ import annotations

import duckdb

from tests.conftest import run_pipeline
from tests.live.public_services import SECRET_FRED_KEY, SECRET_SEC_AGENT


def test_live_run_materializes_the_graph(services, tmp_path):
    wh = tmp_path / "wh"
    env = {**services.env, "WAREHOUSE_SOURCE": "live", "FRED_API_KEY": SECRET_FRED_KEY}
    proc = run_pipeline(wh, check=False, **env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"live run failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}"

    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:

        def one(sql: str):
            return con.execute(sql).fetchall()[0]

        assert one("SELECT value FROM raw.rates WHERE series_id = 'DGS10' AND date = '2025-09-25'") == (4.18,)
        assert one("SELECT value FROM raw.rates WHERE series_id = 'DFEDTARU' AND date = '2025-11-12'") == (4.0,)
        # 1,924 equities less 3 '-' placeholders, ADRO's CVR merged into ADRO, and 4 CVR/escrow lines (non_equity).
        assert one("SELECT count(*) FROM raw.universe WHERE index_id = 'R2000'") == (1916,)
        assert one(
            "SELECT net_income, report_date::VARCHAR FROM raw.earnings "
            "WHERE symbol = 'SNOW' AND fiscal_period_end = '2025-01-31'"
        ) == (-327_474_000, "2025-03-21")
        assert one("SELECT count(*) FROM raw.earnings WHERE symbol = 'LPA'") == (0,)  # IFRS: not covered, not zero
        assert one("SELECT close FROM raw.prices WHERE symbol = 'IWM' AND date = '2026-08-21'") == (299.9599914550781,)
        assert one("SELECT adj_nav FROM raw.fund_navs WHERE fund_id = 'NAESX' AND date = '2024-05-02'") == (103.82,)
        assert one("SELECT count(*) FROM raw.funds") == (29,)
        assert one("SELECT list(target_symbol ORDER BY announce_date) FROM raw.mna_events") == (["STRL", "FN"],)
        assert one("SELECT count(*) FROM raw.estimates") == (0,)
        marts = one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts'")[0]
    assert marts > 0
    # Responses as received, for an offline replay.
    assert len(list((wh / "landing/live/fred").glob("DGS10_fetched-*.json"))) == 1
    # Secrets reached the services, and nothing else: not the output, the landing area or Dagster's records.
    assert any(h.query.get("api_key") == SECRET_FRED_KEY for h in services.server.hits_to("/fred-api"))
    for secret in (SECRET_FRED_KEY, SECRET_SEC_AGENT):
        assert secret not in output
        leaks = [p for p in wh.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]
        assert leaks == [], f"{secret!r} found in {leaks}"
