"""Progress lines for long downloads: done / total, elapsed and ETA, not too often."""

from __future__ import annotations

from pipelines.sources.live.progress import Progress


def test_progress_lines_with_eta():
    now = [0.0]
    lines: list[str] = []
    progress = Progress(lines.append, "prices (yahoo)", 4, "symbols", every_seconds=10.0, clock=lambda: now[0])
    for t, symbol in ((2.0, "IWM"), (5.0, "SPY"), (30.0, "BE"), (31.0, "CRDO")):
        now[0] = t
        progress.step(symbol)
    assert lines == [
        "prices (yahoo): 1/4 symbols (25%), 0m02s elapsed, ETA 0m06s [IWM]",  # the first item always shows
        "prices (yahoo): 3/4 symbols (75%), 0m30s elapsed, ETA 0m10s [BE]",  # SPY came within 10 s of it
        "prices (yahoo): 4/4 symbols (100%), 0m31s elapsed [CRDO]",  # the last item always shows
    ]
