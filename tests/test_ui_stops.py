"""`make ui` ends on Ctrl-C: a SIGINT to its process group stops make, `dagster dev`, the webserver,
the daemon and the code server within seconds.

The UI is started the way a script or CI step starts it, `make ui &` from a non-interactive shell,
which starts it with SIGINT ignored (the case that left every Dagster process running: see
pipelines/ui.py). A terminal's Ctrl-C sends the same SIGINT to the same process group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests

from tests.conftest import REPO, pipeline_env

STARTUP_SECONDS = 150
STOP_SECONDS = 20
SIGINT_BIT = 1 << (signal.SIGINT - 1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group(pgid: int) -> dict[int, str]:
    """Live (not zombie) processes of a process group: pid -> command line."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            state, _ppid, group = stat[stat.rindex(")") + 2 :].split()[:3]
            if int(group) == pgid and state != "Z":
                found[int(entry)] = Path(f"/proc/{entry}/cmdline").read_text().replace("\0", " ").strip()
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] != "Z"


def _ignores_sigint(pid: int) -> bool:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & SIGINT_BIT)
    return False


def test_make_ui_ends_on_sigint_to_its_process_group(tmp_path):
    port = _free_port()
    log = tmp_path / "ui.log"
    with open(log, "w") as out:
        # sh is the group leader (a session of its own, as a terminal gives a job its group);
        # the background job `make ui` inherits SIGINT ignored from it.
        shell = subprocess.Popen(
            ["sh", "-c", f"make ui UI_PORT={port} & wait"],
            cwd=REPO,
            env=pipeline_env(tmp_path / "wh"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pgid = shell.pid
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert time.monotonic() < deadline, (
                f"no UI on port {port} after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}"
            )
            assert _group(pgid), f"make ui ended before serving:\n{log.read_text()[-3000:]}"
            try:
                if requests.get(f"http://127.0.0.1:{port}/server_info", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(1)

        running = _group(pgid)
        commands = " | ".join(running.values())
        for part in ("make ui", "dagster dev", "dagster_webserver", "dagster._daemon", "code-server"):
            assert part in commands, f"{part!r} is not running: {running}"
        make = next(pid for pid, cmd in running.items() if cmd.startswith("make ui"))
        assert _ignores_sigint(make), "the test must start make the way a script does, with SIGINT ignored"

        os.killpg(pgid, signal.SIGINT)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and any(_alive(pid) for pid in running):
            time.sleep(0.2)
        left = {pid: cmd for pid, cmd in running.items() if _alive(pid)} | _group(pgid)
        assert left == {}, f"still running {STOP_SECONDS}s after SIGINT: {left}\n{log.read_text()[-3000:]}"
    finally:
        for pid in _group(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        shell.wait(timeout=10)
