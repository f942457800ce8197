"""Daily bars as Yahoo, yfinance and Stooq write them -> `prices` or `fund_navs`.

    Date,Open,High,Low,Close,Adj Close,Volume                              (Yahoo download; `null` rows)
    Datetime,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits   (yfinance; 2022-01-03 00:00:00-05:00)
    Date,Open,High,Low,Close,Volume                                        (Stooq)

The file holds one symbol, named by the file: its name up to the first `_`, `-` or `.`
(`CALM-1d-no-bad-divs.csv` -> CALM, `IWM.csv` -> IWM). In fund_navs/ the close is the NAV and
the adjusted close the NAV with distributions reinvested. In prices/ the closes are on the
share basis of the file's last bar (`split_basis_date`). Columns beyond the bars
(Dividends, Stock Splits, Capital Gains) are kept in `_extra`. `bar_columns` is shared with
the live source's CSV parser (pipelines/sources/live/prices.py).

In fund_distributions/ (and for the bars files of fund_navs/ that carry them, which the files
source lands there too) yfinance's `Dividends` and `Capital Gains` columns are the fund's
distributions: one row per non-zero amount and kind, dated by the bar (the ex-date). Yahoo
reports a fund's whole distribution under Dividends and its capital-gain part again under
Capital Gains (JENYX 2024-11-13: Dividends 6.927, Capital Gains 6.766; the NAV fell by about
6.9), so on a day with both, when Dividends >= Capital Gains, the income dividend is
Dividends - Capital Gains; otherwise the two are separate amounts.
"""

from __future__ import annotations

from pathlib import Path

from pipelines.sources.formats.base import Shape, csv_relation, norm, quote_ident, sql_str, symbol_from_name

FIELDS = {
    "date": ("date", "datetime"),
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close",),
    "adj_close": ("adjclose",),
    "volume": ("volume",),
}


def bar_columns(header: list[str]) -> dict[str, int] | None:
    """Field (date, open, high, low, close, adj_close, volume) -> its position, or None if not daily bars."""
    names = [norm(h.lstrip("\ufeff")) for h in header]
    out = {}
    for field, spellings in FIELDS.items():
        at = next((names.index(s) for s in spellings if s in names), None)
        if at is not None:
            out[field] = at
    return out if "date" in out and "close" in out else None


def shape(path: Path, header: list[str], dataset: str) -> Shape:
    at = bar_columns(header)
    assert at is not None
    names = [h.strip().lstrip("\ufeff") for h in header]
    col = {f: f"s.{quote_ident(names[i])}" for f, i in at.items()}
    symbol = symbol_from_name(path)
    if dataset == "fund_navs":
        columns = {"fund_id": sql_str(symbol), "date": col["date"], "nav": col["close"]}
        if "adj_close" in col:
            columns["adj_nav"] = col["adj_close"]
        used = {at["date"], at["close"], at.get("adj_close")}
    else:
        # Yahoo's, yfinance's and Stooq's closes are split-adjusted to the day the file was
        # taken; its last bar stands for that day (no split can fall between the two).
        dated = f"regexp_matches({col['date']}, '^\\s*\\d{{4}}-\\d{{2}}-\\d{{2}}')"
        columns = {
            "symbol": sql_str(symbol),
            **col,
            "split_basis_date": f"max(CASE WHEN {dated} THEN trim({col['date']}) END) OVER ()",
        }
        used = set(at.values())
    extras = {n: f"s.{quote_ident(n)}" for i, n in enumerate(names) if i not in used}
    return Shape("daily bars (Yahoo / yfinance / Stooq)", csv_relation(path, names), columns, extras=extras)


DISTRIBUTION_FIELDS = {"dividends": ("dividends",), "capital_gains": ("capitalgains",)}


def distribution_columns(header: list[str]) -> dict[str, int] | None:
    """Position of Dividends / Capital Gains in a daily bars header (at least one), else None."""
    if bar_columns(header) is None:
        return None
    names = [norm(h.lstrip("\ufeff")) for h in header]
    out = {f: names.index(s) for f, spellings in DISTRIBUTION_FIELDS.items() for s in spellings if s in names}
    return out or None


def distribution_shape(path: Path, header: list[str]) -> Shape:
    """yfinance bars -> fund_distributions: a row per non-zero dividend and capital gain of a bar."""
    at, dist = bar_columns(header), distribution_columns(header)
    assert at is not None and dist is not None
    names = [h.strip().lstrip("\ufeff") for h in header]
    q = {f: f"{quote_ident(names[i])}" for f, i in {**at, **dist}.items()}
    div = q.get("dividends", "CAST(NULL AS VARCHAR)")
    cg = q.get("capital_gains", "CAST(NULL AS VARCHAR)")

    def bad(text: str) -> str:  # a value written that is not a number
        return (
            f"(TRY_CAST(trim({text}) AS DOUBLE) IS NULL AND trim(coalesce({text}, '')) <> '' "
            f"AND NOT trim({text}) ILIKE 'null')"
        )

    relation = f"""(WITH b AS (
        SELECT _line, {q["date"]} AS _date, {q["close"]} AS _close, {div} AS _div, {cg} AS _cg,
               TRY_CAST(trim({div}) AS DOUBLE) AS _dv, TRY_CAST(trim({cg}) AS DOUBLE) AS _cv
        FROM {csv_relation(path, names)}
    ), parts AS (
        SELECT *, CASE WHEN coalesce(_cv, 0) > 0 AND _dv >= _cv THEN round(_dv - _cv, 10) ELSE _dv END AS _income
        FROM b
    )
    SELECT _line, _date, _close, _div, _cg, 'dividend' AS _part,
           CASE WHEN _income IS DISTINCT FROM _dv THEN CAST(_income AS VARCHAR) ELSE _div END AS _amount
    FROM parts WHERE {bad("_div")} OR _income <> 0
    UNION ALL
    SELECT _line, _date, _close, _div, _cg, 'capital_gain' AS _part, _cg AS _amount
    FROM parts WHERE {bad("_cg")} OR _cv <> 0)"""
    symbol = symbol_from_name(path)
    columns = {"fund_id": sql_str(symbol), "ex_date": "s._date", "amount": "s._amount", "kind": "s._part"}
    extras = {"nav": "s._close", "dividends_as_received": "s._div", "capital_gains_as_received": "s._cg"}
    return Shape(
        "yfinance bars (Dividends / Capital Gains)",
        relation,
        columns,
        extras=extras,
        part="s._part",
        note="no distribution in the file: Dividends and Capital Gains are 0 on every bar",
    )
