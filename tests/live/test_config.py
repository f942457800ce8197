"""LiveConfig from environment variables, and the Dagster resource that carries the secrets."""

from __future__ import annotations

import json
from datetime import date

import dagster as dg
import pytest

from pipelines.sources.live.config import LiveConfig, LiveConfigError, LiveServicesResource, live_services_resource
from pipelines.sources.live.funds import read_funds_file

KEY = "fred-key-in-env-0001"
AGENT = "Jane Doe jane.doe@example.org"


def test_defaults_point_at_the_real_services():
    cfg = LiveConfig.from_env({})
    assert cfg.fred_base_url == "https://fred.stlouisfed.org"
    assert cfg.sec_data_base_url == "https://data.sec.gov"
    assert cfg.fred_series == ("DGS10", "DGS2", "DFEDTARU", "DFEDTARL", "DFF")
    assert (cfg.small_holdings_fund, cfg.large_holdings_fund, cfg.price_provider) == ("IWM", "IVV", "yahoo")
    assert len(cfg.funds) == 29 and cfg.funds[0].fund_id == "NAESX"
    assert cfg.max_companies_per_index is None and cfg.fred_api_key is None and not cfg.offline


def test_environment_overrides():
    cfg = LiveConfig.from_env(
        {
            "WAREHOUSE_LIVE_FRED_URL": "http://127.0.0.1:9/fred/",
            "WAREHOUSE_LIVE_FRED_SERIES": "DGS10, DFF",
            "WAREHOUSE_LIVE_PRICE_PROVIDER": "Stooq",
            "WAREHOUSE_LIVE_MAX_COMPANIES": "25",
            "WAREHOUSE_LIVE_BACKFILL_START": "2015-01-01",
            "WAREHOUSE_LIVE_RATE_SEC": "5",
            "WAREHOUSE_LIVE_OFFLINE": "yes",
            "WAREHOUSE_LIVE_MNA_8K_ITEMS": "",
            "FRED_API_KEY": KEY,
            "SEC_USER_AGENT": AGENT,
        }
    )
    assert cfg.fred_base_url == "http://127.0.0.1:9/fred"
    assert cfg.fred_series == ("DGS10", "DFF")
    assert (cfg.price_provider, cfg.max_companies_per_index, cfg.backfill_start) == ("stooq", 25, date(2015, 1, 1))
    assert cfg.rate_limits["sec"] == 5.0 and cfg.rate_limits["fred"] == 2.0 and cfg.offline
    assert cfg.mna_8k_items == ("2.01",)  # blank means the default
    assert (cfg.fred_api_key, cfg.sec_user_agent) == (KEY, AGENT)
    assert KEY not in repr(cfg) and AGENT not in repr(cfg)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"WAREHOUSE_LIVE_TIMEOUT": "soon"}, "WAREHOUSE_LIVE_TIMEOUT='soon' is not a number"),
        ({"WAREHOUSE_LIVE_START": "05/01/2020"}, "WAREHOUSE_LIVE_START='05/01/2020' is not an ISO date"),
        ({"WAREHOUSE_LIVE_PRICE_PROVIDER": "bloomberg"}, "price_provider='bloomberg'"),
        ({"WAREHOUSE_LIVE_RATE_SEC": "20"}, "SEC allows at most 10 requests a second"),
        ({"WAREHOUSE_LIVE_SMALL_HOLDINGS": "VTWO"}, "no known iShares product page"),
        ({"WAREHOUSE_LIVE_BACKFILL_END": "2020-01-01"}, "needs WAREHOUSE_LIVE_BACKFILL_START"),
    ],
)
def test_bad_settings_are_named(env, message):
    with pytest.raises(LiveConfigError, match=message.replace("(", r"\(")):
        LiveConfig.from_env(env)


def test_sec_contact_is_required_and_needs_an_address():
    assert LiveConfig.from_env({"SEC_USER_AGENT": AGENT}).require_sec_contact() == AGENT
    for value in ("", "smallcap-warehouse/1.0"):
        with pytest.raises(LiveConfigError, match="SEC_USER_AGENT"):
            LiveConfig.from_env({"SEC_USER_AGENT": value}).require_sec_contact()


def test_funds_file(tmp_path):
    path = tmp_path / "funds.csv"
    path.write_text("Fund_ID,Name,Category\nvsmax,Vanguard Small-Cap Index Admiral,Small Blend\n")
    [fund] = read_funds_file(path)
    assert (fund.fund_id, fund.category, fund.domicile) == ("VSMAX", "Small Blend", "US")
    assert LiveConfig.from_env({"WAREHOUSE_LIVE_FUNDS_FILE": str(path)}).funds == (fund,)
    path.write_text("fund_id,name\nVSMAX,\n")
    with pytest.raises(ValueError, match="line 2: fund_id and name are required"):
        read_funds_file(path)


def test_resource_takes_secrets_through_envvar(monkeypatch):
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("SEC_USER_AGENT", AGENT)
    seen = {}

    @dg.asset
    def probe(live: LiveServicesResource) -> None:
        cfg = live.live_config({"WAREHOUSE_LIVE_MAX_COMPANIES": "7"})
        seen.update(key=cfg.fred_api_key, agent=cfg.sec_user_agent, cap=cfg.max_companies_per_index)

    with dg.instance_for_test() as instance:
        result = dg.materialize([probe], resources={"live": live_services_resource()}, instance=instance)
        assert result.success
        assert seen == {"key": KEY, "agent": AGENT, "cap": 7}
        # The run records the variable's name, never its value.
        recorded = json.dumps(instance.get_run_by_id(result.run_id).run_config) + "".join(
            e.message for e in instance.all_logs(result.run_id)
        )
        assert KEY not in recorded and AGENT not in recorded


def test_resource_leaves_unset_secrets_empty():
    resource = live_services_resource({})
    assert (resource.fred_api_key, resource.sec_user_agent) == (None, None)
    assert resource.live_config({}).fred_api_key is None
