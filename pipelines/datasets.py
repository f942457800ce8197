"""The raw datasets and their file contract (../shared/spec/landing.md), in one place.

Every source (sample, files, live) delivers files in this shape; the raw loader, the dbt
sources and the quality gates all read their column lists and keys from here.
"""

from __future__ import annotations

from dataclasses import dataclass

# Data dated after tomorrow (UTC) cannot have been observed: a clock or unit slip upstream.
FUTURE = "current_date + 1"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type of the raw table column
    required: bool = False
    description: str = ""
    # Blank allowed even when required (FRED leaves a holiday blank, it is not a zero).
    nullable: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Row rules: (rule name, SQL predicate over the typed columns that must hold). A row
    # that breaks one goes to quarantine.<dataset> with the rule's name; NULL passes.
    row_rules: tuple[tuple[str, str], ...] = ()
    # Rules on a value as written, checked before its type: (rule, column, SQL condition that
    # flags the row, SQL detail), `{v}` standing for the trimmed text (NULL when blank). A row
    # they flag is not what the dataset holds (a placeholder ticker, a CVR line in a holdings file).
    text_rules: tuple[tuple[str, str, str, str], ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, sql_type: str, description: str, required: bool = False, nullable: bool = False) -> Column:
    return Column(name, sql_type, required, description, nullable)


# A ticker that names no listed company: blank, '-', '--', 'N/A', or no letter at all.
PLACEHOLDER_TICKER = (
    "placeholder_ticker",
    "symbol",
    "NOT regexp_matches(coalesce({v}, ''), '[A-Za-z]') OR upper({v}) IN ('N/A', '#N/A', 'N.A.')",
    """'ticker ' || coalesce('"' || {v} || '"', '(blank)') || ' is a placeholder, not a listed company'""",
)
# Holdings lines that are not shares of a listed company, by their name: a CVR (the word CVR
# after the company's name, so CVR ENERGY stays), a contingent value right, an escrow, rights,
# a private placement ("Prvt").
_NON_EQUITY_KINDS = (
    (r"\sCVR\b", "a contingent value right (CVR)"),
    ("CONTINGENT VALUE", "a contingent value right"),
    (r"\bESCROW\b", "an escrow position"),
    (r"\bRIGHTS\b", "a rights issue"),
    (r"\bPRVT\b", "a private placement (Prvt)"),
)
NON_EQUITY = (
    "non_equity",
    "name",
    "regexp_matches(upper(coalesce({v}, '')), '" + "|".join(r for r, _ in _NON_EQUITY_KINDS) + "')",
    """'name "' || {v} || '" marks ' || CASE """
    + " ".join(f"WHEN regexp_matches(upper({{v}}), '{r}') THEN '{k}'" for r, k in _NON_EQUITY_KINDS)
    + " END || ', not an index member'",
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "prices",
            "Daily bars per symbol: companies, benchmark ETFs or index levels.",
            (
                _c("symbol", "VARCHAR", "Ticker as the source spells it.", True),
                _c("date", "DATE", "Trading day.", True),
                _c(
                    "close",
                    "DOUBLE",
                    "Close, not adjusted for dividends; on the share basis of split_basis_date.",
                    True,
                ),
                _c("open", "DOUBLE", "Open."),
                _c("high", "DOUBLE", "High."),
                _c("low", "DOUBLE", "Low."),
                _c("adj_close", "DOUBLE", "Close adjusted for splits and distributions."),
                _c("volume", "DOUBLE", "Shares traded."),
                _c(
                    "split_basis_date",
                    "DATE",
                    "Share basis of the prices (extension): every split on or before this date is applied "
                    "to them (a vendor's split-adjusted history: the day it was fetched). Blank: as traded.",
                ),
            ),
            ("symbol", "date"),
            (
                ("close_positive", "close > 0"),
                ("ohlc_positive", "least(open, high, low, adj_close) > 0"),
                ("high_below_low", "high >= low"),
                ("open_close_outside_range", "greatest(open, close) <= high AND least(open, close) >= low"),
                ("volume_negative", "volume >= 0"),
                ("future_date", f"date <= {FUTURE}"),
            ),
        ),
        Dataset(
            "funds",
            "The tracked small-cap fund universe.",
            (
                _c("fund_id", "VARCHAR", "Fund identifier (ticker).", True),
                _c("name", "VARCHAR", "Fund name.", True),
                _c("category", "VARCHAR", "Morningstar-style category."),
                _c("share_class", "VARCHAR", "Share class."),
                _c("domicile", "VARCHAR", "Country of domicile."),
            ),
            ("fund_id",),
        ),
        Dataset(
            "fund_navs",
            "Daily net asset value per fund share.",
            (
                _c("fund_id", "VARCHAR", "Fund identifier.", True),
                _c("date", "DATE", "NAV date.", True),
                _c("nav", "DOUBLE", "NAV per share.", True),
                _c("adj_nav", "DOUBLE", "NAV with distributions reinvested."),
            ),
            ("fund_id", "date"),
            (
                ("nav_positive", "nav > 0 AND adj_nav > 0"),
                ("future_date", f"date <= {FUTURE}"),
            ),
        ),
        Dataset(
            "fund_distributions",
            "Fund distributions per share (extension to the contract): income dividends and capital gains, by "
            "ex-date. With a fund's NAVs they give its total return (distributions reinvested at the ex-date NAV).",
            (
                _c("fund_id", "VARCHAR", "Fund identifier (a `symbol` or `ticker` column stands for it).", True),
                _c("ex_date", "DATE", "Ex-distribution date: the first NAV without the distribution.", True),
                _c("amount", "DOUBLE", "Distribution per share, in the NAV's currency.", True),
                _c("kind", "VARCHAR", "dividend (income) or capital_gain.", True),
                _c("pay_date", "DATE", "Payment date."),
            ),
            ("fund_id", "ex_date", "kind"),
            (
                ("amount_positive", "amount > 0"),
                ("kind_unknown", "lower(trim(kind)) IN ('dividend', 'capital_gain')"),
                ("pay_before_ex_date", "pay_date >= ex_date"),
                ("future_date", f"ex_date <= {FUTURE}"),
            ),
        ),
        Dataset(
            "earnings",
            "Quarterly company facts as filed; a restatement is a new row with a later report_date.",
            (
                _c("symbol", "VARCHAR", "Company ticker.", True),
                _c("fiscal_period_end", "DATE", "Last day of the fiscal quarter.", True),
                _c("report_date", "DATE", "Date the figure became public (filing date).", True),
                _c("net_income", "DOUBLE", "Quarterly net income, USD.", True),
                _c("eps_diluted", "DOUBLE", "Quarterly diluted EPS, USD."),
                _c("revenue", "DOUBLE", "Quarterly revenue, USD."),
                _c(
                    "shares_outstanding",
                    "DOUBLE",
                    "Shares outstanding at shares_as_of, on that date's share basis; for an issuer with "
                    "several listed classes, all classes together.",
                ),
                _c("currency", "VARCHAR", "Reporting currency."),
                _c(
                    "shares_as_of",
                    "DATE",
                    "Date the share count refers to (extension; a cover page's date). Blank: fiscal_period_end.",
                ),
                _c(
                    "eps_basis_date",
                    "DATE",
                    "Share basis of eps_diluted (extension): every split on or before this date is applied "
                    "to it. Blank: report_date (a filing restates per-share figures for splits before it).",
                ),
                _c(
                    "issuer_id",
                    "VARCHAR",
                    "The issuer (extension; SEC's CIK): tickers of one issuer's share classes carry the same "
                    "id, and the issuer counts once. Blank: the symbol.",
                ),
            ),
            ("symbol", "fiscal_period_end", "report_date"),
            (
                ("report_before_period_end", "report_date >= fiscal_period_end"),
                ("shares_positive", "shares_outstanding > 0"),
                ("future_report", f"report_date <= {FUTURE}"),
            ),
        ),
        Dataset(
            "estimates",
            "Consensus estimates per company and fiscal quarter, as of a date.",
            (
                _c("symbol", "VARCHAR", "Company ticker.", True),
                _c("fiscal_period_end", "DATE", "Fiscal quarter the estimate is for.", True),
                _c("as_of_date", "DATE", "Date the estimate was current.", True),
                _c("eps_estimate", "DOUBLE", "Estimated diluted EPS.", True),
                _c("net_income_estimate", "DOUBLE", "Estimated net income, USD."),
            ),
            ("symbol", "fiscal_period_end", "as_of_date"),
            (("future_as_of", f"as_of_date <= {FUTURE}"),),
        ),
        Dataset(
            "rates",
            "FRED series: DGS10, DGS2, DFEDTARU, DFEDTARL, DFF (percent). Blank = holiday.",
            (
                _c("series_id", "VARCHAR", "FRED series id.", True),
                _c("date", "DATE", "Observation date.", True),
                _c("value", "DOUBLE", "Value in percent; NULL on holidays.", True, nullable=True),
            ),
            ("series_id", "date"),
            (("future_date", f"date <= {FUTURE}"),),
        ),
        Dataset(
            "universe",
            "Index membership snapshots; the snapshot in force at D is the latest at or before D.",
            (
                _c("index_id", "VARCHAR", "Index identifier (e.g. R2000, SP500).", True),
                _c("symbol", "VARCHAR", "Member ticker.", True),
                _c("as_of_date", "DATE", "Snapshot date.", True),
                _c("name", "VARCHAR", "Company name."),
                _c("sector", "VARCHAR", "Sector."),
                _c("weight", "DOUBLE", "Index weight (fraction)."),
                _c("shares_outstanding", "DOUBLE", "Shares held in the index."),
            ),
            ("index_id", "symbol", "as_of_date"),
            (
                ("weight_fraction", "weight BETWEEN 0 AND 1"),
                ("shares_positive", "shares_outstanding > 0"),
                ("future_snapshot", f"as_of_date <= {FUTURE}"),
            ),
            text_rules=(PLACEHOLDER_TICKER, NON_EQUITY),
        ),
        Dataset(
            "mna_events",
            "Announced M&A deals by target company.",
            (
                _c("announce_date", "DATE", "Announcement date.", True),
                _c("target_symbol", "VARCHAR", "Target company ticker.", True),
                _c("acquirer", "VARCHAR", "Acquirer name."),
                _c("deal_value_usd", "DOUBLE", "Deal value, USD."),
                _c("status", "VARCHAR", "announced / completed / withdrawn."),
            ),
            ("announce_date", "target_symbol"),
            (
                ("deal_value_negative", "deal_value_usd >= 0"),
                ("future_announcement", f"announce_date <= {FUTURE}"),
            ),
        ),
        Dataset(
            "splits",
            "Stock splits (extension to the contract): new shares per old share on the ex-date.",
            (
                _c("symbol", "VARCHAR", "Ticker.", True),
                _c("date", "DATE", "Ex-date.", True),
                _c("ratio", "DOUBLE", "New shares per old share (2.0 = two-for-one).", True),
            ),
            ("symbol", "date"),
            (("ratio_positive", "ratio > 0"),),
        ),
    )
}

# Provenance columns the raw loader adds to every raw table.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_extra", "JSON"),  # columns beyond the contract, kept as received
    ("_source_file", "VARCHAR"),  # path of the landed file, relative to the landing root
    ("_source_line", "BIGINT"),  # 1-based line in that file (CSV header is line 1)
    ("_batch_id", "VARCHAR"),  # one id per ingestion run of the dataset
    ("_loaded_at", "TIMESTAMP"),
)
