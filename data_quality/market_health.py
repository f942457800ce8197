"""Market-data health for every symbol, in DuckDB: the qlib-style checks, but each one gates.

Checked on raw prices (and fund NAVs): duplicate keys with conflicting values, missing bars
against the NYSE calendar (trading_calendar.py), OHLC consistency, day-over-day jumps not
explained by a recorded split, 100x unit errors, stale (unchanged) series and future-dated rows.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from data_quality import trading_calendar
from data_quality.results import ERROR, WARN, CheckOutcome
from data_quality.thresholds import Thresholds

SAMPLE_LIMIT = 5


def offending_rows(con, dataset, name, severity, sql, describe, params=None) -> CheckOutcome:
    """A check that passes when `sql` returns no row; the first offenders (sorted) are named."""
    # Sorted, so the offenders named in a detail are the same on every run of the same input.
    rows = con.execute(
        f"SELECT count(*) OVER () AS n, * FROM ({sql}) ORDER BY ALL LIMIT {SAMPLE_LIMIT}", params or []
    ).fetchall()
    n = rows[0][0] if rows else 0
    samples = [r[1:] for r in rows]
    return CheckOutcome(
        dataset,
        name,
        passed=n == 0,
        severity=severity,
        observed=n,
        detail=(f"{n} offending: " + "; ".join(describe(s) for s in samples)) if n else "none",
        samples=samples,
    )


# Price ratios a split produces on its ex-date: forward splits (2-for-1 -> 0.5, 3-for-2 -> 2/3)
# and reverse splits (1-for-2 -> 2, ...). A reverse 2-for-3 (1.5) is too rare to list.
SPLIT_RATIOS = (1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 10, 2 / 3, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0)


def _split_like(ratio_sql: str, t: Thresholds) -> str:
    return " OR ".join(f"abs({ratio_sql} / {r!r} - 1) <= {t.split_ratio_tolerance}" for r in SPLIT_RATIOS)


STEPS = "_series_steps"  # temp table: one ordered pass over the series (series_steps)


def series_steps(
    con: duckdb.DuckDBPyConnection,
    table: str,
    id_col: str,
    value_col: str,
    new_rows: str = "true",
    only_series: str | None = None,
) -> str:
    """The one ordered pass every series check reads: each value with the previous and next one,
    the previous date, its position in the series, its NYSE session number (NULL off the
    calendar) and the previous bar's, and whether it is among `new_rows` (the rows to report on;
    earlier ones are context). With `only_series` (a SQL relation of series), the pass is redone
    for those series only (after a spike left them)."""
    cal = trading_calendar.register_sessions(con)
    where = f"s.{value_col} IS NOT NULL" + (f" AND s.{id_col} IN (SELECT * FROM {only_series})" if only_series else "")
    select = f"""
        SELECT s.{id_col} AS series, s.date, s.{value_col} AS value, ({new_rows}) AS is_new,
               s._source_line,
               lag(s.{value_col}) OVER w AS prev_value, lag(s.date) OVER w AS prev_date,
               lead(s.{value_col}) OVER w AS next_value, row_number() OVER w AS rn,
               c.i, lag(c.i) OVER w AS prev_i
        FROM (SELECT * FROM {table} s WHERE {where}) s LEFT JOIN {cal} c USING (date)
        WINDOW w AS (PARTITION BY s.{id_col} ORDER BY s.date)"""
    if only_series is None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {STEPS} AS {select}")
    else:
        con.execute(f"DELETE FROM {STEPS} WHERE series IN (SELECT * FROM {only_series})")
        con.execute(f"INSERT INTO {STEPS} {select}")
    return STEPS


def quarantine_spikes(
    con: duckdb.DuckDBPyConnection,
    dataset: str,
    id_col: str,
    value_col: str,
    t: Thresholds,
    received: list[str],
    lineage: list[str],
    new_rows: str = "true",
    rows: str | None = None,
) -> CheckOutcome:
    """Moves one-day spikes among the new rows of the series steps (series_steps) from
    raw.<dataset> to quarantine.<dataset>: a close beyond the daily limit that is back near the
    previous close the next day (a bad print, not a move). Neighbours come from the pass's
    context rows, so a new row is judged by its context. `received` and `lineage` are the
    contract's columns, as the quarantine table lays them out; `new_rows` the steps' condition;
    `rows` is the table the steps were
    computed on when it is not raw.<dataset> (a scope's copy): spikes leave it too. The steps of
    the series that lost a spike are computed again."""

    raw, quarantine = f"raw.{dataset}", f"quarantine.{dataset}"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _spikes AS
        SELECT series, date, value, _source_line,
               format('{{}} on {{}} after {{}}, back to {{}} the next day',
                      value, date, prev_value, next_value) AS detail
        FROM {STEPS}
        WHERE is_new AND prev_value > 0 AND next_value > 0
          AND abs(value / prev_value - 1) > {t.max_daily_move}
          AND abs(next_value / prev_value - 1) <= {t.spike_revert_tolerance}""")
    n = con.execute("SELECT count(*) FROM _spikes").fetchone()[0]
    samples = con.execute(
        f"SELECT series, date, detail FROM _spikes ORDER BY series, date LIMIT {SAMPLE_LIMIT}"
    ).fetchall()
    if n:
        as_received = ", ".join(f"CAST(r.{c} AS VARCHAR)" for c in received)
        lineage_values = ", ".join(f"r.{c}" for c in lineage)
        # The steps keep no file name (a wide column through a sort of every row): a row is its
        # series, date, line and value; an identical repeat of a spike elsewhere is a spike too.
        match = (
            f"r.{id_col} = s.series AND r.date = s.date AND r._source_line = s._source_line AND r.{value_col} = s.value"
        )
        con.execute(f"""INSERT INTO {quarantine} SELECT {as_received}, 'one_day_spike', '{value_col}',
                        s.detail, {lineage_values} FROM {raw} r JOIN _spikes s ON {match}""")
        for table in dict.fromkeys((raw, rows or raw)):
            con.execute(f"DELETE FROM {table} r WHERE EXISTS (SELECT 1 FROM _spikes s WHERE {match})")
        con.execute("CREATE OR REPLACE TEMP TABLE _spiked AS SELECT DISTINCT series FROM _spikes")
        series_steps(con, rows or raw, id_col, value_col, new_rows, "_spiked")
        con.execute("DROP TABLE _spiked")
    con.execute("DROP TABLE _spikes")
    return CheckOutcome(
        raw,
        "one_day_spike",
        n == 0,
        WARN,
        observed=n,
        detail=(
            f"{n} row(s) moved to {quarantine} (rule one_day_spike): " + "; ".join(f"{r[0]} {r[2]}" for r in samples)
        )
        if n
        else "none",
        samples=samples,
    )


FLAWS = "_flaws"  # temp table: series, date_from, date_to, rule, detail


def scope_series(
    con: duckdb.DuckDBPyConnection, table: str, id_col: str, new_rows: str, t: Thresholds
) -> tuple[str, str]:
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


def series_flaws(
    con: duckdb.DuckDBPyConnection,
    table: str,
    t: Thresholds,
    splits_table: str | None = None,
    report_from: str | None = None,
) -> CheckOutcome:
    """Finds the flawed stretches of each series of the steps (series_steps, computed on `table`)
    into the temp table _flaws (unit errors and split-sized jumps as (previous date, date), stale
    runs as (first, last day)); returns the large-move warning. With `report_from` (series,
    first_new) only findings reaching each series' first new date are kept (earlier rows are
    context, validated before)."""
    f = t.unit_error_factor
    big = f"abs(ratio - 1) > {t.max_daily_move} AND ratio < {f} AND ratio > {1 / f}"
    # A recorded split explains a move on its day; looked up for the few large moves only.
    split_day = (
        f"EXISTS (SELECT 1 FROM {splits_table} sp WHERE sp.symbol = m.series AND sp.date = m.date)"
        if splits_table
        else "false"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _moves AS
        SELECT * FROM (
            SELECT series, prev_date, date, prev_value, value, value / prev_value AS ratio
            FROM {STEPS} WHERE prev_value > 0 AND (value / prev_value > 1 + {t.max_daily_move}
                                                    OR value / prev_value < 1 - {t.max_daily_move})
        ) m WHERE NOT {split_day}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {FLAWS} AS
        WITH unit_errors AS (
            SELECT series, prev_date AS date_from, date AS date_to, 'unit_error_100x' AS rule,
                   format('{{}} -> {{}} on {{}}: {{}}x, a unit slip',
                          prev_value, value, date, round(ratio, 2)) AS detail
            FROM _moves WHERE ratio >= {f} OR ratio <= {1 / f}
        ),
        -- A move the size of a split ratio with no split recorded: a missing corporate action,
        -- or a vendor that adjusted the split on the wrong day. Every return through it is wrong.
        jumps AS (
            SELECT series, prev_date, date, 'unexplained_jump',
                   format('{{}} -> {{}} on {{}} looks like a split (x{{}}), none recorded',
                          prev_value, value, date, round(ratio, 3))
            FROM _moves WHERE {big} AND ({_split_like("ratio", t)})
        ),
        -- A run of n equal values is n - 1 unchanged steps in a row: islands of consecutive
        -- positions among the unchanged steps (few), from the value before the first of them.
        unchanged AS (
            SELECT series, prev_date, date, value,
                   rn - row_number() OVER (PARTITION BY series ORDER BY rn) AS island
            FROM {STEPS} WHERE value = prev_value
        ),
        stale_runs AS (
            SELECT series, min(prev_date), max(date), 'stale_series',
                   format('{{}} unchanged on {{}} days in a row', any_value(value), count(*) + 1)
            FROM unchanged GROUP BY series, island HAVING count(*) + 1 >= {t.stale_run_days}
        )
        SELECT * FROM unit_errors UNION ALL SELECT * FROM jumps UNION ALL SELECT * FROM stale_runs
    """)
    if report_from:
        keep_reaching_new_rows(con, report_from)
    reportable = (
        f"EXISTS (SELECT 1 FROM {report_from} r WHERE r.series = m.series AND m.date >= r.first_new)"
        if report_from
        else "true"
    )
    # Other large moves happen (a biotech's trial result, a spin-off): a person should look.
    large = offending_rows(
        con,
        table,
        "large_move",
        WARN,
        f"""
        SELECT series, date, prev_value, value FROM _moves m
        WHERE {reportable} AND {big} AND NOT ({_split_like("ratio", t)})""",
        lambda r: f"{r[0]} {r[1]}: {r[2]} -> {r[3]}",
    )
    con.execute("DROP TABLE _moves")
    return large


def keep_reaching_new_rows(con: duckdb.DuckDBPyConnection, report_from: str, rule: str | None = None) -> None:
    """Drops the findings (of `rule`, or all) that end before their series' first new row: found in
    the context rows, they were judged when those rows were new."""
    of_rule = f"rule = '{rule}' AND " if rule else ""
    con.execute(f"""DELETE FROM {FLAWS} WHERE {of_rule}NOT EXISTS (SELECT 1 FROM {report_from} r
                    WHERE r.series = {FLAWS}.series AND {FLAWS}.date_to >= r.first_new)""")


def future_dated(con: duckdb.DuckDBPyConnection, table: str, id_col: str) -> CheckOutcome:
    return offending_rows(
        con,
        table,
        "future_dated",
        ERROR,
        f"SELECT {id_col}, date FROM {table} WHERE date > current_date + 1",
        lambda r: f"{r[0]} {r[1]}",
    )


def missing_bar_flaws(
    con: duckdb.DuckDBPyConnection,
    table: str,
    id_col: str,
    t: Thresholds,
    gaps_from_steps: bool = False,
    shares_from_steps: bool = False,
) -> list[tuple]:
    """Adds each run of missing_bar_gap_days or more missing NYSE sessions to _flaws, as the
    (last bar before, first bar after) interval; returns the symbols whose share of missing
    sessions over their life passes the limit (a warning: thin small caps skip days). Every
    series of `table` trades on NYSE days (US stocks, ETFs and fund NAVs alike); bars on other
    days and before the calendar's first session are not judged.

    `gaps_from_steps`: the gaps are read from the series steps (series_steps: the whole table, or
    the new rows with their context) instead of ordering the table again; the few series with a
    bar off the calendar (whose previous bar is not the previous session's) are placed anew.
    `shares_from_steps`: the steps cover the whole table, so the shares are read from them too."""
    cal = trading_calendar.register_sessions(con)
    placed = f"SELECT DISTINCT b.{id_col} AS series, b.date, c.i FROM {table} b JOIN {cal} c USING (date)"
    gaps = """SELECT series, lag(date) OVER w AS prev_date, date, i - lag(i) OVER w - 1 AS missing
               FROM placed WINDOW w AS (PARTITION BY series ORDER BY date)"""
    if gaps_from_steps:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _off_calendar AS SELECT DISTINCT series FROM {STEPS} WHERE i IS NULL"
        )
        placed += f" WHERE b.{id_col} IN (SELECT series FROM _off_calendar)"
        gaps += f""" UNION ALL SELECT series, prev_date, date, i - prev_i - 1 FROM {STEPS}
                     WHERE series NOT IN (SELECT series FROM _off_calendar)"""
    con.execute(f"""
        INSERT INTO {FLAWS}
        WITH placed AS ({placed}), gaps AS ({gaps})
        SELECT series, prev_date, date, 'missing_bars',
               format('no bar on {{}} trading days between {{}} and {{}}', missing, prev_date, date)
        FROM gaps WHERE missing >= {t.missing_bar_gap_days}""")
    spans = (
        f"""SELECT series, min(i) AS first_i, max(i) AS last_i,
                   count(*) FILTER (WHERE i IS NOT NULL AND date IS DISTINCT FROM prev_date) AS have
            FROM {STEPS} GROUP BY 1"""
        if shares_from_steps
        else f"""SELECT b.{id_col} AS series, min(c.i) AS first_i, max(c.i) AS last_i, count(DISTINCT c.i) AS have
                 FROM {table} b JOIN {cal} c USING (date) GROUP BY 1"""
    )
    if gaps_from_steps:
        con.execute("DROP TABLE _off_calendar")
    return con.execute(f"""
            WITH spans AS ({spans}),
            expected AS (SELECT series, have, last_i - first_i + 1 AS want FROM spans WHERE first_i IS NOT NULL)
            SELECT series, want - have AS missing, want FROM expected
            WHERE want > have AND (want - have) > {t.max_missing_bar_share} * want
            ORDER BY (want - have) / want DESC, series""").fetchall()


def rate_gap_flaws(con: duckdb.DuckDBPyConnection, table: str, t: Thresholds) -> None:
    """Adds each gap of rate_gap_days or more between two observations of a rate series to _flaws."""
    con.execute(f"""
        INSERT INTO {FLAWS}
        WITH obs AS (SELECT series_id AS series, date,
                            lag(date) OVER (PARTITION BY series_id ORDER BY date) AS prev_date
                     FROM (SELECT DISTINCT series_id, date FROM {table} WHERE value IS NOT NULL))
        SELECT series, prev_date, date, 'rate_gaps',
               format('no observation for {{}} days between {{}} and {{}}',
                      date_diff('day', prev_date, date) - 1, prev_date, date)
        FROM obs WHERE date_diff('day', prev_date, date) >= {t.rate_gap_days}""")


def empty_flaws(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {FLAWS} "
        "(series VARCHAR, date_from DATE, date_to DATE, rule VARCHAR, detail VARCHAR)"
    )


def ohlc_consistency(con: duckdb.DuckDBPyConnection, table: str, rows: str = "true") -> CheckOutcome:
    return offending_rows(
        con,
        table,
        "ohlc_consistency",
        ERROR,
        f"""
        SELECT symbol, date, open, high, low, close FROM {table}
        WHERE ({rows}) AND (high < low OR greatest(open, close) > high OR least(open, close) < low)""",
        lambda r: f"{r[0]} {r[1]}: o={r[2]} h={r[3]} l={r[4]} c={r[5]}",
    )


def key_conflicts(
    con: duckdb.DuckDBPyConnection,
    table: str,
    key: tuple[str, ...],
    value_columns: tuple[str, ...],
    new_rows: str = "true",
) -> CheckOutcome:
    """The same key delivered with different values (identical repeats are one row, per the contract).
    With `new_rows`, only keys that occur among those rows are examined (against the whole table)."""
    k = ", ".join(key)
    v = ", ".join(value_columns)
    candidates = (
        table
        if new_rows == "true"
        else f"{table} SEMI JOIN (SELECT DISTINCT {k} FROM {table} WHERE {new_rows}) USING ({k})"
    )
    # Repeated keys are rare: find them with a cheap count first, compare values only there.
    return offending_rows(
        con,
        table,
        "key_conflicts",
        ERROR,
        f"""
        WITH repeated AS (SELECT {k} FROM {candidates} GROUP BY {k} HAVING count(*) > 1)
        SELECT {k}, count(DISTINCT ({v})) AS versions, string_agg(DISTINCT _source_file, ', ') AS files
        FROM {table} SEMI JOIN repeated USING ({k}) GROUP BY {k} HAVING count(DISTINCT ({v})) > 1""",
        lambda r: f"{r[: len(key)]} has {r[len(key)]} versions in {r[-1]}",
    )


def freshness(con: duckdb.DuckDBPyConnection, table: str, expected_latest: dt.date, t: Thresholds) -> CheckOutcome:
    """NYSE sessions between the newest row and the day the source should have reached (a warning)."""
    latest = con.execute(f"SELECT max(date) FROM {table}").fetchone()[0]
    lag = None if latest is None else trading_calendar.sessions_behind(latest, expected_latest)
    ok = lag is not None and lag <= t.freshness_max_lag_days
    return CheckOutcome(
        table,
        "freshness",
        ok,
        WARN,
        observed={"latest": str(latest), "expected": str(expected_latest), "sessions_behind": lag},
        detail=f"latest {latest}, expected {expected_latest}" + (f" ({lag} NYSE sessions behind)" if lag else ""),
    )
