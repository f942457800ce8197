"""`LiveSource`: WAREHOUSE_SOURCE=live, the Source protocol over free public services.

Each dataset has its adapter module; this class only routes, and holds what outlives one
land() call (the HTTP session and the per-service rate limiters).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from pipelines.config import Settings
from pipelines.sources.base import Landed, Log
from pipelines.sources.live.config import LiveConfig
from pipelines.sources.live.context import Connections, LiveContext, masking
from pipelines.sources.live.fred import land_rates
from pipelines.sources.live.ishares import land_universe
from pipelines.sources.live.prices import land_fund_navs, land_funds, land_prices, land_splits
from pipelines.sources.live.sec_companyfacts import land_earnings
from pipelines.sources.live.sec_mna import land_mna
from pipelines.sources.live.store import LandingArea


def _no_estimates(ctx: LiveContext) -> Landed:
    return Landed(
        "estimates",
        [],
        note="consensus estimates are not available from free public sources; "
        "load them with the files source to enable forward P/E and beat rates",
    )


def _no_fund_distributions(ctx: LiveContext) -> Landed:
    return Landed(
        "fund_distributions",
        [],
        note="the live source does not fetch fund distributions yet: fund "
        "returns use the adjusted NAV when the provider gives one, else the "
        "NAV (return_basis says which); load distributions with the files source",
    )


ADAPTERS: dict[str, Callable[[LiveContext], Landed]] = {
    "rates": land_rates,
    "universe": land_universe,
    "earnings": land_earnings,
    "prices": land_prices,
    "funds": land_funds,
    "fund_navs": land_fund_navs,
    "fund_distributions": _no_fund_distributions,
    "mna_events": land_mna,
    "estimates": _no_estimates,
    "splits": land_splits,
}


class LiveSource:
    name = "live"

    def __init__(
        self,
        settings: Settings,
        config: LiveConfig,
        today: Callable[[], date] = date.today,
        sleep: Callable[[float], None] = time.sleep,
    ):
        config.validate()
        self.settings = settings
        self.config = config
        self._today = today
        self._connections = Connections(config, sleep=sleep)

    @classmethod
    def from_settings(cls, settings: Settings) -> LiveSource:
        """Configured from the environment (WAREHOUSE_LIVE_*, FRED_API_KEY, SEC_USER_AGENT)."""
        return cls(settings, LiveConfig.from_env())

    def land(self, dataset: str, landing_dir: Path, log: Log) -> Landed:
        if dataset not in ADAPTERS:
            raise ValueError(f"live source: unknown dataset {dataset!r} (known: {', '.join(ADAPTERS)})")
        ctx = LiveContext(
            self.config,
            self.settings,
            LandingArea(landing_dir),
            masking(log, self.config.secrets()),
            self._today(),
            self._connections,
        )
        return ADAPTERS[dataset](ctx)
