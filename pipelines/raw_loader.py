"""Load landed files into `raw.<dataset>`, checking them against the contract.

All reading, casting and rule checking happens inside DuckDB, so memory stays bounded
whatever the file size. Three outcomes for what is wrong with a file:

* the file as a whole breaks the contract (unreadable, not UTF-8, a missing required
  column, a ragged row, over the size limit): `ContractError` naming file, line, column;
  nothing of the dataset is written;
* a row breaks a cell type or a row rule: the row goes to `quarantine.<dataset>` with the
  rule, the column, the file and the line; the rest proceeds;
* everything else lands in `raw.<dataset>` with its file and line.

Loading is per file and idempotent: a file already loaded with the same content is
skipped, a changed or new file replaces that file's rows, and rows of files the source no
longer delivers are removed, so `raw` always mirrors the source's current files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.datasets import DATASETS, LINEAGE_COLUMNS, Dataset

LOAD_LOG = "raw._loaded_files"


class ContractError(ValueError):
    """A landed file breaks the contract as a whole; names the file, line and column."""

    def __init__(self, file: Path | str, message: str, line: int | None = None, column: str | None = None):
        self.file, self.line, self.column = str(file), line, column
        where = f"{self.file}" + (f", line {line}" if line is not None else "") + (f", column '{column}'" if column else "")
        super().__init__(f"{where}: {message}")


@dataclass
class LoadReport:
    dataset: str
    batch_id: str
    files_loaded: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    rows_quarantined: int = 0
    total_rows: int = 0
    quarantine_samples: list[dict] = field(default_factory=list)


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_tables(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute("CREATE SCHEMA IF NOT EXISTS quarantine")
    typed = [f"{quote_ident(c.name)} {c.sql_type}" for c in dataset.columns]
    lineage = [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    con.execute(f"CREATE TABLE IF NOT EXISTS raw.{dataset.name} ({', '.join(typed + lineage)})")
    as_received = [f"{quote_ident(c.name)} VARCHAR" for c in dataset.columns]
    con.execute(
        f"CREATE TABLE IF NOT EXISTS quarantine.{dataset.name} ("
        f"{', '.join(as_received)}, _rule VARCHAR, _column VARCHAR, _detail VARCHAR, "
        f"{', '.join(lineage)})"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LOAD_LOG} (dataset VARCHAR, source_file VARCHAR, sha1 VARCHAR, "
        "rows_loaded BIGINT, rows_quarantined BIGINT, batch_id VARCHAR, loaded_at TIMESTAMP)"
    )


def raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables in the raw schema (a dataset never landed has none)."""
    return {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}


def file_digest(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as f:
        first = f.readline()
    if not first.strip():
        raise ContractError(path, "the file is empty: expected a header line", line=1)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContractError(path, "the file is not UTF-8 encoded", line=1) from None
    return next(csv.reader(io.StringIO(text)))


def _source_relation(path: Path, con: duckdb.DuckDBPyConnection) -> tuple[str, dict[str, str], int]:
    """SQL relation over the file with a `_line` column, its columns (lower name -> actual) and line offset."""
    p = _sql_str(str(path))
    if path.suffix.lower() == ".parquet":
        try:
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall()]
        except duckdb.Error as e:
            raise ContractError(path, f"unreadable Parquet file: {e}") from None
        # Parquet has no header line: row 1 is line 1.
        # The reader's own row number: numbering with a window would serialise the scan.
        return (f"(SELECT file_row_number + 1 AS _line, * EXCLUDE (file_row_number) FROM read_parquet({p}, file_row_number=true))",
                _by_lower(path, names), 0)
    header = _csv_header(path)
    names = [h.strip() for h in header]
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0][1:]
    columns = "{" + ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    rel = (
        f"(SELECT row_number() OVER () + 1 AS _line, * FROM read_csv({p}, columns={columns}, header=false, skip=1,"
        " delim=',', quote='\"', escape='\"', strict_mode=true, auto_detect=false, null_padding=false))"
    )
    return rel, _by_lower(path, names), 1


def _by_lower(path: Path, names: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for n in names:
        low = n.lower()
        if low in seen:
            raise ContractError(path, f"column '{n}' appears twice (names are case-insensitive)", line=1, column=n)
        seen[low] = n
    return seen


def _typed_expr(col_sql: str, sql_type: str, source_type: str) -> str:
    """Cast one source column to its contract type; NULL when blank or not castable."""
    if source_type == "VARCHAR":
        text = f"NULLIF(trim({col_sql}), '')"
        if sql_type == "DATE":
            # ISO dates only: a day-first or US-style date must not be read as another day.
            return f"CAST(try_strptime({text}, '%Y-%m-%d') AS DATE)"
        if sql_type == "DOUBLE":
            # NaN and infinity strings are not numbers in this contract.
            return f"CASE WHEN isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS DOUBLE) END"
        return f"TRY_CAST({text} AS {sql_type})"
    if sql_type == "DOUBLE":
        return f"CASE WHEN isfinite(TRY_CAST({col_sql} AS DOUBLE)) THEN TRY_CAST({col_sql} AS DOUBLE) END"
    return f"TRY_CAST({col_sql} AS {sql_type})"


def _present_expr(col_sql: str, source_type: str) -> str:
    if source_type == "VARCHAR":
        return f"NULLIF(trim({col_sql}), '') IS NOT NULL"
    return f"{col_sql} IS NOT NULL"


def _load_file(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, path: Path, rel_name: str, batch_id: str, max_file_bytes: int
) -> tuple[int, int]:
    size = path.stat().st_size
    if size > max_file_bytes:
        raise ContractError(path, f"file is {size:,} bytes, over the limit of {max_file_bytes:,} (WAREHOUSE_MAX_FILE_MB)")
    if size == 0:
        raise ContractError(path, "the file is empty: expected a header line", line=1)
    relation, by_lower, _ = _source_relation(path, con)
    missing = [c for c in dataset.required if c not in by_lower]
    if missing:
        raise ContractError(
            path, f"required column '{missing[0]}' is missing (found: {', '.join(by_lower.values()) or 'none'})",
            line=1, column=missing[0],
        )
    try:
        src_types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {relation})").fetchall())
    except duckdb.Error as e:
        raise _as_contract_error(path, e) from None

    typed_cols, violations = [], []
    for c in dataset.columns:
        if c.name not in by_lower:
            typed_cols.append(f"CAST(NULL AS {c.sql_type}) AS {quote_ident(c.name)}")
            continue
        src = quote_ident(by_lower[c.name])
        st = src_types[by_lower[c.name]]
        expr = _typed_expr(f"s.{src}", c.sql_type, st)
        typed_cols.append(f"{expr} AS {quote_ident(c.name)}")
        present = _present_expr(f"s.{src}", st)
        # A value that is there but does not cast is wrong whatever the column.
        violations.append((f"bad_{c.sql_type.lower()}", c.name, f"{present} AND {expr} IS NULL",
                           f"'value ' || coalesce(CAST(s.{src} AS VARCHAR), '') || ' is not a valid {c.sql_type}'"))
        if c.required and not c.nullable:
            violations.append(("required_missing", c.name, f"NOT ({present})", "'required value is blank'"))
    extras = [n for low, n in by_lower.items() if low not in dataset.column_names]
    extra_json = (
        "to_json(struct_pack(" + ", ".join(f"{quote_ident(n)} := s.{quote_ident(n)}" for n in extras) + "))"
        if extras else "CAST(NULL AS JSON)"
    )
    as_received = ", ".join(
        f"CAST(s.{quote_ident(by_lower[c.name])} AS VARCHAR) AS {quote_ident(c.name)}" if c.name in by_lower
        else f"CAST(NULL AS VARCHAR) AS {quote_ident(c.name)}"
        for c in dataset.columns
    )
    # The first broken cell names the row's fault; typed rules are checked on the typed row.
    cell_case = " ".join(f"WHEN {cond} THEN {_sql_str(rule)}" for rule, _, cond, _ in violations)
    col_case = " ".join(f"WHEN {cond} THEN {_sql_str(col)}" for _, col, cond, _ in violations)
    detail_case = " ".join(f"WHEN {cond} THEN {det}" for _, _, cond, det in violations)
    typed_rule_case = " ".join(
        f"WHEN NOT coalesce(({pred}), true) THEN {_sql_str(rule)}" for rule, pred in dataset.row_rules
    )
    typed_rule_detail = " ".join(
        f"WHEN NOT coalesce(({pred}), true) THEN {_sql_str('expected ' + pred)}" for _, pred in dataset.row_rules
    )
    lineage = f"{_sql_str(rel_name)} AS _source_file, s._line AS _source_line, {_sql_str(batch_id)} AS _batch_id, now()::TIMESTAMP AS _loaded_at"
    # Values as received (text) are kept for quarantined rows only, fetched again from the
    # file by line: casting every value of a clean file to text cost a quarter of the load.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _staged AS
        WITH checked AS (
            SELECT {', '.join(typed_cols)},
                   CASE {cell_case or 'WHEN false THEN NULL'} END AS _cell_rule,
                   CASE {col_case or 'WHEN false THEN NULL'} END AS _cell_column,
                   CASE {detail_case or 'WHEN false THEN NULL'} END AS _cell_detail,
                   {extra_json} AS _extra, {lineage}
            FROM {relation} s
        )
        SELECT *, coalesce(_cell_rule, CASE {typed_rule_case or 'WHEN false THEN NULL'} END) AS _rule,
               CASE {typed_rule_detail or 'WHEN false THEN NULL'} END AS _rule_detail
        FROM checked"""
    )
    contract = ", ".join(quote_ident(c.name) for c in dataset.columns)
    tail = ", ".join(name for name, _ in LINEAGE_COLUMNS)
    con.execute(f"INSERT INTO raw.{dataset.name} SELECT {contract}, {tail} FROM _staged WHERE _rule IS NULL")
    loaded, quarantined = con.execute(
        "SELECT count(*) FILTER (WHERE _rule IS NULL), count(*) FILTER (WHERE _rule IS NOT NULL) FROM _staged"
    ).fetchone()
    if quarantined:
        q_tail = ", ".join(f"q.{name}" for name, _ in LINEAGE_COLUMNS)
        con.execute(
            f"INSERT INTO quarantine.{dataset.name} SELECT {as_received}, q._rule, "
            "coalesce(q._cell_column, 'row'), coalesce(q._cell_detail, q._rule_detail), "
            f"{q_tail} FROM (SELECT * FROM _staged WHERE _rule IS NOT NULL) q "
            f"JOIN {relation} s ON s._line = q._source_line ORDER BY q._source_line"
        )
    con.execute("DROP TABLE _staged")
    return loaded, quarantined


_LINE_RE = re.compile(r"Line:\s*(\d+)")


def _as_contract_error(path: Path, err: duckdb.Error) -> ContractError:
    text = str(err)
    m = _LINE_RE.search(text)
    first = text.split("\n")
    reason = next((ln for ln in first if "Expected Number of Columns" in ln or "unicode" in ln.lower()), first[0])
    return ContractError(path, f"unreadable CSV: {reason.strip()}", line=int(m.group(1)) if m else None)


def load_dataset(
    con: duckdb.DuckDBPyConnection,
    dataset_name: str,
    files: list[Path],
    landing_root: Path,
    max_file_mb: float = 2048.0,
) -> LoadReport:
    """Bring raw.<dataset> in line with `files` (all the dataset's current landed files)."""
    dataset = DATASETS[dataset_name]
    ensure_tables(con, dataset)
    batch_id = uuid.uuid4().hex[:12]
    report = LoadReport(dataset_name, batch_id)
    landed = {_relative(p, landing_root): p for p in files}
    known = dict(
        con.execute(f"SELECT source_file, sha1 FROM {LOAD_LOG} WHERE dataset = ?", [dataset_name]).fetchall()
    )
    max_bytes = int(max_file_mb * 1024 * 1024)
    con.execute("BEGIN TRANSACTION")
    try:
        for rel_name in sorted(set(known) - set(landed)):
            _forget_file(con, dataset_name, rel_name)
            report.files_removed.append(rel_name)
        for rel_name, path in sorted(landed.items()):
            digest = file_digest(path)
            if known.get(rel_name) == digest:
                report.files_unchanged.append(rel_name)
                continue
            _forget_file(con, dataset_name, rel_name)
            try:
                loaded, quarantined = _load_file(con, dataset, path, rel_name, batch_id, max_bytes)
            except duckdb.Error as e:
                raise _as_contract_error(path, e) from None
            con.execute(
                f"INSERT INTO {LOAD_LOG} VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                [dataset_name, rel_name, digest, loaded, quarantined, batch_id],
            )
            report.files_loaded.append(rel_name)
            report.rows_loaded += loaded
            report.rows_quarantined += quarantined
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.total_rows = con.execute(f"SELECT count(*) FROM raw.{dataset_name}").fetchone()[0]
    report.quarantine_samples = [
        dict(zip(("file", "line", "column", "rule", "detail"), r))
        for r in con.execute(
            f"SELECT _source_file, _source_line, _column, _rule, _detail FROM quarantine.{dataset_name} "
            "WHERE _batch_id = ? ORDER BY _source_file, _source_line LIMIT 20",
            [batch_id],
        ).fetchall()
    ]
    return report


def _forget_file(con: duckdb.DuckDBPyConnection, dataset_name: str, rel_name: str) -> None:
    for table in (f"raw.{dataset_name}", f"quarantine.{dataset_name}"):
        con.execute(f"DELETE FROM {table} WHERE _source_file = ?", [rel_name])
    con.execute(f"DELETE FROM {LOAD_LOG} WHERE dataset = ? AND source_file = ?", [dataset_name, rel_name])


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path.resolve())
