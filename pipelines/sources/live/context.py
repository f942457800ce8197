"""What one land() call works with: configuration, the landing area, HTTP clients, the log.

The clients share one requests Session and one rate limiter per service across the whole
LiveSource, so the SEC limit holds across datasets. The log masks the secrets, as a last
guard: no code path should print them, and none can.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

import requests

from pipelines.config import Settings
from pipelines.sources.base import Log
from pipelines.sources.live.config import LiveConfig, LiveConfigError
from pipelines.sources.live.http import RateLimiter, RetryPolicy, ServiceClient
from pipelines.sources.live.progress import Progress
from pipelines.sources.live.store import LandingArea

T = TypeVar("T")


class LiveFormatError(ValueError):
    """A service answered 200 with a body that is not in its documented format."""


@dataclass
class Connections:
    """Long-lived per LiveSource: one Session, one rate limiter per service."""

    config: LiveConfig
    session: requests.Session = field(default_factory=requests.Session)
    limiters: dict[str, RateLimiter] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep

    def limiter(self, service: str) -> RateLimiter:
        if service not in self.limiters:
            self.limiters[service] = RateLimiter(self.config.rate_limits[service], sleep=self.sleep)
        return self.limiters[service]


def masking(log: Log, secrets: tuple[str, ...]) -> Log:
    def masked(message: str) -> None:
        for secret in secrets:
            message = message.replace(secret, "***")
        log(message)

    return masked


@dataclass
class LiveContext:
    config: LiveConfig
    settings: Settings
    area: LandingArea
    log: Log
    today: date
    connections: Connections
    _clients: dict[str, ServiceClient] = field(default_factory=dict)

    def client(self, service: str) -> ServiceClient:
        if self.config.offline:
            raise LiveConfigError(f"{service}: WAREHOUSE_LIVE_OFFLINE is set, so no request is made")
        if service not in self._clients:
            cfg = self.config
            # Compressed transfer, as SEC's fair-access guidance asks; every service offers it.
            headers = {"Accept-Encoding": "gzip, deflate"}
            if service == "sec":
                headers["User-Agent"] = cfg.require_sec_contact()
            elif service == "yahoo":
                headers["User-Agent"] = cfg.yahoo_user_agent
            policy = RetryPolicy(
                cfg.timeout_seconds, cfg.max_retries, cfg.backoff_base_seconds, cfg.backoff_max_seconds
            )
            self._clients[service] = ServiceClient(
                service,
                self.connections.session,
                self.connections.limiter(service),
                policy,
                self.log,
                headers=headers,
                secrets=cfg.secrets(),
                sleep=self.connections.sleep,
            )
        return self._clients[service]

    def progress(self, label: str, total: int, unit: str) -> Progress:
        return Progress(self.log, label, total, unit, every_seconds=self.config.progress_every_seconds)

    def keep(self, service: str, name: str, body: bytes, parse: Callable[[Path], T]) -> T:
        """Store a body as received, then parse it; a body that does not parse is set aside.

        The rejected body stays on disk for inspection (under <service>/rejected/) but out
        of the files later runs replay, so one bad answer cannot poison every rebuild.
        """
        path = self.area.save_raw(service, name, body)
        try:
            return parse(path)
        except (ValueError, KeyError, TypeError, IndexError) as e:
            rejected = path.parent / "rejected" / path.name
            rejected.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, rejected)
            raise LiveFormatError(
                f"{service}: the response stored as {rejected} is not in the documented format: {e}"
            ) from e
