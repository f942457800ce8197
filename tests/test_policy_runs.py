"""The quality policy through whole Dagster runs: blocks leave serving as it was, flags reach the marts.

Gate-level cases are in test_gate_policy.py; here each block mode of the sample (faults.py)
stops a real run with a
message naming its cause and `serving.duckdb` byte for byte unchanged, and a run whose
history carries flawed stretches publishes, with every value across them NULL and its reason.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from pipelines.sources.sample.faults import FAULTS
from pipelines.sources.sample.generator import SampleParams, generate_market
from tests.conftest import copy_warehouse, run_pipeline
from tests.test_publish import SMALL, digest, published_run


def test_each_block_rule_stops_the_run_and_leaves_serving_unchanged(small_warehouse, tmp_path):
    causes = {
        # The small benchmark's rows are gone: the run could not compute what it publishes.
        "role_absent": "raw/prices: roles_present",
        # A third of the companies halve in their last weeks: a broken feed, not a flawed history.
        "broken_feed": "raw/prices: flagged_share",
        # The small benchmark halves in its last 20 days with no split recorded.
        "role_series_broken": "raw/prices: unexplained_jump",
        # Nine tenths of the price rows gone since the last passing run.
        "row_count_collapse": "raw/prices: row_count_vs_previous",
        # Every fifth close negative: quarantined, then too many for a feed.
        "negative_prices": "raw/prices: quarantine_share",
        # NAVs of a fund the fund list does not know.
        "unknown_fund_nav": "raw/fund_navs: funds_known",
        # DGS10 in basis points: out of the contract's range.
        "yield_in_basis_points": "raw/rates: contract_suite",
    }
    assert set(causes) == {m for m, f in FAULTS.items() if f.action == "block"}, "every block mode is run"

    def blocked_run(fault: str):
        # Each mode on its own copy of a published warehouse, two at a time (2 cores).
        wh = copy_warehouse(small_warehouse, tmp_path / fault)
        serving = wh / "serving.duckdb"
        good, run_id = digest(serving), published_run(serving)
        proc = run_pipeline(wh, check=False, WAREHOUSE_SAMPLE_FAULT=fault, **SMALL)
        unchanged = digest(serving) == good and published_run(serving) == run_id
        with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
            details = dict(
                con.execute("""SELECT check_name, detail FROM audit.quality_results
                                          WHERE NOT passed AND severity = 'error'""").fetchall()
            )
        return proc, unchanged, details

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(causes, pool.map(blocked_run, causes), strict=True))
    for fault, cause in causes.items():
        proc, unchanged, _ = runs[fault]
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0 and cause in out, (fault, out[-3000:])
        assert unchanged, f"{fault}: serving.duckdb changed"
    assert runs["role_absent"][2]["roles_present"].startswith(
        "WAREHOUSE_SMALL_SYMBOL=IWM not found in raw.prices.symbol"
    )
    assert "a broken feed" in runs["broken_feed"][2]["flagged_share"]


def _flawed_folder(root: Path) -> dict[str, object]:
    """A contract folder from a small generated market, with four flawed stretches planted:
    an unrecorded split of the small benchmark in a complete year before the recent window, a
    week of missing bars of the large benchmark, a fund whose NAV stands still for three weeks
    in the last quarter, and a fund whose NAVs are in cents from a June on."""
    tables = generate_market(SampleParams(n_small=30, n_large=10, years=2.5, seed=7)).tables
    prices, navs = tables["prices"].copy(), tables["fund_navs"].copy()
    days = sorted(prices.loc[prices["symbol"] == "IWM", "date"])
    jump, gap = days[150], days[120:127]
    cols = ["close", "open", "high", "low", "adj_close"]
    prices.loc[(prices["symbol"] == "IWM") & (prices["date"] >= jump), cols] /= 2
    prices = prices[~((prices["symbol"] == "SPY") & prices["date"].isin(gap))]
    fund = sorted(navs["fund_id"].unique())[0]
    nav_days = sorted(navs.loc[navs["fund_id"] == fund, "date"])
    frozen = nav_days[-40:-25]
    held = navs.loc[(navs["fund_id"] == fund) & (navs["date"] == frozen[0]), ["nav", "adj_nav"]].iloc[0]
    for c in ("nav", "adj_nav"):
        navs.loc[(navs["fund_id"] == fund) & navs["date"].isin(frozen), c] = held[c]
    # Another fund's NAVs in cents from a day of the first complete year on.
    cents_fund = sorted(navs["fund_id"].unique())[1]
    cents_days = sorted(navs.loc[navs["fund_id"] == cents_fund, "date"])
    cents_from = next(d for d in cents_days if d.year == cents_days[0].year + 1 and d.month == 6)
    navs.loc[(navs["fund_id"] == cents_fund) & (navs["date"] >= cents_from), ["nav", "adj_nav"]] *= 100
    tables.update(prices=prices, fund_navs=navs)
    for name, frame in tables.items():
        (root / name).mkdir(parents=True)
        frame.to_csv(root / name / f"{name}.csv", index=False, date_format="%Y-%m-%d")
    return {
        "jump": jump.date(),
        "gap_after": days[127].date(),
        "fund": fund,
        "frozen": (frozen[0].date(), frozen[-1].date()),
        "cents_fund": cents_fund,
        "cents_from": cents_from.date(),
    }


def test_flawed_history_is_flagged_published_and_stepped_around(tmp_path):
    planted = _flawed_folder(tmp_path / "in")
    wh = tmp_path / "wh"
    run_pipeline(wh, WAREHOUSE_SOURCE="files", WAREHOUSE_FILES_DIR=str(tmp_path / "in"))
    with duckdb.connect(str(wh / "serving.duckdb"), read_only=True) as con:
        flags = con.execute(
            "SELECT dataset, series, date_from, date_to, rule FROM marts.series_flags ORDER BY rule"
        ).fetchall()
        assert [(f[0], f[1], f[4]) for f in flags] == [
            ("prices", "SPY", "missing_bars"),
            ("fund_navs", planted["fund"], "stale_series"),
            ("prices", "IWM", "unexplained_jump"),
            ("fund_navs", planted["cents_fund"], "unit_error_100x"),
        ]
        assert (
            flags[2][3] == planted["jump"]
            and flags[0][3] == planted["gap_after"]
            and flags[3][3] == planted["cents_from"]
        )

        # The small benchmark's return on the day of the unrecorded split is not -50%: it is set aside.
        r = con.execute(
            "SELECT return_1d, flag_reason FROM marts.benchmark_daily WHERE symbol = 'IWM' AND date = ?",
            [planted["jump"]],
        ).fetchone()
        assert r[0] is None and "unexplained_jump" in r[1]
        year = con.execute(
            "SELECT small_return, flag_reason FROM marts.calendar_year_returns WHERE year = ?", [planted["jump"].year]
        ).fetchone()
        assert year[0] is None and "unexplained_jump" in year[1]
        # The day after the week without SPY bars: no daily return across the gap.
        r = con.execute(
            "SELECT return_1d, flag_reason FROM marts.benchmark_daily WHERE symbol = 'SPY' AND date = ?",
            [planted["gap_after"]],
        ).fetchone()
        assert r[0] is None and "missing_bars" in r[1]
        # The next day's daily return is real again; its 5-day and YTD returns still reach across the gap.
        r = con.execute(
            """SELECT return_1d, return_5d, ytd_return, flag_reason FROM marts.benchmark_daily
                           WHERE symbol = 'SPY' AND date > ? ORDER BY date LIMIT 1""",
            [planted["gap_after"]],
        ).fetchone()
        assert r[0] is not None and r[1] is None and "return_1d" not in r[3] and "return_5d: missing_bars SPY" in r[3]
        # The fund whose NAV stood still: its 3-month return reaches across the stretch.
        latest = con.execute("SELECT max(end_date) FROM marts.fund_returns").fetchone()[0]
        fr = con.execute(
            """SELECT total_return, is_loss, flag_reason FROM marts.fund_returns
                            WHERE fund_id = ? AND period = '3m' AND end_date = ?""",
            [planted["fund"], latest],
        ).fetchone()
        assert fr[0] is None and fr[1] is None and "stale_series" in fr[2]
        others = con.execute(
            """SELECT count(*), count(total_return) FROM marts.fund_returns
                                WHERE fund_id <> ? AND period = '3m' AND end_date = ?""",
            [planted["fund"], latest],
        ).fetchone()
        assert others[0] == others[1] > 0
        # The fund whose NAVs turned to cents: no +9,900% year, and the next year (all in cents) is real.
        year = planted["cents_from"].year
        cy = dict(
            (p, (r, why))
            for p, r, why in con.execute(
                "SELECT period, total_return, flag_reason FROM marts.fund_returns "
                "WHERE fund_id = ? AND period LIKE 'CY%'",
                [planted["cents_fund"]],
            ).fetchall()
        )
        assert cy[f"CY{year}"][0] is None and "unit_error_100x" in cy[f"CY{year}"][1]
        assert -0.5 < cy[f"CY{year + 1}"][0] < 0.5 and cy[f"CY{year + 1}"][1] is None
        # The relative-strength chain steps over the unrecorded split: on its day the ratio moves
        # only by the large benchmark's return, not by the -50% artefact.
        days = con.execute(
            """SELECT r.ratio, b.return_1d FROM marts.relative_strength r
                              JOIN marts.benchmark_daily b ON b.date = r.date AND b.symbol = 'SPY'
                              WHERE r.date <= ? ORDER BY r.date DESC LIMIT 2""",
            [planted["jump"]],
        ).fetchall()
        (on_jump, spy_return), (before, _) = days
        assert abs(on_jump / before - 1 / (1 + spy_return)) < 1e-9
        reasons = con.execute("""SELECT check_name, severity FROM marts.quality_results
            WHERE check_name IN ('unexplained_jump', 'missing_bars', 'stale_series', 'unit_error_100x')
              AND NOT passed""").fetchall()
    assert set(reasons) == {
        ("unexplained_jump", "warn"),
        ("missing_bars", "warn"),
        ("stale_series", "warn"),
        ("unit_error_100x", "warn"),
    }
    # The yield regression uses no daily observation across the jump or the gap.
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        used = {r[0] for r in con.execute("SELECT date FROM intermediate.int_yield_changes_aligned").fetchall()}
    assert planted["jump"] not in used and planted["gap_after"] not in used and len(used) > 300
    # The dashboard lists every flagged stretch with its reason.
    page = (wh / "dashboard" / "index.html").read_text()
    section = page[page.index('id="flagged-history"') :]
    section = section[: section.index("</section>")]
    for dataset, series, date_from, _date_to, rule in flags:
        assert f"<td>{series}</td><td>{dataset}</td><td>{rule}</td><td>{date_from}</td>" in section, (series, rule)
