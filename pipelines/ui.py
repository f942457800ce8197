"""`make ui`: `dagster dev` on workspace.yaml, which Ctrl-C (SIGINT) ends however it was started.

A program started in the background of a non-interactive shell (`make ui &` in a script, a CI
step, `setsid make ui &`) inherits SIGINT *ignored*, and an ignored signal stays ignored across
fork and exec. Python then installs no KeyboardInterrupt handler, `dagster dev` copies that
"ignore" onto SIGTERM as well, and the webserver, daemon and code server it starts inherit it
too: a SIGINT to the process group (what a terminal's Ctrl-C sends) or a SIGTERM ends none of
them, only SIGKILL does. This launcher puts SIGINT back to its default before it becomes
`dagster dev` (exec: same process, nothing in between), so `dagster dev` gets its
KeyboardInterrupt and shuts its services down, each of which also reacts to the signal itself.

Usage: python -m pipelines.ui [dagster dev options], e.g. -h 127.0.0.1 -p 3000.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # inherited by exec, unlike a Python handler
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execv(dagster, [dagster, "dev", "-w", "workspace.yaml", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
