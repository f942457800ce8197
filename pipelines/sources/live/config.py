"""Configuration of the live source: where each service lives, how politely to ask, what to ask for.

Everything is read from environment variables (WAREHOUSE_LIVE_*, FRED_API_KEY,
SEC_USER_AGENT) so a user turns the knobs without editing code, and the tests point every
base URL at a server on 127.0.0.1. The two secrets (the FRED API key and the SEC contact)
are kept out of repr() and never written to logs, landed files or Dagster metadata; in a
Dagster deployment they come through `LiveServicesResource`, given with `dagster.EnvVar`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import dagster as dg

from pipelines.sources.live.funds import DEFAULT_FUNDS, FundSpec, read_funds_file

PRICE_PROVIDERS = ("yahoo", "stooq")

# iShares product pages (the holdings download hangs off the product page's path).
ISHARES_PRODUCTS: dict[str, str] = {
    "IWM": "/us/products/239710/ishares-russell-2000-etf",
    "IVV": "/us/products/239726/ishares-core-sp-500-etf",
    "IWB": "/us/products/239707/ishares-russell-1000-etf",
    "IJR": "/us/products/239774/ishares-core-sp-smallcap-etf",
}

# Requests per second, per service. SEC's fair-access policy allows at most 10 a second
# across www.sec.gov and data.sec.gov; FRED's API allows 120 a minute.
DEFAULT_RATE_LIMITS: dict[str, float] = {"fred": 2.0, "ishares": 1.0, "sec": 8.0, "yahoo": 2.0, "stooq": 1.0}
SEC_MAX_RATE = 10.0


class LiveConfigError(ValueError):
    pass


@dataclass(frozen=True)
class LiveConfig:
    # Service locations (tests point them at 127.0.0.1).
    fred_base_url: str = "https://fred.stlouisfed.org"
    fred_api_base_url: str = "https://api.stlouisfed.org"
    ishares_base_url: str = "https://www.ishares.com"
    sec_www_base_url: str = "https://www.sec.gov"
    sec_data_base_url: str = "https://data.sec.gov"
    yahoo_base_url: str = "https://query1.finance.yahoo.com"
    stooq_base_url: str = "https://stooq.com"

    # Secrets: never in repr, logs, landed files or metadata.
    fred_api_key: str | None = field(default=None, repr=False)
    sec_user_agent: str | None = field(default=None, repr=False)

    # What to fetch.
    fred_series: tuple[str, ...] = ("DGS10", "DGS2", "DFEDTARU", "DFEDTARL", "DFF")
    small_holdings_fund: str = "IWM"
    large_holdings_fund: str = "IVV"
    price_provider: str = "yahoo"
    fund_provider: str = "yahoo"
    funds: tuple[FundSpec, ...] = DEFAULT_FUNDS
    # Members per index whose earnings, prices and 8-K filings are fetched (largest weight
    # first); None means every member. A politeness cap for a first try.
    max_companies_per_index: int | None = None
    mna_forms: tuple[str, ...] = ("DEFM14A", "SC TO-T", "S-4")
    mna_8k_items: tuple[str, ...] = ("2.01",)
    mna_start: date = date(2020, 1, 1)
    # Filings on one company within this many days form one event (S-4, proxy, completion).
    mna_event_window_days: int = 180

    # Incremental behaviour.
    history_start: date = date(2000, 1, 1)
    overlap_days: int = 14
    backfill_start: date | None = None
    backfill_end: date | None = None
    sec_refresh_days: int = 7
    # Rebuild the contract files from the responses already stored, without any request.
    offline: bool = False

    # HTTP behaviour.
    timeout_seconds: float = 30.0
    max_retries: int = 5
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    rate_limits: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    yahoo_user_agent: str = "Mozilla/5.0 (compatible; smallcap-rotation-warehouse)"
    progress_every_seconds: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LiveConfig:
        env = dict(os.environ if env is None else env)
        d = cls()
        g = _Reader(env)
        rates = dict(DEFAULT_RATE_LIMITS)
        for service in rates:
            rates[service] = g.float(f"WAREHOUSE_LIVE_RATE_{service.upper()}", rates[service])
        funds_file = g.str("WAREHOUSE_LIVE_FUNDS_FILE", None)
        cfg = cls(
            fred_base_url=g.url("WAREHOUSE_LIVE_FRED_URL", d.fred_base_url),
            fred_api_base_url=g.url("WAREHOUSE_LIVE_FRED_API_URL", d.fred_api_base_url),
            ishares_base_url=g.url("WAREHOUSE_LIVE_ISHARES_URL", d.ishares_base_url),
            sec_www_base_url=g.url("WAREHOUSE_LIVE_SEC_WWW_URL", d.sec_www_base_url),
            sec_data_base_url=g.url("WAREHOUSE_LIVE_SEC_DATA_URL", d.sec_data_base_url),
            yahoo_base_url=g.url("WAREHOUSE_LIVE_YAHOO_URL", d.yahoo_base_url),
            stooq_base_url=g.url("WAREHOUSE_LIVE_STOOQ_URL", d.stooq_base_url),
            fred_api_key=g.str("FRED_API_KEY", None),
            sec_user_agent=g.str("SEC_USER_AGENT", None),
            fred_series=g.list("WAREHOUSE_LIVE_FRED_SERIES", d.fred_series),
            small_holdings_fund=g.str("WAREHOUSE_LIVE_SMALL_HOLDINGS", d.small_holdings_fund).upper(),
            large_holdings_fund=g.str("WAREHOUSE_LIVE_LARGE_HOLDINGS", d.large_holdings_fund).upper(),
            price_provider=g.str("WAREHOUSE_LIVE_PRICE_PROVIDER", d.price_provider).lower(),
            fund_provider=g.str("WAREHOUSE_LIVE_FUND_PROVIDER", d.fund_provider).lower(),
            funds=read_funds_file(Path(funds_file)) if funds_file else d.funds,
            max_companies_per_index=g.int("WAREHOUSE_LIVE_MAX_COMPANIES", 0) or None,
            mna_forms=g.list("WAREHOUSE_LIVE_MNA_FORMS", d.mna_forms),
            mna_8k_items=g.list("WAREHOUSE_LIVE_MNA_8K_ITEMS", d.mna_8k_items),
            mna_start=g.date("WAREHOUSE_LIVE_MNA_START", d.mna_start),
            mna_event_window_days=g.int("WAREHOUSE_LIVE_MNA_EVENT_DAYS", d.mna_event_window_days),
            history_start=g.date("WAREHOUSE_LIVE_START", d.history_start),
            overlap_days=g.int("WAREHOUSE_LIVE_OVERLAP_DAYS", d.overlap_days),
            backfill_start=g.date("WAREHOUSE_LIVE_BACKFILL_START", None),
            backfill_end=g.date("WAREHOUSE_LIVE_BACKFILL_END", None),
            sec_refresh_days=g.int("WAREHOUSE_LIVE_SEC_REFRESH_DAYS", d.sec_refresh_days),
            offline=g.flag("WAREHOUSE_LIVE_OFFLINE"),
            timeout_seconds=g.float("WAREHOUSE_LIVE_TIMEOUT", d.timeout_seconds),
            max_retries=g.int("WAREHOUSE_LIVE_RETRIES", d.max_retries),
            backoff_base_seconds=g.float("WAREHOUSE_LIVE_BACKOFF", d.backoff_base_seconds),
            backoff_max_seconds=g.float("WAREHOUSE_LIVE_BACKOFF_MAX", d.backoff_max_seconds),
            rate_limits=rates,
            yahoo_user_agent=g.str("WAREHOUSE_LIVE_YAHOO_USER_AGENT", d.yahoo_user_agent),
            progress_every_seconds=g.float("WAREHOUSE_LIVE_PROGRESS_SECONDS", d.progress_every_seconds),
        )
        cfg.validate()
        return cfg

    def validate(self) -> None:
        for name in ("price_provider", "fund_provider"):
            if getattr(self, name) not in PRICE_PROVIDERS:
                raise LiveConfigError(f"{name}={getattr(self, name)!r}: expected one of {', '.join(PRICE_PROVIDERS)}")
        for fund in (self.small_holdings_fund, self.large_holdings_fund):
            if fund not in ISHARES_PRODUCTS:
                raise LiveConfigError(
                    f"holdings fund {fund!r} has no known iShares product page (known: {', '.join(ISHARES_PRODUCTS)})"
                )
        if self.rate_limits.get("sec", 0) > SEC_MAX_RATE:
            raise LiveConfigError(
                f"WAREHOUSE_LIVE_RATE_SEC={self.rate_limits['sec']}: "
                f"SEC allows at most {SEC_MAX_RATE:g} requests a second"
            )
        if any(r <= 0 for r in self.rate_limits.values()):
            raise LiveConfigError("request rates must be positive")
        if self.backfill_end is not None and self.backfill_start is None:
            raise LiveConfigError("WAREHOUSE_LIVE_BACKFILL_END needs WAREHOUSE_LIVE_BACKFILL_START")
        if self.backfill_start and self.backfill_end and self.backfill_end < self.backfill_start:
            raise LiveConfigError("WAREHOUSE_LIVE_BACKFILL_END is before WAREHOUSE_LIVE_BACKFILL_START")

    def require_sec_contact(self) -> str:
        """SEC asks every client to identify itself; without a contact we do not call it."""
        ua = (self.sec_user_agent or "").strip()
        if not ua or "@" not in ua:
            raise LiveConfigError(
                "SEC_USER_AGENT is not set (or has no e-mail address): SEC EDGAR requires a User-Agent naming "
                "you and a contact e-mail, e.g. 'Jane Doe jane@example.org'. Set it before fetching SEC data."
            )
        return ua

    def secrets(self) -> tuple[str, ...]:
        """The secret values, so that logs and tests can check they never appear."""
        return tuple(s for s in (self.fred_api_key, self.sec_user_agent) if s)


class _Reader:
    """Typed reads of environment variables, each failing with the variable's name."""

    def __init__(self, env: dict[str, str]):
        self.env = env

    def str(self, name: str, default):
        raw = (self.env.get(name) or "").strip()
        return raw or default

    def url(self, name: str, default: str) -> str:
        return self.str(name, default).rstrip("/")

    def list(self, name: str, default: tuple[str, ...]) -> tuple[str, ...]:
        raw = self.str(name, None)
        if raw is None:
            return default
        return tuple(p.strip() for p in raw.split(",") if p.strip())

    def int(self, name: str, default):
        raw = self.str(name, None)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise LiveConfigError(f"{name}={raw!r} is not a whole number") from None

    def float(self, name: str, default: float) -> float:
        raw = self.str(name, None)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise LiveConfigError(f"{name}={raw!r} is not a number") from None

    def date(self, name: str, default):
        raw = self.str(name, None)
        if raw is None:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise LiveConfigError(f"{name}={raw!r} is not an ISO date (YYYY-MM-DD)") from None

    def flag(self, name: str) -> bool:
        return (self.str(name, "") or "").lower() in ("1", "true", "yes", "on")


class LiveServicesResource(dg.ConfigurableResource):
    """The live services' secrets in Dagster, given as `dagster.EnvVar` so they stay out of run config.

    Non-secret settings still come from WAREHOUSE_LIVE_* variables (LiveConfig.from_env).
    """

    fred_api_key: str | None = None
    sec_user_agent: str | None = None

    def live_config(self, env: Mapping[str, str] | None = None) -> LiveConfig:
        return replace(LiveConfig.from_env(env), fred_api_key=self.fred_api_key, sec_user_agent=self.sec_user_agent)


def live_services_resource(env: Mapping[str, str] | None = None) -> LiveServicesResource:
    """The resource with each secret bound to its environment variable when that variable is set.

    Dagster refuses an EnvVar whose variable is unset, and both secrets are optional (the
    FRED CSV needs no key; a run without SEC data needs no contact), so unset ones stay None.
    """
    env = os.environ if env is None else env
    return LiveServicesResource(
        **{
            field_name: dg.EnvVar(var)
            for field_name, var in (("fred_api_key", "FRED_API_KEY"), ("sec_user_agent", "SEC_USER_AGENT"))
            if env.get(var)
        }
    )
