"""All gates of one raw dataset: its GX suite plus the SQL checks GX does not express well."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from data_quality import gate_scope
from data_quality import market_health as mh
from data_quality.gx_runner import validate_table
from data_quality.results import ERROR, HISTORY, WARN, CheckOutcome, ensure_history
from data_quality.suites import raw_suite
from data_quality.thresholds import Thresholds
from pipelines.config import Settings
from pipelines.datasets import DATASETS
from pipelines.raw_loader import raw_tables

# Which checks each dataset gets beyond its suite (the Dagster check specs are built from this).
CHECKS: dict[str, tuple[tuple[str, str], ...]] = {
    "prices": (("unit_error_100x", ERROR), ("unexplained_jump", ERROR), ("large_move", WARN), ("stale_series", ERROR),
               ("future_dated", ERROR), ("missing_bars", ERROR), ("ohlc_consistency", ERROR),
               ("symbols_in_universe", WARN), ("freshness", WARN)),
    "fund_navs": (("unit_error_100x", ERROR), ("unexplained_jump", ERROR), ("large_move", WARN), ("stale_series", ERROR),
                  ("future_dated", ERROR), ("funds_known", ERROR)),
    "earnings": (("symbols_in_universe", WARN),),
    "estimates": (("symbols_in_universe", WARN),),
    "mna_events": (("targets_in_universe", WARN),),
}
COMMON = (("contract_suite", ERROR), ("key_conflicts", ERROR), ("quarantine_share", ERROR), ("row_count_vs_previous", ERROR))


def check_names(dataset: str) -> list[tuple[str, str]]:
    return [*COMMON, *CHECKS.get(dataset, ())]


def expected_latest_day(settings: Settings) -> str:
    """The newest trading day the source should have delivered."""
    if settings.source == "sample":
        return settings.sample_end
    today = dt.date.today()
    # Before the US close's data is out (about 22:00 UTC) today's bar cannot be expected.
    last = today - dt.timedelta(days=1)
    while last.isoweekday() > 5:
        last -= dt.timedelta(days=1)
    return last.isoformat()


def _quarantine_share(con, name: str, t: Thresholds) -> CheckOutcome:
    good, bad = con.execute(
        f"SELECT (SELECT count(*) FROM raw.{name}), (SELECT count(*) FROM quarantine.{name})"
    ).fetchone()
    share = bad / (good + bad) if good + bad else 0.0
    return CheckOutcome(f"raw.{name}", "quarantine_share", share <= t.quarantine_max_share, ERROR,
                        observed={"quarantined": bad, "loaded": good, "share": round(share, 6)},
                        detail=f"{bad} of {good + bad} rows quarantined (limit {t.quarantine_max_share:.0%}); see quarantine.{name}")


def _row_count_vs_previous(con, name: str, t: Thresholds) -> CheckOutcome:
    ensure_history(con)
    now = con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
    prev = con.execute(
        f"SELECT json_extract(observed, '$.rows')::BIGINT FROM {HISTORY} WHERE dataset = ? AND check_name = "
        "'row_count_vs_previous' AND passed ORDER BY checked_at DESC LIMIT 1", [f"raw.{name}"]
    ).fetchone()
    before = prev[0] if prev else None
    ok = before is None or before == 0 or now >= (1 - t.row_count_max_drop) * before
    return CheckOutcome(f"raw.{name}", "row_count_vs_previous", ok, ERROR, observed={"rows": now, "previous": before},
                        detail=f"{now} rows, previous passing run {before} (max drop {t.row_count_max_drop:.0%})")


def _membership(con, name: str, column: str, check: str, severity: str, extra_ok: list[str]) -> CheckOutcome:
    allowed = ", ".join("'" + s.replace("'", "''") + "'" for s in extra_ok) or "NULL"
    return mh._outcome(con, f"raw.{name}", check, severity, f"""
        SELECT DISTINCT upper(trim({column})) FROM raw.{name}
        WHERE upper(trim({column})) NOT IN (SELECT upper(trim(symbol)) FROM raw.universe)
          AND upper(trim({column})) NOT IN ({allowed})""",
        lambda r: str(r[0]))


# Row-level checks: their answer depends only on rows of the dataset (and the fingerprinted
# tables), so rows validated by an earlier passing run need not be read again.
ROW_LEVEL = {"contract_suite", "key_conflicts", "unit_error_100x", "unexplained_jump", "large_move",
             "stale_series", "ohlc_consistency"}


def plan_scope(con: duckdb.DuckDBPyConnection, name: str, settings: Settings, t: Thresholds) -> gate_scope.Scope:
    roles = [settings.small_symbol, settings.large_symbol]
    return gate_scope.plan(con, name, gate_scope.fingerprint(con, name, t, roles, raw_tables(con)))


def run_raw_gates(con: duckdb.DuckDBPyConnection, name: str, settings: Settings, t: Thresholds,
                  scope: gate_scope.Scope | None = None) -> list[CheckOutcome]:
    d = DATASETS[name]
    scope = scope or plan_scope(con, name, settings, t)
    value_cols = tuple(c for c in d.column_names if c not in d.key)
    out = [
        _quarantine_share(con, name, t),
        _row_count_vs_previous(con, name, t),
    ]
    if scope.mode != "unchanged":
        out.append(mh.key_conflicts(con, f"raw.{name}", d.key, value_cols or d.key, new_rows=scope.where()))
    roles = [settings.small_symbol, settings.large_symbol]
    tables = raw_tables(con)
    universe_known = con.execute("SELECT count(*) > 0 FROM raw.universe").fetchone()[0] if "universe" in tables else False
    if name in ("prices", "fund_navs"):
        id_col, value_col = ("symbol", "close") if name == "prices" else ("fund_id", "adj_nav")
        splits = "raw.splits" if name == "prices" and "splits" in tables else None
        calendar = mh.trading_calendar_sql(roles) if name == "prices" else None
        rows, report_from = f"raw.{name}", None
        if scope.mode == "batches":
            rows, report_from = mh.scope_series(con, f"raw.{name}", id_col, scope.where(), t)
        out += mh.series_health(con, rows, id_col, value_col, t, splits_table=splits, calendar_sql=calendar,
                                history_table=f"raw.{name}", report_from=report_from, row_checks=scope.mode != "unchanged")
    if name == "prices":
        if scope.mode != "unchanged":
            out.append(mh.ohlc_consistency(con, "raw.prices", rows=scope.where()))
        out.append(mh.freshness(con, "raw.prices", expected_latest_day(settings), t))
    if name == "fund_navs":
        out.append(mh._outcome(con, "raw.fund_navs", "funds_known", ERROR,
                               "SELECT DISTINCT fund_id FROM raw.fund_navs WHERE fund_id NOT IN (SELECT fund_id FROM raw.funds)",
                               lambda r: f"NAVs for unknown fund {r[0]}"))
    membership = {"prices": ("symbol", "symbols_in_universe"), "earnings": ("symbol", "symbols_in_universe"),
                  "estimates": ("symbol", "symbols_in_universe"), "mna_events": ("target_symbol", "targets_in_universe")}
    if name in membership:
        column, check = membership[name]
        if universe_known:
            out.append(_membership(con, name, column, check, WARN, roles))
        else:
            out.append(CheckOutcome(f"raw.{name}", check, False, WARN, detail="no universe loaded: membership cannot be checked"))
    return _scoped(out, name, scope)


def _scoped(out: list[CheckOutcome], name: str, scope: gate_scope.Scope) -> list[CheckOutcome]:
    """Says on every row-level outcome which rows it read; fills in the ones an unchanged table skips."""
    done = {o.check_name for o in out}
    for check, severity in check_names(name):
        if check in ROW_LEVEL and check not in done and check != "contract_suite":
            out.append(CheckOutcome(f"raw.{name}", check, True, severity, observed=0, detail="none"))
    for o in out:
        if o.check_name in ROW_LEVEL:
            o.detail = f"{o.detail} [checked: {scope.describe()}]"
    return out


def run_raw_suite(db_path: Path, name: str, t: Thresholds, scope: gate_scope.Scope | None = None) -> CheckOutcome:
    """The GX suite on the rows in scope; GX opens the file itself, so call it with no other connection open."""
    if scope is not None and scope.mode == "unchanged":
        return CheckOutcome(f"raw.{name}", "contract_suite", True, ERROR, observed={"expectations": 0, "failed": 0},
                            detail=f"all expectations met [checked: {scope.describe()}]")
    rows = None if scope is None or scope.mode == "full" else scope.where()
    outcome = validate_table(db_path, "raw", name, "contract_suite", raw_suite(name, t), rows=rows)
    if scope is not None:
        outcome.detail = f"{outcome.detail} [checked: {scope.describe()}]"
    return outcome

