"""Fixtures for the live source's tests: the real samples and a local server that serves them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipelines.config import Settings
from pipelines.sources.live.config import LiveConfig
from pipelines.sources.live.source import LiveSource
from tests.live import public_services
from tests.live.local_server import LocalServer

# The shared folder sits beside the repository root (tests/live/conftest.py -> parents[2]).
REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata"


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not (REALDATA / "MANIFEST.md").exists():
        pytest.skip(f"real public samples not found at {REALDATA.resolve()} (../shared/realdata beside the repo)")
    return REALDATA.resolve()


@pytest.fixture
def server():
    srv = LocalServer(hang_seconds=0.6).start()
    yield srv
    srv.stop()


class Services:
    """The public services on a local server, and live sources pointed at them."""

    def __init__(self, server: LocalServer, env: dict[str, str], realdata: Path):
        self.server, self.env, self.env_realdata = server, env, realdata

    def config(self, **overrides: str) -> LiveConfig:
        return LiveConfig.from_env({**self.env, **overrides})

    def source(self, today: date = date(2026, 5, 6), settings: Settings | None = None, **overrides: str) -> LiveSource:
        return LiveSource(settings or Settings(source="live"), self.config(**overrides), today=lambda: today)


@pytest.fixture
def services(server: LocalServer, realdata: Path) -> Services:
    return Services(server, public_services.install(server, realdata), realdata)


@pytest.fixture
def log_lines() -> list[str]:
    return []
