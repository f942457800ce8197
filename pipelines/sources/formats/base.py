"""What a recognized file gives the raw loader, and the helpers every format reads with.

A `Shape` is a SQL relation over the landed file (aliased `s` by the loader) that carries
`_line`, the line of the row in the file as received (CSV header = line 1; for JSON the
ordinal of the derived row), and says which SQL expression over `s` stands for each
contract column. The loader casts, checks and quarantines the same way whatever the shape,
so a publisher's file and a contract file get the same rules.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from data_quality.sql import sql_str


class FormatError(ValueError):
    """A recognized file that cannot be read as its format says; the loader names the file."""

    def __init__(self, message: str, line: int | None = None, column: str | None = None):
        self.line, self.column = line, column
        super().__init__(message)


@dataclass
class Shape:
    format: str  # e.g. "contract CSV", "iShares holdings"
    relation: str  # SQL relation with a `_line` column
    # Contract column -> SQL over `s`: the value as received (its presence, and what quarantine keeps).
    columns: dict[str, str]
    # Contract column -> SQL over `s` to cast when it differs from the value as received
    # (a unit conversion, a publisher's holiday mark).
    values: dict[str, str] = field(default_factory=dict)
    divide: dict[str, float] = field(
        default_factory=dict
    )  # contract column -> divisor applied after the cast (percent)
    extras: dict[str, str] = field(default_factory=dict)  # extra column -> SQL over `s`, kept in _extra
    # Checks before the contract's own: (rule, column, SQL condition flagging the row, SQL detail).
    checks: list[tuple[str, str, str, str]] = field(default_factory=list)
    note: str | None = None  # said when the file yields no row (e.g. an IFRS filer's companyfacts)
    rows_expected: bool = True  # False: a file that is read for its context only (a ticker map)
    temp_tables: list[str] = field(default_factory=list)  # dropped by the loader after the file
    # SQL over `s` telling apart the rows a format derives from one line (None: one row per line).
    part: str | None = None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def read_bytes(path: Path) -> bytes:
    with gzip.open(path, "rb") if is_gzip(path) else open(path, "rb") as f:
        return f.read()


def read_text(path: Path) -> str:
    try:
        return read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = read_bytes(path)[: e.start].count(b"\n") + 1
        raise FormatError("the file is not UTF-8 encoded", line=line) from None


def head_lines(path: Path, n: int = 20) -> list[str]:
    """The first n lines of the (decompressed) file as text; raises on a non-UTF-8 first line."""
    out: list[str] = []
    with gzip.open(path, "rb") if is_gzip(path) else open(path, "rb") as f:
        for i, raw in enumerate(f):
            if i >= n:
                break
            try:
                text = raw.decode("utf-8-sig" if i == 0 else "utf-8")
            except UnicodeDecodeError:
                if i == 0:
                    raise FormatError("the file is not UTF-8 encoded", line=1) from None
                break
            out.append(text.rstrip("\r\n"))
    return out


def parse_header(line: str) -> list[str]:
    return [h.strip() for h in next(csv.reader(io.StringIO(line.lstrip("\ufeff"))), [])]


def norm(name: str) -> str:
    """A header name compared loosely: case, spaces and underscores ignored (Adj Close = adj_close)."""
    return re.sub(r"[\s_]+", "", name).lower()


def csv_relation(path: Path, names: list[str], skip: int = 1) -> str:
    """Every line after the first `skip` lines as text columns `names`, numbered from skip + 1."""
    p = sql_str(str(path))
    columns = "{" + ", ".join(f"{sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    compression = ", compression='gzip'" if is_gzip(path) else ""
    return (
        f"(SELECT row_number() OVER () + {skip} AS _line, * FROM read_csv({p}, columns={columns}, header=false, "
        f"skip={skip}, delim=',', quote='\"', escape='\"', strict_mode=true, auto_detect=false, "
        f"null_padding=false{compression}))"
    )


def rows_table(con, name: str, columns: list[str], rows: list[tuple[int, list[str | None]]]) -> str:
    """A temp table `name` of text columns and `_line` from rows parsed in Python; returns the relation."""
    data = {"_line": pa.array([line for line, _ in rows], pa.int64())}
    for i, c in enumerate(columns):
        data[c] = pa.array([values[i] for _, values in rows], pa.string())
    table = pa.table(data)
    view = f"{name}_arrow"
    con.register(view, table)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
    return name


_STEM_RE = re.compile(r"^([^_\-.]+)")


def landed_stem(path: Path) -> str:
    """The file's name as the user gave it: the landed name's digest and extension removed."""
    name = path.name
    for ext in (".csv.gz", ".csv", ".json", ".parquet"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
            break
    # files.py lands <stem>.<10 hex digest><ext>
    return re.sub(r"\.[0-9a-f]{10}$", "", name)


def symbol_from_name(path: Path) -> str:
    """The ticker a file name starts with, up to the first `_`, `-` or `.` (CALM-1d.csv -> CALM)."""
    m = _STEM_RE.match(landed_stem(path))
    return m.group(1).upper() if m else ""


_DATE_IN_NAME = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")


def date_in_name(path: Path) -> str | None:
    """An ISO date written in the file name (2025-11-07 or 20251107), if any."""
    m = _DATE_IN_NAME.search(landed_stem(path))
    if not m:
        return None
    y, mo, d = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    return f"{y}-{mo}-{d}"
