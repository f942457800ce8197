"""Flagged stretches of a series: history the health checks found flawed, set aside rather than blocking.

A flag says that values of one series between `date_from` and `date_to` cannot be compared
as if they were real: an unexplained jump (a split the vendor adjusted on the wrong day), a
stale stretch (the same close day after day), a stretch of missing bars. The gates write the
flags; the marts step around them; the serving file carries them (`marts.series_flags`).

How a mart reads a flag: a value computed from the series' observation at d0 and one at d1
(d0 < d1: a return, a streak step, a window aggregate) is not real when the flag overlaps
(d0, d1], that is when `d0 < date_to AND d1 > date_from`. A jump from P to J is flagged as
(P, J): the return P -> J is set aside, J -> J+1 is not. A stale stretch S..E is flagged as
(S, E): the zero returns inside it are set aside, the moves into and out of it are kept.
"""

from __future__ import annotations

import duckdb

from data_quality.sql import sql_list

TABLE = "audit.series_flags"
# dataset: the raw dataset (prices, fund_navs, rates); series: its symbol, fund_id or series_id.
COLUMNS = (
    ("dataset", "VARCHAR"),
    ("series", "VARCHAR"),
    ("date_from", "DATE"),
    ("date_to", "DATE"),
    ("rule", "VARCHAR"),
    ("detail", "VARCHAR"),
    ("run_id", "VARCHAR"),
    ("flagged_at", "TIMESTAMP"),
)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} ({', '.join(f'{n} {t}' for n, t in COLUMNS)})")


def record(
    con: duckdb.DuckDBPyConnection, dataset: str, flaws: str, rules: tuple[str, ...], replace_all: bool, run_id: str
) -> None:
    """Keeps the findings in `flaws` (series, date_from, date_to, rule, detail) of `rules` as flags.

    `replace_all`: the findings cover the whole table, so they replace every earlier flag of these
    rules. Otherwise they cover new rows only: a finding replaces the flag of the same series,
    rule and start (a stale run that went on into the new rows), and other flags stay."""
    ensure(con)
    wanted = sql_list(rules)
    if replace_all:
        con.execute(f"DELETE FROM {TABLE} WHERE dataset = ? AND rule IN ({wanted})", [dataset])
    else:
        con.execute(
            f"""DELETE FROM {TABLE} t WHERE dataset = ? AND EXISTS (SELECT 1 FROM {flaws} f
                        WHERE f.series = t.series AND f.rule = t.rule AND f.date_from = t.date_from)""",
            [dataset],
        )
    con.execute(
        f"""INSERT INTO {TABLE} SELECT DISTINCT ?, series, date_from, date_to, rule, detail, ?, now()::TIMESTAMP
                    FROM {flaws} WHERE rule IN ({wanted})""",
        [dataset, run_id],
    )


def forget_filled_gaps(
    con: duckdb.DuckDBPyConnection, dataset: str, rule: str, table: str, id_col: str, new_rows: str
) -> None:
    """A gap flag (last bar before, first bar after) that a newly delivered bar falls inside no
    longer holds as flagged: the new rows' findings (recorded next) say what gap is left."""
    ensure(con)
    con.execute(
        f"""DELETE FROM {TABLE} f WHERE dataset = ? AND rule = ? AND EXISTS (
                SELECT 1 FROM {table} r WHERE ({new_rows}) AND r.{id_col} = f.series
                  AND r.date > f.date_from AND r.date < f.date_to)""",
        [dataset, rule],
    )


def forget(con: duckdb.DuckDBPyConnection, dataset: str) -> None:
    """A dataset whose table is checked whole again starts from no flags."""
    ensure(con)
    con.execute(f"DELETE FROM {TABLE} WHERE dataset = ?", [dataset])
