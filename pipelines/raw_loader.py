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

import gzip
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from data_quality.sql import sql_str
from pipelines.datasets import DATASETS, LINEAGE_COLUMNS, Dataset
from pipelines.sources.formats import registry
from pipelines.sources.formats.base import FormatError, Shape, csv_relation, head_lines, norm, parse_header

LOAD_LOG = "raw._loaded_files"
# Files the source did not land (not a recognized format, hidden): replaced at every load.
SKIPPED_LOG = "raw._skipped_files"


class ContractError(ValueError):
    """A landed file breaks the contract as a whole; names the file, line and column."""

    def __init__(self, file: Path | str, message: str, line: int | None = None, column: str | None = None):
        self.file, self.line, self.column = str(file), line, column
        where = (
            f"{self.file}" + (f", line {line}" if line is not None else "") + (f", column '{column}'" if column else "")
        )
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
    notes: list[tuple[str, str]] = field(default_factory=list)  # landing_notes after the load


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
    _add_new_contract_columns(con, dataset)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LOAD_LOG} (dataset VARCHAR, source_file VARCHAR, sha1 VARCHAR, "
        "rows_loaded BIGINT, rows_quarantined BIGINT, batch_id VARCHAR, loaded_at TIMESTAMP)"
    )
    # Why a landed file gave no row (empty, header only, an IFRS filer's companyfacts).
    con.execute(f"ALTER TABLE {LOAD_LOG} ADD COLUMN IF NOT EXISTS note VARCHAR")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {SKIPPED_LOG} (dataset VARCHAR, source_file VARCHAR, reason VARCHAR, "
        "noted_at TIMESTAMP)"
    )


def _add_new_contract_columns(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> None:
    """A warehouse made before an optional column joined the contract gets it (rows are
    inserted by name). Values older loads kept in `_extra` under that name move into it, so
    a file loaded once carries the same facts as when it is loaded today."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ?",
            [dataset.name],
        ).fetchall()
    }
    for c in dataset.columns:
        if c.name in have:
            continue
        col = quote_ident(c.name)
        con.execute(f"ALTER TABLE raw.{dataset.name} ADD COLUMN {col} {c.sql_type}")
        con.execute(f"ALTER TABLE quarantine.{dataset.name} ADD COLUMN IF NOT EXISTS {col} VARCHAR")
        con.execute(
            f"UPDATE raw.{dataset.name} SET {col} = TRY_CAST(json_extract_string(_extra, "
            f"{sql_str('$.' + c.name)}) AS {c.sql_type}) WHERE _extra IS NOT NULL"
        )


def raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables in the raw schema (a dataset never landed has none)."""
    return {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()
    }


def file_digest(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _generic_columns(
    path: Path, names: list[str], dataset: Dataset
) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Names to read the file with, contract column -> SQL, extra column -> SQL, for a file in the contract's shape.

    An unnamed column (pandas writes its index as `,symbol,...`) is an extra column named
    by its position (`column_1`); a name seen twice is refused when it is a contract column
    and renamed by position (`note_4`) when it is an extra one.
    """
    read_as: list[str] = []
    for i, n in enumerate(names, start=1):
        read_as.append(n if n else f"column_{i}")
    lower = [n.lower() for n in read_as]
    alias = registry.symbol_alias(dataset.column_names, [norm(n) for n in read_as])
    alias_target = "symbol"
    if alias is None:
        alias = registry.fund_id_alias(dataset.name, [norm(n) for n in read_as])
        alias_target = "fund_id"
    columns: dict[str, str] = {}
    extras: dict[str, str] = {}
    seen: dict[str, int] = {}
    for i, (n, low) in enumerate(zip(read_as, lower, strict=True), start=1):
        target = low if low in dataset.column_names else (alias_target if alias and norm(n) == alias else None)
        if low in seen or (target and target in columns):
            if target:
                raise ContractError(
                    path,
                    f"column '{n}' appears twice (names are case-insensitive): which one holds '{target}' is ambiguous",
                    line=1,
                    column=n,
                )
            n = f"{n}_{i}"
            while n.lower() in seen or n.lower() in lower:
                n = f"{n}_"
            read_as[i - 1] = n
        seen[n.lower()] = i
        if target:
            columns[target] = f"s.{quote_ident(n)}"
        else:
            extras[n] = f"s.{quote_ident(n)}"
    return read_as, columns, extras


def _shape(con: duckdb.DuckDBPyConnection, dataset: Dataset, path: Path, siblings: list[Path]) -> Shape | None:
    """How to read the landed file; None for a file with nothing in it (no header either)."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        p = sql_str(str(path))
        try:
            names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({p})").fetchall()]
        except duckdb.Error as e:
            raise ContractError(path, f"unreadable Parquet file: {e}") from None
        _, columns, extras = _generic_columns(path, names, dataset)
        # Parquet has no header line: row 1 is line 1. The reader's own row number: numbering
        # with a window would serialise the scan.
        rel = (
            f"(SELECT file_row_number + 1 AS _line, * EXCLUDE (file_row_number) "
            f"FROM read_parquet({p}, file_row_number=true))"
        )
        return Shape("contract Parquet", rel, columns, extras=extras)
    if name.endswith(".json"):
        return registry.json_shape(con, dataset.name, path, siblings)
    head = head_lines(path)
    if not any(line.strip() for line in head):
        return None
    header = parse_header(head[0])
    shape = registry.csv_shape(con, dataset.name, dataset.column_names, path, header, head)
    if shape is not None:
        return shape
    read_as, columns, extras = _generic_columns(path, header, dataset)
    return Shape("contract CSV", csv_relation(path, read_as), columns, extras=extras)


def _blank(text_sql: str) -> str:
    """SQL: the trimmed text, NULL when blank or the string `null` (Yahoo's empty value), any case."""
    return f"CASE WHEN trim({text_sql}) = '' OR trim({text_sql}) ILIKE 'null' THEN NULL ELSE trim({text_sql}) END"


# A calendar date as written, with an optional time and zone after it (ISO datetimes,
# yfinance's 2022-01-03 00:00:00-05:00): the date written, never converted to UTC.
_DATETIME_RE = r"^(\d{4}-\d{2}-\d{2})[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$"


def _typed_expr(col_sql: str, sql_type: str, source_type: str) -> str:
    """Cast one source column to its contract type; NULL when blank or not castable."""
    if source_type == "VARCHAR":
        text = _blank(col_sql)
        if sql_type == "DATE":
            # ISO dates only: a day-first or US-style date must not be read as another day.
            return (
                f"CAST(CASE WHEN length({text}) = 10 THEN try_strptime({text}, '%Y-%m-%d') "
                f"ELSE try_strptime(regexp_extract({text}, '{_DATETIME_RE}', 1), '%Y-%m-%d') END AS DATE)"
            )
        if sql_type == "DOUBLE":
            # NaN and infinity strings are not numbers in this contract.
            return f"CASE WHEN isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS DOUBLE) END"
        return f"TRY_CAST({text} AS {sql_type})"
    if sql_type == "DOUBLE":
        return f"CASE WHEN isfinite(TRY_CAST({col_sql} AS DOUBLE)) THEN TRY_CAST({col_sql} AS DOUBLE) END"
    return f"TRY_CAST({col_sql} AS {sql_type})"


def _present_expr(col_sql: str, source_type: str) -> str:
    if source_type == "VARCHAR":
        return f"{_blank(col_sql)} IS NOT NULL"
    return f"{col_sql} IS NOT NULL"


def _is_empty(path: Path) -> bool:
    if path.stat().st_size == 0:
        return True
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as f:
            return not f.read(1 << 16).strip()
    return False


def _load_file(
    con: duckdb.DuckDBPyConnection,
    dataset: Dataset,
    path: Path,
    rel_name: str,
    batch_id: str,
    max_file_bytes: int,
    siblings: list[Path] | None = None,
) -> tuple[int, int, str | None]:
    """Load one landed file; returns rows loaded, rows quarantined and a note when it held no row."""
    size = path.stat().st_size
    if size > max_file_bytes:
        raise ContractError(
            path, f"file is {size:,} bytes, over the limit of {max_file_bytes:,} (WAREHOUSE_MAX_FILE_MB)"
        )
    if _is_empty(path):
        return 0, 0, "empty file (0 bytes): no rows"
    try:
        shape = _shape(con, dataset, path, siblings or [])
    except FormatError as e:
        raise ContractError(path, str(e), line=e.line, column=e.column) from None
    if shape is None:
        return 0, 0, "empty file (blank lines only): no rows"
    try:
        if not shape.rows_expected:
            return 0, 0, None
        loaded, quarantined = _load_shape(con, dataset, path, shape, rel_name, batch_id)
    finally:
        for t in shape.temp_tables:
            con.execute(f"DROP TABLE IF EXISTS {t}")
    note = None
    if loaded + quarantined == 0:
        note = shape.note or f"{shape.format} with a header and no rows"
    return loaded, quarantined, note


def _load_shape(
    con: duckdb.DuckDBPyConnection, dataset: Dataset, path: Path, shape: Shape, rel_name: str, batch_id: str
) -> tuple[int, int]:
    relation = shape.relation
    missing = [c for c in dataset.required if c not in shape.columns]
    if missing:
        found = ", ".join(n for n in shape.extras if n != "_extra") or "none"
        raise ContractError(
            path, f"required column '{missing[0]}' is missing (found: {found})", line=1, column=missing[0]
        )
    mapped = [c for c in dataset.columns if c.name in shape.columns]
    value_of = {c.name: shape.values.get(c.name, shape.columns[c.name]) for c in mapped}
    try:
        # Positional aliases: DuckDB keeps a source column's spelling when an alias differs only in case.
        probe = ", ".join(f"{value_of[c.name]} AS _p{i}" for i, c in enumerate(mapped))
        described = con.execute(f"SELECT column_type FROM (DESCRIBE SELECT {probe} FROM {relation} s)").fetchall()
        src_types = {c.name: t for c, (t,) in zip(mapped, described, strict=True)}
    except duckdb.Error as e:
        raise _as_contract_error(path, e) from None

    typed_cols, violations = [], []
    for rule, column, cond, detail in shape.checks:
        violations.append((rule, column, cond, detail))
    for rule, column, cond, detail in dataset.text_rules:
        if column in value_of:
            v = _blank(value_of[column]) if src_types[column] == "VARCHAR" else f"CAST({value_of[column]} AS VARCHAR)"
            violations.append((rule, column, cond.replace("{v}", v), detail.replace("{v}", v)))
    for c in dataset.columns:
        if c.name not in value_of:
            typed_cols.append(f"CAST(NULL AS {c.sql_type}) AS {quote_ident(c.name)}")
            continue
        src, st = value_of[c.name], src_types[c.name]
        expr = _typed_expr(src, c.sql_type, st)
        divisor = shape.divide.get(c.name)
        typed_cols.append(f"{expr}{f' / {divisor}' if divisor else ''} AS {quote_ident(c.name)}")
        present = _present_expr(src, st)
        # A value that is there but does not cast is wrong whatever the column.
        violations.append(
            (
                f"bad_{c.sql_type.lower()}",
                c.name,
                f"{present} AND {expr} IS NULL",
                f"'value ' || coalesce(CAST({shape.columns[c.name]} AS VARCHAR), '') || ' is not a valid {c.sql_type}'",
            )
        )
        if c.required and not c.nullable:
            violations.append(("required_missing", c.name, f"NOT ({present})", "'required value is blank'"))
    extra_json = (
        "to_json(struct_pack(" + ", ".join(f"{quote_ident(n)} := {sql}" for n, sql in shape.extras.items()) + "))"
        if shape.extras
        else "CAST(NULL AS JSON)"
    )
    as_received = ", ".join(
        f"CAST({shape.columns[c.name]} AS VARCHAR) AS {quote_ident(c.name)}"
        if c.name in shape.columns
        else f"CAST(NULL AS VARCHAR) AS {quote_ident(c.name)}"
        for c in dataset.columns
    )
    # The first broken cell names the row's fault; typed rules are checked on the typed row.
    cell_case = " ".join(f"WHEN {cond} THEN {sql_str(rule)}" for rule, _, cond, _ in violations)
    col_case = " ".join(f"WHEN {cond} THEN {sql_str(col)}" for _, col, cond, _ in violations)
    detail_case = " ".join(f"WHEN {cond} THEN {det}" for _, _, cond, det in violations)
    typed_rule_case = " ".join(
        f"WHEN NOT coalesce(({pred}), true) THEN {sql_str(rule)}" for rule, pred in dataset.row_rules
    )
    typed_rule_detail = " ".join(
        f"WHEN NOT coalesce(({pred}), true) THEN {sql_str('expected ' + pred)}" for _, pred in dataset.row_rules
    )
    # A format that gives several rows per line (a bars file's dividend and capital gain) says
    # which part of the line each row is, so a quarantined row is matched to its own values.
    part = f", {shape.part} AS _part" if shape.part else ""
    lineage = (
        f"{sql_str(rel_name)} AS _source_file, s._line AS _source_line, "
        f"{sql_str(batch_id)} AS _batch_id, now()::TIMESTAMP AS _loaded_at"
    )
    # One pass finds the rows that break a rule (a filtered scan: usually none), one pass casts and
    # writes the others straight into raw: no staging copy of the file. Values as received (text)
    # are kept for quarantined rows only, fetched again from the file by line.
    same_row = f"s._line = r._line{f' AND ({shape.part}) = r._part' if shape.part else ''}"
    cell_rule = f"CASE {cell_case or 'WHEN false THEN NULL'} END"
    typed_rule = f"CASE {typed_rule_case or 'WHEN false THEN NULL'} END"
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _rejected AS
            WITH checked AS (
                SELECT s._line{part}, {", ".join(typed_cols)},
                       {cell_rule} AS _cell_rule,
                       CASE {col_case or "WHEN false THEN NULL"} END AS _cell_column,
                       CASE {detail_case or "WHEN false THEN NULL"} END AS _cell_detail
                FROM {relation} s
            )
            SELECT _line, {"_part" if shape.part else "NULL"} AS _part, coalesce(_cell_rule, {typed_rule}) AS _rule,
                   coalesce(_cell_column, 'row') AS _column,
                   coalesce(_cell_detail, CASE {typed_rule_detail or "WHEN false THEN NULL"} END) AS _detail
            FROM checked WHERE _cell_rule IS NOT NULL OR {typed_rule} IS NOT NULL"""
        )
        rejected = con.execute("SELECT count(*) FROM _rejected").fetchone()[0]
        kept = f" ANTI JOIN _rejected r ON {same_row}" if rejected else ""
        loaded = con.execute(
            f"""INSERT INTO raw.{dataset.name} BY NAME
            SELECT {", ".join(typed_cols)}, {extra_json} AS _extra, {lineage} FROM {relation} s{kept}"""
        ).fetchone()[0]
    except duckdb.Error as e:
        raise _as_contract_error(path, e) from None
    moved = 0
    if _key_conflicts_in_file(con, dataset, rel_name, batch_id):
        # Every row of a conflicting line leaves raw (all its parts, when a line gives several).
        con.execute(
            "INSERT INTO _rejected SELECT _source_line, NULL, 'key_conflict_in_file', 'row', _detail FROM _conflicts"
        )
        moved = con.execute(
            f"DELETE FROM raw.{dataset.name} WHERE _source_file = ? AND _batch_id = ? "
            "AND _source_line IN (SELECT _source_line FROM _conflicts)",
            [rel_name, batch_id],
        ).fetchone()[0]
        con.execute("DROP TABLE _conflicts")
    if rejected or moved:
        con.execute(
            f"INSERT INTO quarantine.{dataset.name} BY NAME SELECT {as_received}, r._rule, r._column, r._detail, "
            f"{lineage} FROM _rejected r JOIN {relation} s ON s._line = r._line"
            f"{f' AND (r._part IS NULL OR ({shape.part}) = r._part)' if shape.part else ''} ORDER BY r._line"
        )
    con.execute("DROP TABLE _rejected")
    return loaded - moved, rejected + moved


def _key_conflicts_in_file(con: duckdb.DuckDBPyConnection, dataset: Dataset, rel_name: str, batch_id: str) -> int:
    """Rows of one file with the same key and different values: every version to quarantine
    (returns how many; the temp table _conflicts holds their lines and details).

    Identical repeats are one row and stay. Row rules were applied first, so only rows that
    passed them can conflict (a holdings file's CVR line under its company's ticker does not).
    Repeats are found on a hash of the key (one 8-byte group key instead of the key's columns:
    a clean file of millions of rows costs one cheap aggregate), then confirmed on the key itself.
    """
    key = ", ".join(quote_ident(k) for k in dataset.key)
    values = ", ".join(quote_ident(c.name) for c in dataset.columns)
    this_file = f"_source_file = {sql_str(rel_name)} AND _batch_id = {sql_str(batch_id)}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _repeated AS
        SELECT hash({key}) AS _h FROM raw.{dataset.name} WHERE {this_file} GROUP BY 1 HAVING count(*) > 1"""
    )
    if not con.execute("SELECT count(*) FROM _repeated").fetchone()[0]:
        con.execute("DROP TABLE _repeated")
        return 0
    key_text = " || ', ' || ".join(f"coalesce(CAST({quote_ident(k)} AS VARCHAR), '')" for k in dataset.key)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _conflicts AS
        WITH ok AS (SELECT {key}, _source_line, md5(CAST(row({values}) AS VARCHAR)) AS _h
                    FROM raw.{dataset.name} WHERE {this_file} AND hash({key}) IN (SELECT _h FROM _repeated)),
        keys AS (SELECT {key}, list(_source_line ORDER BY _source_line) AS _lines FROM ok
                 GROUP BY {key} HAVING count(DISTINCT _h) > 1)
        SELECT ok._source_line,
               'key ({", ".join(dataset.key)}) = (' || {key_text} || ') has other values on line(s) '
                   || array_to_string(list_filter(keys._lines, lambda x: x <> ok._source_line), ', ')
                   || ' of this file' AS _detail
        FROM ok JOIN keys USING ({key})"""
    )
    con.execute("DROP TABLE _repeated")
    return con.execute("SELECT count(*) FROM _conflicts").fetchone()[0]


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
    skipped: list[tuple[str, str]] | None = None,
) -> LoadReport:
    """Bring raw.<dataset> in line with `files` (all the dataset's current landed files).

    `skipped` lists (file, reason) of files the source found but did not land; with the
    files that gave no row they make up `landing_notes`.
    """
    dataset = DATASETS[dataset_name]
    ensure_tables(con, dataset)
    batch_id = uuid.uuid4().hex[:12]
    report = LoadReport(dataset_name, batch_id)
    landed = {_relative(p, landing_root): p for p in files}
    known = dict(con.execute(f"SELECT source_file, sha1 FROM {LOAD_LOG} WHERE dataset = ?", [dataset_name]).fetchall())
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
                loaded, quarantined, note = _load_file(con, dataset, path, rel_name, batch_id, max_bytes, files)
            except duckdb.Error as e:
                raise _as_contract_error(path, e) from None
            con.execute(
                f"INSERT INTO {LOAD_LOG} (dataset, source_file, sha1, rows_loaded, rows_quarantined, batch_id, "
                "loaded_at, note) VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
                [dataset_name, rel_name, digest, loaded, quarantined, batch_id, note],
            )
            report.files_loaded.append(rel_name)
            report.rows_loaded += loaded
            report.rows_quarantined += quarantined
        con.execute(f"DELETE FROM {SKIPPED_LOG} WHERE dataset = ?", [dataset_name])
        for file, reason in skipped or []:
            con.execute(f"INSERT INTO {SKIPPED_LOG} VALUES (?, ?, ?, now()::TIMESTAMP)", [dataset_name, file, reason])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report.total_rows = con.execute(f"SELECT count(*) FROM raw.{dataset_name}").fetchone()[0]
    report.quarantine_samples = [
        dict(zip(("file", "line", "column", "rule", "detail"), r, strict=True))
        for r in con.execute(
            f"SELECT _source_file, _source_line, _column, _rule, _detail FROM quarantine.{dataset_name} "
            "WHERE _batch_id = ? ORDER BY _source_file, _source_line LIMIT 20",
            [batch_id],
        ).fetchall()
    ]
    report.notes = landing_notes(con, dataset_name)
    return report


def landing_notes(con: duckdb.DuckDBPyConnection, dataset: str) -> list[tuple[str, str]]:
    """(file, reason) of this dataset's current landing that gave no row or was not read.

    Files that loaded no row (empty, header only, a companyfacts document without us-gaap
    facts) are named by their landed path; files the source left out (not a recognized
    format, hidden) by their path in the user's folder. Empty when nothing was noted.
    """
    tables = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()
    }
    notes: list[tuple[str, str]] = []
    if LOAD_LOG.split(".")[1] in tables:
        cols = {r[0] for r in con.execute(f"DESCRIBE {LOAD_LOG}").fetchall()}
        if "note" in cols:
            notes += con.execute(
                f"SELECT source_file, note FROM {LOAD_LOG} WHERE dataset = ? AND note IS NOT NULL", [dataset]
            ).fetchall()
    if SKIPPED_LOG.split(".")[1] in tables:
        notes += con.execute(f"SELECT source_file, reason FROM {SKIPPED_LOG} WHERE dataset = ?", [dataset]).fetchall()
    return sorted(notes)


def _forget_file(con: duckdb.DuckDBPyConnection, dataset_name: str, rel_name: str) -> None:
    for table in (f"raw.{dataset_name}", f"quarantine.{dataset_name}"):
        con.execute(f"DELETE FROM {table} WHERE _source_file = ?", [rel_name])
    con.execute(f"DELETE FROM {LOAD_LOG} WHERE dataset = ? AND source_file = ?", [dataset_name, rel_name])


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path.resolve())
