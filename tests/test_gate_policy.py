"""The quality policy at the gate level: what blocks, what goes to quarantine, what is flagged.

Real DuckDB and the real loader, as in test_gate_scope: landed CSV files become raw batches
and the gates run as the pipeline's checks run them. The pipeline-level proofs (serving left
byte for byte, marts stepping around flags) are in test_policy_runs.py.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import numpy as np
import pytest

from data_quality import gate_scope, policy, trading_calendar
from data_quality.thresholds import Thresholds
from pipelines.config import Settings
from pipelines.raw_gates import plan_scope, run_raw_gates
from tests.helpers.landing import Landing

SETTINGS = Settings(source="files", small_symbol="IWM", large_symbol="SPY", small_index="R2000", large_index="SP500")
T = Thresholds()
DAYS = list(trading_calendar.sessions("2022-01-03", "2024-06-19").date)  # NYSE sessions: missing bars count those
OLD = DAYS[100]  # more than recent_window_days before the last day
RECENT = DAYS[-20]
assert (DAYS[-1] - OLD).days > T.recent_window_days > (DAYS[-1] - RECENT).days


def walk(seed: int, n: int = len(DAYS)) -> np.ndarray:
    return 50 * np.cumprod(1 + np.random.default_rng(seed).normal(0, 0.01, n))


def prices_csv(series: dict[str, np.ndarray], days=DAYS) -> str:
    """The closes as a prices file; `days` shorter than a series lands only its first closes."""
    lines = ["symbol,date,close"]
    for s, closes in series.items():
        lines += [f"{s},{d.isoformat()},{c:.6f}" for d, c in zip(days, closes, strict=False) if not np.isnan(c)]
    return "\n".join(lines) + "\n"


def market(**changes) -> dict[str, np.ndarray]:
    """Two benchmarks and eight companies; `changes` maps a symbol to a function of its closes."""
    symbols = ["IWM", "SPY"] + [f"C{i}" for i in range(8)]
    out = {s: walk(i) for i, s in enumerate(symbols)}
    for s, change in changes.items():
        out[s] = change(out[s].copy())
    return out


def halve_from(day: dt.date):
    i = DAYS.index(day)

    def change(c):
        c[i:] /= 2
        return c

    return change


def freeze_from(day: dt.date, n: int):
    i = DAYS.index(day)

    def change(c):
        c[i : i + n] = c[i - 1]
        return c

    return change


class Gates(Landing):
    def run(self, dataset: str = "prices", run_id: str = "r1", settings: Settings = SETTINGS):
        with duckdb.connect(str(self.db)) as con:
            scope = plan_scope(con, dataset, settings, T)
            out = {o.check_name: o for o in run_raw_gates(con, dataset, settings, T, scope, run_id)}
            if not any(o.blocks for o in out.values()):
                gate_scope.mark_validated(con, scope, run_id)
        return scope, out

    def flags(self) -> list[tuple]:
        with duckdb.connect(str(self.db)) as con:
            return con.execute(
                "SELECT dataset, series, date_from, date_to, rule FROM audit.series_flags "
                "ORDER BY dataset, series, date_from"
            ).fetchall()

    def sql(self, query: str) -> list[tuple]:
        with duckdb.connect(str(self.db)) as con:
            return con.execute(query).fetchall()


@pytest.fixture
def gates(tmp_path) -> Gates:
    return Gates(tmp_path)


def blocking(out) -> set[str]:
    return {name for name, o in out.items() if o.blocks}


def test_the_docs_table_is_the_policy():
    text = (Path(__file__).resolve().parents[1] / "docs" / "quality.md").read_text()
    rows = re.findall(r"^\| (\w+) \| ([\w, ]+) \| .* \| (block|quarantine|flag|warn) \| .*\|$", text, flags=re.M)
    documented = {
        (check, tuple(sorted(d.strip() for d in datasets.split(","))), action) for check, datasets, action in rows
    }
    in_code = {
        (g.check, ("all",) if g.datasets == policy.ALL else tuple(sorted(g.datasets)), g.action) for g in policy.POLICY
    }
    assert documented == in_code


def test_an_old_jump_in_a_benchmark_is_flagged_and_a_recent_one_blocks(gates):
    gates.land("prices", "history.csv", prices_csv(market(IWM=halve_from(OLD))))
    _, out = gates.run()
    assert blocking(out) == set()
    jump = out["unexplained_jump"]
    assert not jump.passed and jump.severity == "warn" and jump.observed == {"flagged": 1, "series": 1, "blocking": 0}
    assert gates.flags() == [("prices", "IWM", DAYS[DAYS.index(OLD) - 1], OLD, "unexplained_jump")]

    gates.land("prices", "history.csv", prices_csv(market(IWM=halve_from(RECENT))))
    _, out = gates.run()
    assert blocking(out) == {"unexplained_jump"}
    assert "IWM" in out["unexplained_jump"].detail and "recent window" in out["unexplained_jump"].detail
    # The replaced file made the table be checked whole again: the old flag went with it.
    assert gates.flags() == [("prices", "IWM", DAYS[DAYS.index(RECENT) - 1], RECENT, "unexplained_jump")]


def test_a_company_jump_or_stale_stretch_is_flagged_even_when_recent(gates):
    gates.land("prices", "history.csv", prices_csv(market(C1=halve_from(RECENT), C2=freeze_from(OLD, 12))))
    _, out = gates.run()
    assert blocking(out) == set(), {k: out[k].detail for k in blocking(out)}
    assert {(f[1], f[4]) for f in gates.flags()} == {("C1", "unexplained_jump"), ("C2", "stale_series")}
    stale = next(f for f in gates.flags() if f[4] == "stale_series")
    assert stale[2:4] == (DAYS[DAYS.index(OLD) - 1], DAYS[DAYS.index(OLD) + 11]), "the run of 13 equal closes"
    assert out["flagged_share"].passed and out["flagged_share"].observed["flagged"] == 1


def test_a_stale_benchmark_blocks_only_inside_the_recent_window(gates):
    gates.land("prices", "history.csv", prices_csv(market(SPY=freeze_from(OLD, 15))))
    _, out = gates.run()
    assert blocking(out) == set() and out["stale_series"].severity == "warn"
    gates.land("prices", "history.csv", prices_csv(market(SPY=freeze_from(RECENT, 15))))
    _, out = gates.run()
    assert blocking(out) == {"stale_series"} and "SPY" in out["stale_series"].detail


def test_a_gap_of_missing_bars_is_flagged_and_blocks_in_a_recent_benchmark(gates):
    gap = slice(DAYS.index(OLD), DAYS.index(OLD) + T.missing_bar_gap_days)

    def drop(c):
        c[gap] = np.nan
        return c

    gates.land("prices", "history.csv", prices_csv(market(C3=drop)))
    _, out = gates.run()
    assert blocking(out) == set()
    assert gates.flags() == [("prices", "C3", DAYS[gap.start - 1], DAYS[gap.stop], "missing_bars")]
    assert f"no bar on {T.missing_bar_gap_days} trading days" in out["missing_bars"].detail

    # One day fewer is not a stretch: no flag (the whole-life share is the warning for those).
    short = slice(gap.start, gap.stop - 1)

    def drop_less(c):
        c[short] = np.nan
        return c

    gates.land("prices", "history.csv", prices_csv(market(C3=drop_less)))
    gates.run()
    assert gates.flags() == []


def test_a_one_day_spike_goes_to_quarantine_with_its_line(gates):
    i = DAYS.index(RECENT)

    def spike(c):
        c[i] *= 100
        return c

    gates.land("prices", "history.csv", prices_csv(market(IWM=spike)))
    scope, out = gates.run()
    assert blocking(out) == set() and gates.flags() == []
    assert out["one_day_spike"].observed == 1 and not out["one_day_spike"].passed
    line = 1 + i + 1  # header, then IWM's rows in date order
    assert gates.sql("SELECT symbol, date, _rule, _column, _source_file, _source_line FROM quarantine.prices") == [
        ("IWM", RECENT.isoformat(), "one_day_spike", "close", "prices/history.csv", line)
    ]
    assert gates.sql(f"SELECT count(*) FROM raw.prices WHERE symbol = 'IWM' AND date = '{RECENT}'") == [(0,)]
    # The batch counts the gates remember are those after the move: the next run reads nothing again.
    scope, out = gates.run(run_id="r2")
    assert scope.mode == "unchanged" and blocking(out) == set()


def test_a_new_batch_with_many_fresh_flags_is_a_broken_feed(gates):
    history = market()
    gates.land("prices", "history.csv", prices_csv(history, DAYS[:-5]))
    _, out = gates.run()
    assert blocking(out) == set()
    # The last five days arrive, half of the companies at half their price: unrecorded splits en masse.
    tail = {s: c[-5:] / (2 if s in ("C0", "C1", "C2", "C3") else 1) for s, c in history.items()}
    gates.land("prices", "week.csv", prices_csv(tail, DAYS[-5:]))
    scope, out = gates.run(run_id="r2")
    assert scope.mode == "batches"
    assert blocking(out) == {"flagged_share"}
    assert out["flagged_share"].observed == {"flagged": 4, "recent_series": 10, "share": 0.4}
    assert "broken feed" in out["flagged_share"].detail


def test_quarantine_share_judges_the_new_batch_not_the_history(gates):
    history = market()
    gates.land("prices", "history.csv", prices_csv(history, DAYS[:-1]))
    gates.run()
    rows = ["symbol,date,close"] + [
        f"{s},{DAYS[-1]},{'-1' if i < 3 else c[-1]}" for i, (s, c) in enumerate(history.items())
    ]
    gates.land("prices", "day.csv", "\n".join(rows) + "\n")
    _, out = gates.run(run_id="r2")
    share = out["quarantine_share"]
    assert share.blocks and share.observed == {"quarantined": 3, "loaded": 7, "share": 0.3, "no_value": 0}


def test_two_files_that_disagree_on_a_key_block_and_name_both(gates):
    """A re-delivery with the same values is one row; one with another close for a day already
    held is a conflict no rule can settle: the run stops and names the files."""
    history = market()
    gates.land("prices", "history.csv", prices_csv(history))
    gates.run()
    same = f"symbol,date,close\nC1,{DAYS[-1]},{history['C1'][-1]:.6f}\n"
    gates.land("prices", "again.csv", same)
    _, out = gates.run(run_id="r2")
    assert out["key_conflicts"].passed
    other = f"symbol,date,close\nC2,{DAYS[-1]},{history['C2'][-1] * 1.1:.6f}\n"
    gates.land("prices", "vendor_b.csv", other)
    _, out = gates.run(run_id="r3")
    conflicts = out["key_conflicts"]
    assert conflicts.blocks and conflicts.observed == 1
    assert "C2" in conflicts.detail and "history.csv" in conflicts.detail and "vendor_b.csv" in conflicts.detail


def test_estimates_the_publisher_left_blank_are_quarantined_but_not_a_broken_feed(gates):
    # Alpha Vantage's calendar writes a blank or 0 for a quarter without a consensus: a fifth of the rows here.
    rows = ["symbol,name,reportDate,fiscalDateEnding,estimate,currency"]
    rows += [f"C{i},Co {i},2024-04-25,2024-03-31,{'' if i < 2 else ('0' if i < 4 else 1.5)},USD" for i in range(20)]
    gates.land("estimates", "calendar_2024-01-02.csv", "\n".join(rows) + "\n")
    _, out = gates.run("estimates")
    share = out["quarantine_share"]
    assert share.passed and share.observed == {"quarantined": 0, "loaded": 16, "share": 0.0, "no_value": 4}
    assert "4 rows that carry no value" in share.detail


def test_an_absent_role_blocks_naming_the_setting(gates):
    gates.land("prices", "history.csv", prices_csv({s: c for s, c in market().items() if s != "SPY"}))
    _, out = gates.run()
    assert blocking(out) == {"roles_present"}
    assert out["roles_present"].detail.startswith("WAREHOUSE_LARGE_SYMBOL=SPY not found in raw.prices.symbol")
    gates.land("universe", "u.csv", "index_id,symbol,as_of_date\nR2000,C1,2023-01-02\nR1000,C2,2023-01-02\n")
    _, out = gates.run("universe")
    assert out["roles_present"].blocks
    assert (
        "WAREHOUSE_LARGE_INDEX=SP500" in out["roles_present"].detail
        and "R2000" not in out["roles_present"].detail.split(" not")[0]
    )


def test_rate_gaps_block_in_a_recent_role_series_only(gates):
    def rates(gap_series: str, gap_at: dt.date) -> str:
        lines = ["series_id,date,value"]
        for s in ("DGS10", "DGS2", "DFEDTARU"):
            for d in DAYS:
                if s == gap_series and gap_at <= d < gap_at + dt.timedelta(days=T.rate_gap_days + 7):
                    continue
                lines.append(f"{s},{d},4.0")
        return "\n".join(lines) + "\n"

    gates.land("rates", "fred.csv", rates("DGS2", RECENT))
    _, out = gates.run("rates")
    assert blocking(out) == set() and out["rate_gaps"].severity == "warn"
    assert [f[1] for f in gates.flags()] == ["DGS2"]
    gates.land("rates", "fred.csv", rates("DGS10", OLD))
    _, out = gates.run("rates")
    assert blocking(out) == set() and [f[1] for f in gates.flags()] == ["DGS10"]
    gates.land("rates", "fred.csv", rates("DGS10", RECENT))
    _, out = gates.run("rates")
    assert blocking(out) == {"rate_gaps"} and "DGS10" in out["rate_gaps"].detail
