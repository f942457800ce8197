"""Headless Chromium for the browser tests: found (or installed from Debian), driven over the
DevTools protocol with the `websockets` client already in the environment.

The browser runs with every host name unresolvable, so a page that needed the network would
show it as failed requests and console errors rather than quietly loading from a CDN.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

CHROMIUM = Path("/usr/bin/chromium")
APT_TIMEOUT = 900


def chromium_path() -> Path:
    """/usr/bin/chromium, installed with apt-get when missing; the test is skipped if that fails."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} is missing and installing Debian's chromium needs root (apt-get install chromium)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]):
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as e:
            pytest.skip(f"could not install chromium: {' '.join(cmd)}: {e}")
        if proc.returncode != 0:
            pytest.skip(f"could not install chromium: {' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    if not CHROMIUM.exists():
        pytest.skip(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


class Page:
    """One browser tab: commands in, events collected (console messages, exceptions, requests)."""

    def __init__(self, ws_url: str):
        # websockets wants its connection entered as a context manager; it stays open until close().
        self._open = contextlib.ExitStack()
        self._ws = self._open.enter_context(connect(ws_url, max_size=None, open_timeout=30))
        self._ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, timeout: float = 60, **params) -> dict:
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == msg_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float) -> object:
        """Polls a page expression until it is truthy; returns its last value either way."""
        deadline = time.monotonic() + timeout
        value = self.evaluate(expression)
        while not value and time.monotonic() < deadline:
            time.sleep(0.25)
            value = self.evaluate(expression)
        return value

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors seen so far."""
        found = []
        for e in self.events:
            method, params = e["method"], e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(
                    "console: "
                    + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                )
            elif method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                found.append("exception: " + str(details.get("exception", {}).get("description", details.get("text"))))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        return found

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path: Path, width: int, scale: float = 1.0) -> Path:
        height = self.evaluate("document.documentElement.scrollHeight")
        shot = self.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": scale},
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        self._open.close()


class Chromium:
    """A headless Chromium process with its own profile, stopped by its own PID on exit."""

    def __init__(self, width: int = 1400, height: int = 900):
        self.width, self.height = width, height

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self._proc = subprocess.Popen(
            [
                str(chromium_path()),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--window-size={self.width},{self.height}",
                f"--user-data-dir={self._profile}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.port = self._devtools_port()
        return self

    def _devtools_port(self, timeout: float = 30) -> int:
        # With port 0 Chromium picks a free port and writes it into the profile folder.
        marker = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"chromium exited {self._proc.returncode}: {self._proc.stderr.read()[-2000:]!r}")
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            time.sleep(0.1)
        raise RuntimeError("chromium did not open its DevTools port")

    def open(self, url: str) -> Page:
        """A tab with console, log and network events on, navigated to url (load awaited)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as resp:
            target = next(t for t in json.load(resp) if t["type"] == "page")
        page = Page(target["webSocketDebuggerUrl"])
        for domain in ("Runtime", "Log", "Network", "Page"):
            page.send(f"{domain}.enable")
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        page.send("Page.navigate", url=url)
        page.wait_for("document.readyState === 'complete'", timeout=60)
        return page

    def __exit__(self, *exc) -> None:
        # Its own session: the renderer and helper processes stop with the browser.
        os.killpg(self._proc.pid, signal.SIGTERM)
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        shutil.rmtree(self._profile, ignore_errors=True)
