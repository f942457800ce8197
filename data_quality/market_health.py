"""Market-data health for every symbol, in DuckDB: the qlib-style checks, but each one gates.

Checked on raw prices (and fund NAVs): duplicate keys with conflicting values, missing bars
against the trading calendar, OHLC consistency, day-over-day jumps not explained by a
recorded split, 100x unit errors, stale (unchanged) series and future-dated rows.
"""

from __future__ import annotations

import duckdb

from data_quality.results import ERROR, WARN, CheckOutcome
from data_quality.thresholds import Thresholds

SAMPLE_LIMIT = 5


def _outcome(con, dataset, name, severity, sql, describe, params=None) -> CheckOutcome:
    rows = con.execute(f"SELECT count(*) OVER () AS n, * FROM ({sql}) LIMIT {SAMPLE_LIMIT}", params or []).fetchall()
    n = rows[0][0] if rows else 0
    samples = [r[1:] for r in rows]
    return CheckOutcome(
        dataset, name, passed=n == 0, severity=severity, observed=n,
        detail=(f"{n} offending: " + "; ".join(describe(s) for s in samples)) if n else "none", samples=samples,
    )


# Price ratios a split produces on its ex-date: forward splits (2-for-1 -> 0.5, 3-for-2 -> 2/3)
# and reverse splits (1-for-2 -> 2, ...). A reverse 2-for-3 (1.5) is too rare to list.
SPLIT_RATIOS = (1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 10, 2 / 3, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0)


def _split_like(ratio_sql: str, t: Thresholds) -> str:
    return " OR ".join(f"abs({ratio_sql} / {r!r} - 1) <= {t.split_ratio_tolerance}" for r in SPLIT_RATIOS)


def _materialize_steps(con, table: str, id_col: str, value_col: str, t: Thresholds, splits_table: str | None) -> str:
    """One pass over the series: each value with the previous one, whether a split was recorded
    that day, and the range of the last `stale_run_days` values (min = max means unchanged)."""
    n = t.stale_run_days
    split_day = (
        f"EXISTS (SELECT 1 FROM {splits_table} sp WHERE sp.symbol = s.{id_col} AND sp.date = s.date)"
        if splits_table else "false"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _series_steps AS
        SELECT {id_col} AS series, date, {value_col} AS value,
               lag({value_col}) OVER w AS prev_value,
               {split_day} AS split_day,
               min({value_col}) OVER run AS run_min, max({value_col}) OVER run AS run_max,
               count(*) OVER run AS run_len
        FROM {table} s
        WHERE {value_col} IS NOT NULL
        WINDOW w AS (PARTITION BY {id_col} ORDER BY date),
               run AS (PARTITION BY {id_col} ORDER BY date ROWS BETWEEN {n - 1} PRECEDING AND CURRENT ROW)
    """)
    return "_series_steps"


def scope_series(con: duckdb.DuckDBPyConnection, table: str, id_col: str, new_rows: str, t: Thresholds) -> tuple[str, str]:
    """The rows the series checks need when only `new_rows` are unvalidated: each touched series
    from its first new date, with enough earlier rows for the previous value and a full stale
    window. Returns (rows table, table of each series' first new date)."""
    lookback_days = 2 * t.stale_run_days + 10
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _scope_series AS
        SELECT {id_col} AS series, min(date) AS first_new FROM {table} WHERE {new_rows} GROUP BY 1""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _scope_rows AS
        SELECT t.* FROM {table} t JOIN _scope_series s ON t.{id_col} = s.series
        WHERE t.date >= s.first_new - INTERVAL {lookback_days} DAY
          AND t.date >= (SELECT min(first_new) FROM _scope_series) - INTERVAL {lookback_days} DAY""")
    # A series with a long gap before its new rows: take its whole history rather than guess.
    con.execute(f"""INSERT INTO _scope_rows
        SELECT t.* FROM {table} t JOIN _scope_series s ON t.{id_col} = s.series
        WHERE t.date < s.first_new - INTERVAL {lookback_days} DAY
          AND s.series IN (SELECT s2.series FROM _scope_series s2 LEFT JOIN _scope_rows r
                             ON r.{id_col} = s2.series AND r.date < s2.first_new
                           GROUP BY s2.series HAVING count(r.date) < {t.stale_run_days})""")
    return "_scope_rows", "_scope_series"


def series_health(
    con: duckdb.DuckDBPyConnection, table: str, id_col: str, value_col: str, t: Thresholds,
    splits_table: str | None = None, calendar_sql: str | None = None,
    history_table: str | None = None, report_from: str | None = None, row_checks: bool = True,
) -> list[CheckOutcome]:
    """`table` holds the rows to check; with `report_from` (series, first_new) only findings
    on or after each series' first new date are reported (earlier rows are context, validated
    before). Missing bars always read `history_table` (a symbol's whole life). Without
    `row_checks` only the whole-life checks run."""
    ds = history_table or table
    out = _row_checks(con, ds, table, id_col, value_col, t, splits_table, report_from) if row_checks else []
    out.append(_outcome(con, ds, "future_dated", ERROR,
                        f"SELECT {id_col}, date FROM {ds} WHERE date > current_date + 1",
                        lambda r: f"{r[0]} {r[1]}"))
    if calendar_sql:
        out.append(_missing_bars(con, ds, id_col, calendar_sql, t))
    return out


def _row_checks(con, ds: str, table: str, id_col: str, value_col: str, t: Thresholds, splits_table: str | None,
                report_from: str | None) -> list[CheckOutcome]:
    steps = _materialize_steps(con, table, id_col, value_col, t, splits_table)
    if report_from:
        con.execute(f"""DELETE FROM {steps} WHERE NOT EXISTS (SELECT 1 FROM {report_from} r
                        WHERE r.series = {steps}.series AND {steps}.date >= r.first_new)""")
    moves = f"""SELECT series, date, prev_value, value, value / prev_value AS ratio
                FROM {steps} WHERE prev_value > 0 AND NOT split_day"""
    f = t.unit_error_factor
    big = f"abs(ratio - 1) > {t.max_daily_move} AND ratio < {f} AND ratio > {1 / f}"
    out = [
        _outcome(con, ds, "unit_error_100x", ERROR,
                 f"SELECT series, date, prev_value, value FROM ({moves}) WHERE ratio >= {f} OR ratio <= {1 / f}",
                 lambda r: f"{r[0]} {r[1]}: {r[2]} -> {r[3]}"),
        # A move the size of a split ratio with no split recorded is a missing corporate action:
        # every return through it would be wrong, so it blocks.
        _outcome(con, ds, "unexplained_jump", ERROR,
                 f"SELECT series, date, prev_value, value FROM ({moves}) WHERE {big} AND ({_split_like('ratio', t)})",
                 lambda r: f"{r[0]} {r[1]}: {r[2]} -> {r[3]} looks like a split, none recorded"),
        # Other large moves happen (a biotech's trial result): a person should look, publishing goes on.
        _outcome(con, ds, "large_move", WARN,
                 f"SELECT series, date, prev_value, value FROM ({moves}) WHERE {big} AND NOT ({_split_like('ratio', t)})",
                 lambda r: f"{r[0]} {r[1]}: {r[2]} -> {r[3]}"),
        _outcome(con, ds, "stale_series", ERROR,
                 f"""SELECT series, min(date) AS last_day_of_run, count(*) AS windows FROM {steps}
                     WHERE run_len = {t.stale_run_days} AND run_min = run_max GROUP BY series""",
                 lambda r: f"{r[0]} unchanged for {t.stale_run_days}+ days (first full run ends {r[1]})"),
    ]
    con.execute(f"DROP TABLE {steps}")
    return out


def _missing_bars(con, table: str, id_col: str, calendar_sql: str, t: Thresholds) -> CheckOutcome:
    return _outcome(con, table, "missing_bars", ERROR, f"""
            WITH cal AS ({calendar_sql}),
            spans AS (SELECT {id_col} AS series, min(date) AS first_day, max(date) AS last_day, count(DISTINCT date) AS have
                      FROM {table} GROUP BY 1),
            expected AS (SELECT s.series, s.have, count(*) AS want
                         FROM spans s JOIN cal c ON c.date BETWEEN s.first_day AND s.last_day GROUP BY 1, 2)
            SELECT series, want - have AS missing, want FROM expected
            WHERE want > have AND (want - have) > {t.max_missing_bar_share} * want""",
            lambda r: f"{r[0]} misses {r[1]} of {r[2]} trading days")


def ohlc_consistency(con: duckdb.DuckDBPyConnection, table: str, rows: str = "true") -> CheckOutcome:
    return _outcome(con, table, "ohlc_consistency", ERROR, f"""
        SELECT symbol, date, open, high, low, close FROM {table}
        WHERE ({rows}) AND (high < low OR greatest(open, close) > high OR least(open, close) < low)""",
        lambda r: f"{r[0]} {r[1]}: o={r[2]} h={r[3]} l={r[4]} c={r[5]}")


def key_conflicts(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], value_columns: tuple[str, ...],
                  new_rows: str = "true") -> CheckOutcome:
    """The same key delivered with different values (identical repeats are one row, per the contract).
    With `new_rows`, only keys that occur among those rows are examined (against the whole table)."""
    k = ", ".join(key)
    v = ", ".join(value_columns)
    candidates = table if new_rows == "true" else f"{table} SEMI JOIN (SELECT DISTINCT {k} FROM {table} WHERE {new_rows}) USING ({k})"
    # Repeated keys are rare: find them with a cheap count first, compare values only there.
    return _outcome(con, table, "key_conflicts", ERROR, f"""
        WITH repeated AS (SELECT {k} FROM {candidates} GROUP BY {k} HAVING count(*) > 1)
        SELECT {k}, count(DISTINCT ({v})) AS versions, string_agg(DISTINCT _source_file, ', ') AS files
        FROM {table} SEMI JOIN repeated USING ({k}) GROUP BY {k} HAVING count(DISTINCT ({v})) > 1""",
        lambda r: f"{r[:len(key)]} has {r[len(key)]} versions in {r[-1]}")


def trading_calendar_sql(symbols: list[str], table: str = "raw.prices") -> str:
    """Trading days: the days the benchmark symbols traded (the market was open)."""
    quoted = ", ".join("'" + s.replace("'", "''") + "'" for s in symbols)
    return f"SELECT DISTINCT date FROM {table} WHERE symbol IN ({quoted})"


def freshness(con: duckdb.DuckDBPyConnection, table: str, expected_latest: str, t: Thresholds) -> CheckOutcome:
    """Weekdays between the newest row and the day the source should have reached (a warning)."""
    latest = con.execute(f"SELECT max(date) FROM {table}").fetchone()[0]
    lag = None
    if latest is not None:
        lag = con.execute(
            "SELECT count(*) FROM range(?::DATE + 1, ?::DATE + 1, INTERVAL 1 DAY) r(d) WHERE isodow(d) <= 5",
            [latest, expected_latest],
        ).fetchone()[0]
    ok = lag is not None and lag <= t.freshness_max_lag_days
    return CheckOutcome(table, "freshness", ok, WARN, observed={"latest": str(latest), "expected": expected_latest, "weekdays_behind": lag},
                        detail=f"latest {latest}, expected {expected_latest}" + (f" ({lag} weekdays behind)" if lag else ""))
