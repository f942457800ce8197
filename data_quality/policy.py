"""What each quality finding does to a run: block, quarantine the row, flag the series interval, or warn.

One table, mirrored in docs/quality.md (a test keeps the two in step). The principle: block
only what would make published numbers wrong now; a bad row goes to quarantine; a flawed
stretch of history is flagged so the marts step around it; everything else is a warning.
Old history and the newest data are judged differently: a flaw in 1993 never blocks a run,
the same flaw in the recent window of a role series does (data_quality/thresholds.py says
how long "recent" is).
"""

from __future__ import annotations

from dataclasses import dataclass

from data_quality.results import ERROR, WARN

BLOCK, QUARANTINE, FLAG, WARN_ACTION = "block", "quarantine", "flag", "warn"
ALL = "all"
SERIES = ("prices", "fund_navs")


@dataclass(frozen=True)
class Gate:
    check: str
    datasets: tuple[str, ...] | str
    reads: str
    scope: str
    action: str
    why: str

    @property
    def severity(self) -> str:
        # A flag check blocks when the flawed stretch is in a role series' recent window, so its
        # Dagster check must be able to block; each outcome carries the severity it earned.
        return ERROR if self.action in (BLOCK, FLAG) else WARN

    def applies_to(self, dataset: str) -> bool:
        return self.datasets == ALL or dataset in self.datasets


POLICY: tuple[Gate, ...] = (
    Gate(
        "contract_suite",
        ALL,
        "GX suite: columns, required values, value ranges",
        "new batches",
        BLOCK,
        "a file that breaks the contract as a whole cannot be read right",
    ),
    Gate(
        "key_conflicts",
        ALL,
        "the same key with different values in two files",
        "keys of new batches, against the whole table",
        BLOCK,
        "two files disagree and no rule says which is right (conflicts inside one file are quarantined at load)",
    ),
    Gate(
        "quarantine_share",
        ALL,
        "quarantined rows / rows of the new batches (rows that only say 'no value' not counted)",
        "new batches",
        BLOCK,
        "a batch this bad is a broken feed, not a few bad rows",
    ),
    Gate(
        "row_count_vs_previous",
        ALL,
        "row count against the last passing run",
        "whole table",
        BLOCK,
        "a collapse means files went missing",
    ),
    Gate(
        "landing_files",
        ALL,
        "empty, header-only and unrecognized files in the dataset folder",
        "files of this landing",
        WARN_ACTION,
        "nothing to load from them, and the user should know",
    ),
    Gate(
        "roles_present",
        ("prices", "universe"),
        "the configured role symbols (prices) and index ids (universe)",
        "whole table",
        BLOCK,
        "every benchmark, claim and trigger reads them: without them the run could not compute what it publishes "
        "(no universe delivered at all only warns)",
    ),
    Gate(
        "one_day_spike",
        SERIES,
        "a move beyond the daily limit that reverts the next day",
        "new rows and their neighbours",
        QUARANTINE,
        "a bad print: the row goes to quarantine with its file and line, the series stays whole",
    ),
    Gate(
        "unit_error_100x",
        SERIES,
        "a close 50x (or 1/50) the previous one that stays",
        "new rows and the close before",
        FLAG,
        "every return across it would be wrong; blocks for a role series in the recent window",
    ),
    Gate(
        "unexplained_jump",
        SERIES,
        "a split-sized move with no recorded split",
        "new rows and the close before",
        FLAG,
        "a vendor's split on the wrong day: returns across it are set aside; "
        "blocks for a role series in the recent window",
    ),
    Gate(
        "stale_series",
        SERIES,
        "the same close on stale_run_days or more days in a row",
        "new rows and the run before them",
        FLAG,
        "zero returns that did not happen; blocks for a role series in the recent window",
    ),
    Gate(
        "missing_bars",
        ("prices",),
        "gaps of missing_bar_gap_days or more trading days; the share missing over a life",
        "whole table",
        FLAG,
        "a return across a long gap is not a daily return; scattered missing days of thin small caps only warn",
    ),
    Gate(
        "rate_gaps",
        ("rates",),
        "rate_gap_days or more calendar days without an observation of a rate series",
        "whole table",
        FLAG,
        "yield changes across a gap are not daily changes; blocks for DGS10 and DFEDTARU in the recent window",
    ),
    Gate(
        "flagged_share",
        SERIES,
        "series newly flagged inside the recent window / series with recent rows in the new batches",
        "new batches",
        BLOCK,
        "many fresh flags at once is a broken feed, not a flawed history",
    ),
    Gate(
        "large_move",
        SERIES,
        "moves beyond the daily limit that are not split-sized",
        "new rows",
        WARN_ACTION,
        "real events (a spin-off, a trial result) look like this: a person should look",
    ),
    Gate(
        "future_dated",
        SERIES,
        "observations dated after tomorrow",
        "whole table",
        BLOCK,
        "cannot have been observed (such rows are quarantined at load, so this stays at zero)",
    ),
    Gate(
        "ohlc_consistency",
        ("prices",),
        "low <= open, close <= high",
        "new batches",
        BLOCK,
        "cannot be true of a bar (such rows are quarantined at load, so this stays at zero)",
    ),
    Gate(
        "funds_known",
        ("fund_navs",),
        "NAVs of funds missing from the fund list",
        "whole table",
        BLOCK,
        "the fund list and its NAVs do not belong together",
    ),
    Gate(
        "symbols_in_universe",
        ("prices", "earnings", "estimates"),
        "symbols never an index member",
        "whole table",
        WARN_ACTION,
        "extra symbols are ignored downstream",
    ),
    Gate(
        "targets_in_universe",
        ("mna_events",),
        "M&A targets never an index member",
        "whole table",
        WARN_ACTION,
        "such deals are not small-index deals",
    ),
    Gate(
        "freshness",
        ("prices",),
        "the newest day against the latest trading day due",
        "whole table",
        WARN_ACTION,
        "late data is still right data",
    ),
)

# Row rules the loader applies before any gate: the row goes to quarantine.<dataset> with the
# rule, the column, the file and the line (pipelines/datasets.py and pipelines/raw_loader.py).
LOADER_QUARANTINE = (
    ("bad_<type>", "a value that does not cast to its column's type (a date not ISO, NaN, text in a number)"),
    ("required_missing", "a required value is blank"),
    ("<row rule>", "a row rule of the dataset (negative price, high below low, future date, ...)"),
    (
        "placeholder_ticker / non_equity",
        "a universe row that is not a listed member (ticker '-', a CVR, a private position)",
    ),
    ("key_conflict_in_file", "one file gives one key two different rows: every version goes to quarantine"),
    (
        "no_estimate / placeholder_estimate",
        "an estimate the publisher left blank or 0: no value (not counted by quarantine_share)",
    ),
)

# Quarantine rules of rows that say "no value here" (Alpha Vantage writes a blank, "None" or 0 for
# a quarter without a consensus): such rows are set aside with their rule like any bad row, but
# they are how the publisher says nothing, not a sign of a broken feed, so quarantine_share does
# not count them.
NO_VALUE_RULES = ("no_estimate", "placeholder_estimate")

# Role series of the rates dataset: the yield the sensitivity reads and the Fed target the trigger reads.
RATE_ROLES = ("DGS10", "DFEDTARU")


FLAG_CHECKS = frozenset(g.check for g in POLICY if g.action == FLAG)


def gates_for(dataset: str) -> list[Gate]:
    return [g for g in POLICY if g.applies_to(dataset)]


def gate(check: str) -> Gate:
    return next(g for g in POLICY if g.check == check)
