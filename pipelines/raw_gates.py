"""All gates of one raw dataset: its GX suite plus the SQL checks GX does not express well."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from data_quality import gate_scope, policy, series_flags, trading_calendar
from data_quality import market_health as mh
from data_quality.gx_runner import validate_parquet_in_spark, validate_tables
from data_quality.results import ERROR, HISTORY, WARN, CheckOutcome, ensure_history
from data_quality.sql import sql_list, sql_str
from data_quality.suites import raw_suite
from data_quality.thresholds import Thresholds
from pipelines import compat
from pipelines.config import Settings
from pipelines.datasets import DATASETS, LINEAGE_COLUMNS
from pipelines.raw_loader import landing_notes, raw_tables


def check_names(dataset: str) -> list[tuple[str, str]]:
    """The dataset's checks as the policy table lists them, with the severity each may reach."""
    return [(g.check, g.severity) for g in policy.gates_for(dataset)]


def expected_latest_day(settings: Settings, now: dt.datetime | None = None) -> dt.date:
    """The newest NYSE session the source should have delivered by `now` (default: the clock).
    The synthetic market's clock stops at its end date's close."""
    if settings.source == "sample":
        return trading_calendar.session_on_or_before(settings.sample_end)
    return trading_calendar.latest_close_with_data(now or dt.datetime.now(dt.UTC))


def _quarantine_share(con, name: str, t: Thresholds, scope: gate_scope.Scope) -> CheckOutcome:
    """Bad rows of the new batches: a whole table of old history is not judged again, and a batch
    whose every row was quarantined (no raw rows at all) counts too. Rows a publisher sends to say
    it has no value (policy.NO_VALUE_RULES) are quarantined but are not bad rows of a feed."""
    new_rows = f"_batch_id NOT IN ({sql_list(scope.validated)})" if scope.validated else "true"
    no_value = sql_list(policy.NO_VALUE_RULES)
    good, bad, empty = con.execute(
        f"""SELECT (SELECT count(*) FROM raw.{name} WHERE {scope.where()}),
                   (SELECT count(*) FILTER (WHERE _rule NOT IN ({no_value})) FROM quarantine.{name} WHERE {new_rows}),
                   (SELECT count(*) FILTER (WHERE _rule IN ({no_value})) FROM quarantine.{name} WHERE {new_rows})"""
    ).fetchone()
    share = bad / (good + bad) if good + bad else 0.0
    aside = (
        f"; {empty} rows that carry no value ({', '.join(policy.NO_VALUE_RULES)}) quarantined, not counted"
        if empty
        else ""
    )
    return CheckOutcome(
        f"raw.{name}",
        "quarantine_share",
        share <= t.quarantine_max_share,
        ERROR,
        observed={"quarantined": bad, "loaded": good, "share": round(share, 6), "no_value": empty},
        detail=f"{bad} of {good + bad} rows of the new batches quarantined (limit "
        f"{t.quarantine_max_share:.0%}){aside}; see quarantine.{name}",
    )


def _landing_files(con, name: str) -> CheckOutcome:
    """Files of this landing that gave no row or were not read: the run goes on, the user is told."""
    notes = landing_notes(con, name)
    listed = "; ".join(f"{f}: {why}" for f, why in notes[:20]) + (
        f"; and {len(notes) - 20} more" if len(notes) > 20 else ""
    )
    return CheckOutcome(
        f"raw.{name}",
        "landing_files",
        not notes,
        WARN,
        observed={"files": len(notes)},
        detail=f"{len(notes)} files gave no rows or were not read: {listed}" if notes else "every landed file was read",
    )


def _row_count_vs_previous(con, name: str, t: Thresholds) -> CheckOutcome:
    ensure_history(con)
    now = con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0]
    prev = con.execute(
        f"SELECT json_extract(observed, '$.rows')::BIGINT FROM {HISTORY} WHERE dataset = ? AND check_name = "
        "'row_count_vs_previous' AND passed ORDER BY checked_at DESC LIMIT 1",
        [f"raw.{name}"],
    ).fetchone()
    before = prev[0] if prev else None
    ok = before is None or before == 0 or now >= (1 - t.row_count_max_drop) * before
    return CheckOutcome(
        f"raw.{name}",
        "row_count_vs_previous",
        ok,
        ERROR,
        observed={"rows": now, "previous": before},
        detail=f"{now} rows, previous passing run {before} (max drop {t.row_count_max_drop:.0%})",
    )


def _membership(con, name: str, column: str, check: str, severity: str, extra_ok: list[str]) -> CheckOutcome:
    allowed = sql_list(extra_ok)
    return mh.offending_rows(
        con,
        f"raw.{name}",
        check,
        severity,
        f"""
        SELECT DISTINCT upper(trim({column})) FROM raw.{name}
        WHERE upper(trim({column})) NOT IN (SELECT upper(trim(symbol)) FROM raw.universe)
          AND upper(trim({column})) NOT IN ({allowed})""",
        lambda r: str(r[0]),
    )


# Row-level checks: their answer depends only on rows of the dataset (and the fingerprinted
# tables), so rows validated by an earlier passing run need not be read again.
ROW_LEVEL = {
    "contract_suite",
    "key_conflicts",
    "one_day_spike",
    "unit_error_100x",
    "unexplained_jump",
    "large_move",
    "stale_series",
    "ohlc_consistency",
}
SERIES_COLUMNS = {"prices": ("symbol", "close"), "fund_navs": ("fund_id", "adj_nav")}
ROW_FLAGS = ("unit_error_100x", "unexplained_jump", "stale_series")
MEMBERSHIP = {
    "prices": ("symbol", "symbols_in_universe"),
    "earnings": ("symbol", "symbols_in_universe"),
    "estimates": ("symbol", "symbols_in_universe"),
    "mna_events": ("target_symbol", "targets_in_universe"),
}


def plan_scope(con: duckdb.DuckDBPyConnection, name: str, settings: Settings, t: Thresholds) -> gate_scope.Scope:
    roles = [settings.small_symbol, settings.large_symbol]
    return gate_scope.plan(con, name, gate_scope.fingerprint(con, name, t, roles, raw_tables(con)))


def run_raw_gates(
    con: duckdb.DuckDBPyConnection,
    name: str,
    settings: Settings,
    t: Thresholds,
    scope: gate_scope.Scope | None = None,
    run_id: str = "",
) -> list[CheckOutcome]:
    """Every gate of one raw dataset but its GX suite. One-day spikes move to quarantine first
    (the scope's batch counts follow), flawed stretches are written to audit.series_flags."""
    d = DATASETS[name]
    scope = scope or plan_scope(con, name, settings, t)
    value_cols = tuple(c for c in d.column_names if c not in d.key)
    out: list[CheckOutcome] = []
    series_rows = report_from = None
    if name in SERIES_COLUMNS and scope.mode != "unchanged":
        # One ordered pass over the rows in scope (with their context) serves every series check.
        id_col, value_col = SERIES_COLUMNS[name]
        series_rows = f"raw.{name}"
        if scope.mode == "batches":
            series_rows, report_from = mh.scope_series(con, series_rows, id_col, scope.where(), t)
        mh.series_steps(con, series_rows, id_col, value_col, scope.where())
        out.append(
            mh.quarantine_spikes(
                con,
                name,
                id_col,
                value_col,
                t,
                list(d.column_names),
                [c for c, _ in LINEAGE_COLUMNS],
                scope.where(),
                rows=series_rows,
            )
        )
        gate_scope.refresh(con, scope)
    out += [_quarantine_share(con, name, t, scope), _row_count_vs_previous(con, name, t), _landing_files(con, name)]
    if scope.mode != "unchanged":
        out.append(_key_conflicts(con, name, value_cols or d.key, scope))
    if name in ("prices", "universe"):
        out.append(_roles_present(con, name, settings))
    if name in SERIES_COLUMNS:
        out += _series_gates(con, name, settings, t, scope, run_id, report_from)
        con.execute(f"DROP TABLE IF EXISTS {mh.STEPS}")
    if name == "rates":
        out.append(_rate_gates(con, t, run_id))
    if name == "prices":
        if scope.mode != "unchanged":
            out.append(mh.ohlc_consistency(con, "raw.prices", rows=scope.where()))
        out.append(mh.freshness(con, "raw.prices", expected_latest_day(settings), t))
    if name == "fund_navs":
        out.append(
            mh.offending_rows(
                con,
                "raw.fund_navs",
                "funds_known",
                ERROR,
                "SELECT DISTINCT fund_id FROM raw.fund_navs WHERE fund_id NOT IN (SELECT fund_id FROM raw.funds)",
                lambda r: f"NAVs for unknown fund {r[0]}",
            )
        )
    if name in MEMBERSHIP:
        column, check = MEMBERSHIP[name]
        if "universe" in raw_tables(con) and con.execute("SELECT count(*) > 0 FROM raw.universe").fetchone()[0]:
            out.append(_membership(con, name, column, check, WARN, [settings.small_symbol, settings.large_symbol]))
        else:
            out.append(
                CheckOutcome(
                    f"raw.{name}", check, False, WARN, detail="no universe loaded: membership cannot be checked"
                )
            )
    return _scoped(out, name, scope)


def _key_conflicts(con, name: str, value_cols: tuple[str, ...], scope: gate_scope.Scope) -> CheckOutcome:
    """Keys delivered with different values. Rows of one landed file cannot conflict here: the
    loader quarantined a file's own conflicting rows. So a conflict has a row outside the largest
    file, and on a whole-table check only the keys of the other files are examined: a vendor's
    full history of tens of millions of rows is not grouped again for a day's file beside it."""
    files = con.execute(f"SELECT _source_file FROM raw.{name} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2").fetchall()
    if len(files) <= 1:
        return CheckOutcome(
            f"raw.{name}",
            "key_conflicts",
            True,
            ERROR,
            observed=0,
            detail="none: the table holds one landed file, whose repeated keys were checked as it was loaded",
        )
    rows = f"_source_file <> {sql_str(files[0][0])}" if scope.mode == "full" else scope.where()
    return mh.key_conflicts(con, f"raw.{name}", DATASETS[name].key, value_cols, new_rows=rows)


def _roles_present(con, name: str, settings: Settings) -> CheckOutcome:
    """A configured role missing from the data: every claim would read insufficient_data and
    every trigger not_met, and a good serving file would be replaced by that. It blocks (an
    absent universe dataset only warns: the user delivered none)."""
    column, roles = (
        ("symbol", {"WAREHOUSE_SMALL_SYMBOL": settings.small_symbol, "WAREHOUSE_LARGE_SYMBOL": settings.large_symbol})
        if name == "prices"
        else (
            "index_id",
            {"WAREHOUSE_SMALL_INDEX": settings.small_index, "WAREHOUSE_LARGE_INDEX": settings.large_index},
        )
    )
    if name == "universe" and not con.execute("SELECT count(*) FROM raw.universe").fetchone()[0]:
        # No universe delivered at all is a documented choice (the membership marts say
        # insufficient_data); one that stopped arriving is caught by row_count_vs_previous.
        return CheckOutcome(
            "raw.universe",
            "roles_present",
            False,
            WARN,
            observed={"missing": list(roles)},
            detail="no universe delivered: profitability, valuation and EPS growth say insufficient_data",
        )
    present = {
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT upper(trim({column})) FROM raw.{name} "
            f"WHERE upper(trim({column})) IN ({', '.join('?' for _ in roles)})",
            [v.upper() for v in roles.values()],
        ).fetchall()
    }
    missing = [f"{var}={value}" for var, value in roles.items() if value.upper() not in present]
    seen = []
    if missing:
        seen = [
            r[0]
            for r in con.execute(
                f"SELECT {column}, count(*) AS n FROM raw.{name} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 8"
            ).fetchall()
        ]
    return CheckOutcome(
        f"raw.{name}",
        "roles_present",
        not missing,
        ERROR,
        observed={"missing": missing},
        detail=(
            f"{' and '.join(missing)} not found in raw.{name}.{column}"
            + (f" (most frequent: {', '.join(map(str, seen))})" if seen else " (the table is empty)")
            if missing
            else "all roles present"
        ),
    )


def _window_start(con, name: str, t: Thresholds):
    """First day of the recent window: the dataset's newest date minus recent_window_days."""
    return con.execute(f"SELECT max(date) - INTERVAL {t.recent_window_days} DAY FROM raw.{name}").fetchone()[0]


def _series_gates(
    con, name: str, settings: Settings, t: Thresholds, scope: gate_scope.Scope, run_id: str, report_from: str | None
) -> list[CheckOutcome]:
    """Spikes aside, the series checks find flawed stretches; the stretches become flags and the
    outcome blocks only for a role series inside the recent window."""
    id_col, value_col = SERIES_COLUMNS[name]
    table = f"raw.{name}"
    tables = raw_tables(con)
    roles = [settings.small_symbol, settings.large_symbol] if name == "prices" else []
    if scope.mode == "unchanged":
        mh.empty_flaws(con)
        large = CheckOutcome(table, "large_move", True, WARN, observed=0, detail="none")
    else:
        splits = "raw.splits" if name == "prices" and "splits" in tables else None
        large = mh.series_flaws(con, table, t, splits_table=splits, report_from=report_from)
        series_flags.record(con, name, mh.FLAWS, ROW_FLAGS, scope.mode == "full", run_id)
    share_offenders: list[tuple] = []
    if name == "prices":
        # Gaps from the ordered pass of the rows in scope; the shares over each symbol's life
        # read the whole table unless the pass did.
        share_offenders = mh.missing_bar_flaws(
            con,
            table,
            id_col,
            t,
            gaps_from_steps=scope.mode != "unchanged",
            shares_from_steps=scope.mode == "full",
        )
        if scope.mode == "batches":
            mh.keep_reaching_new_rows(con, report_from, "missing_bars")
            series_flags.forget_filled_gaps(con, name, "missing_bars", table, id_col, scope.where())
        series_flags.record(con, name, mh.FLAWS, ("missing_bars",), scope.mode != "batches", run_id)
    start = _window_start(con, name, t)
    out = [_flag_outcome(con, table, rule, roles, start) for rule in ROW_FLAGS]
    if name == "prices":
        out.append(_with_missing_share(_flag_outcome(con, table, "missing_bars", roles, start), share_offenders, t))
    out += [_flagged_share(con, table, id_col, scope, start, t), large, mh.future_dated(con, table, id_col)]
    return out


def _rate_gates(con, t: Thresholds, run_id: str) -> CheckOutcome:
    mh.empty_flaws(con)
    mh.rate_gap_flaws(con, "raw.rates", t)
    series_flags.record(con, "rates", mh.FLAWS, ("rate_gaps",), True, run_id)
    return _flag_outcome(con, "raw.rates", "rate_gaps", list(policy.RATE_ROLES), _window_start(con, "rates", t))


def _flag_outcome(con, table: str, rule: str, roles: list[str], window_start) -> CheckOutcome:
    """This run's findings of one rule: flagged (a warning) unless a role series is hit inside the recent window."""
    role_list = sql_list(r.upper() for r in roles)
    rows = con.execute(
        f"""
        SELECT series, date_from, date_to, detail,
               upper(series) IN ({role_list}) AND date_to >= ?::DATE AS blocks
        FROM {mh.FLAWS} WHERE rule = ? ORDER BY blocks DESC, date_to DESC, series""",
        [window_start, rule],
    ).fetchall()
    blocking = [r for r in rows if r[4]]
    n_series = len({r[0] for r in rows})
    shown = (blocking or rows)[: mh.SAMPLE_LIMIT]
    described = "; ".join(f"{r[0]} {r[1]}..{r[2]}: {r[3]}" for r in shown)
    if blocking:
        detail = (
            f"{len(blocking)} stretch(es) of role series inside the recent window (from {window_start}) block: "
            f"{described}; {len(rows)} flagged in all"
        )
    elif rows:
        detail = (
            f"{len(rows)} stretch(es) in {n_series} series flagged in audit.series_flags (the marts step around "
            f"them; none in a role series' recent window): {described}"
        )
    else:
        detail = "none"
    return CheckOutcome(
        table,
        rule,
        not rows,
        ERROR if blocking else WARN,
        observed={"flagged": len(rows), "series": n_series, "blocking": len(blocking)},
        detail=detail,
        samples=[r[:4] for r in shown],
    )


def _with_missing_share(o: CheckOutcome, offenders: list[tuple], t: Thresholds) -> CheckOutcome:
    if offenders:
        o.passed = False
        o.observed["over_share"] = len(offenders)
        o.detail += (
            f"; {len(offenders)} symbol(s) miss more than {t.max_missing_bar_share:.0%} of their trading days "
            "(a warning): " + "; ".join(f"{s} misses {m} of {w}" for s, m, w in offenders[: mh.SAMPLE_LIMIT])
        )
    return o


def _flagged_share(con, table: str, id_col: str, scope: gate_scope.Scope, window_start, t: Thresholds) -> CheckOutcome:
    recent, flagged = con.execute(
        f"""
        WITH recent AS (SELECT DISTINCT {id_col} AS series FROM {table} WHERE ({scope.where()}) AND date >= ?::DATE),
        flagged AS (SELECT DISTINCT series FROM {mh.FLAWS} WHERE date_to >= ?::DATE)
        SELECT (SELECT count(*) FROM recent), (SELECT count(*) FROM recent SEMI JOIN flagged USING (series))""",
        [window_start, window_start],
    ).fetchone()
    share = flagged / recent if recent else 0.0
    ok = share <= t.max_flagged_series_share
    return CheckOutcome(
        table,
        "flagged_share",
        ok,
        ERROR,
        observed={"flagged": flagged, "recent_series": recent, "share": round(share, 4)},
        detail=f"{flagged} of {recent} series with rows in the new batches since {window_start} newly flagged "
        f"(limit {t.max_flagged_series_share:.0%})" + ("" if ok else ": a broken feed, not a flawed history"),
    )


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


def contract_suite(name: str, t: Thresholds) -> list:
    """The GX suite of a raw table, from its landing contract: columns, required ones, ranges."""
    d = DATASETS[name]
    columns = [*d.column_names, *(c for c, _ in LINEAGE_COLUMNS)]
    return raw_suite(name, columns, [c.name for c in d.columns if c.required and not c.nullable], t)


def run_raw_suite(
    db_path: Path,
    name: str,
    t: Thresholds,
    scope: gate_scope.Scope | None = None,
    duckdb_config: dict[str, str] | None = None,
    spark_dir: Path | None = None,
) -> CheckOutcome:
    """The GX suite on the rows in scope; GX opens the file itself, so call it with no other connection open.

    With `spark_dir` (WAREHOUSE_ENGINE=spark) the suite reads the table's Spark copy instead,
    the Parquet folder dbt's build will read (`export_for_spark` writes it first)."""
    if scope is not None and scope.mode == "unchanged":
        return CheckOutcome(
            f"raw.{name}",
            "contract_suite",
            True,
            ERROR,
            observed={"expectations": 0, "failed": 0},
            detail=f"all expectations met [checked: {scope.describe()}]",
        )
    rows = None if scope is None or scope.mode == "full" else scope.where()
    suite = ("raw", name, "contract_suite", contract_suite(name, t), rows)
    if spark_dir is not None:
        from pipelines import spark_engine, spark_session

        folder = spark_engine.inputs_dir(spark_dir) / "raw" / name
        session = spark_session.open_session(spark_dir, catalog=False)
        outcome = validate_parquet_in_spark(session, {("raw", name): folder}, [suite])[0]
        outcome.detail = f"{outcome.detail} [read through Spark: {folder}]"
    else:
        outcome = validate_tables(db_path, [suite], compat.gx_validates_in_duckdb(), duckdb_config)[0]
    if scope is not None:
        outcome.detail = f"{outcome.detail} [checked: {scope.describe()}]"
    return outcome


def export_for_spark(con: duckdb.DuckDBPyConnection, name: str, spark_dir: Path) -> None:
    """The raw table's Spark copy, written after the gates that move rows (spikes to quarantine)
    and before the suite reads it; unchanged since the last run, it is not written again."""
    from pipelines import spark_engine

    spark_engine.export_inputs(con, spark_dir, [("raw", name)])
