"""The bad-input corpus: malformed `files` inputs and the outcome each must get.

Outcomes:
- ("error", pattern): the load stops with a ContractError matching pattern (file, line, column);
- ("quarantine", rule, column, line): that row goes to quarantine.<dataset>, the rest loads
  (line may be a tuple: every one of those rows, e.g. the versions of a key conflict in one file);
- ("note", pattern): the file loads no row, the run goes on, and landing_notes names it with a reason;
- ("gate", check): the file loads but the named blocking gate fails;
- ("spike", rule, column, line): the file loads, then the gates move that row to quarantine (a
  one-day spike that reverts) and no blocking gate fails;
- ("flag", rule): the file loads, no blocking gate fails, and the series' stretch is flagged in
  audit.series_flags with that rule (history set aside, not a blocked run);
- ("accepted", rows): loads cleanly with that many raw rows and no gate failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

UNIVERSE = "index_id,symbol,as_of_date\nR2000,AAA,2024-01-01\nR2000,BBB,2024-01-01\n"
FUNDS = "fund_id,name\nF1,Fund One\n"
PRICES_HEADER = "symbol,date,open,high,low,close\n"
# The future-date rules allow tomorrow (a bar stamped in a time zone ahead of ours), no later.
TOMORROW = (date.today() + timedelta(days=1)).isoformat()
DAY_AFTER_TOMORROW = (date.today() + timedelta(days=2)).isoformat()


def bars(symbol: str, closes: list[float], start_day: int = 2) -> str:
    rows = []
    for i, c in enumerate(closes):
        rows.append(f"{symbol},2024-01-{start_day + i:02d},{c},{c * 1.01:.4f},{c * 0.99:.4f},{c}")
    return "\n".join(rows) + "\n"


def among_calm(rows: str, days: int = 12) -> str:
    """Bars of five well-behaved companies beside a flawed series: one flawed series in a batch
    is a flawed history, a batch of mostly flawed series would be a broken feed (flagged_share,
    quarantine_share)."""
    return rows + "".join(bars(f"CALM{k}", [20.0 + k + 0.1 * i for i in range(days)]) for k in range(5))


@dataclass
class Case:
    name: str
    dataset: str
    content: bytes | str
    outcome: tuple
    # Other datasets the case needs loaded (dataset -> CSV text).
    context: dict = field(default_factory=dict)
    max_file_mb: float = 2048.0


CASES = [
    Case(
        "missing_required_column",
        "prices",
        "symbol,date,open\nAAA,2024-01-02,1\n",
        ("error", r"bad\.csv, line 1, column 'close': required column 'close' is missing"),
    ),
    Case(
        "wrong_type", "prices", PRICES_HEADER + "AAA,2024-01-02,1,1,1,ten\n", ("quarantine", "bad_double", "close", 2)
    ),
    Case(
        "unparseable_date", "prices", PRICES_HEADER + "AAA,2024/01/02,1,1,1,1\n", ("quarantine", "bad_date", "date", 2)
    ),
    Case("day_first_date", "prices", PRICES_HEADER + "AAA,13-01-2024,1,1,1,1\n", ("quarantine", "bad_date", "date", 2)),
    Case("empty_file", "prices", "", ("note", r"empty file \(0 bytes\)")),
    Case("header_only", "prices", PRICES_HEADER, ("note", r"header and no rows")),
    Case(
        "duplicate_key_conflicting_values",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,1,1,1,1\nAAA,2024-01-02,2,2,2,2\n",
        ("quarantine", "key_conflict_in_file", "row", (2, 3)),
        {"universe": UNIVERSE},
    ),
    Case(
        "duplicate_key_same_values",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,1,1,1,1\nAAA,2024-01-02,1,1,1,1\n",
        ("accepted", 2),
        {"universe": UNIVERSE},
    ),
    Case(
        "negative_price",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,1,1,1,-5\n",
        ("quarantine", "close_positive", "row", 2),
    ),
    Case(
        "zero_price", "prices", PRICES_HEADER + "AAA,2024-01-02,1,1,1,0\n", ("quarantine", "close_positive", "row", 2)
    ),
    Case(
        "high_below_low",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,10,9,11,10\n",
        ("quarantine", "high_below_low", "row", 2),
    ),
    Case(
        "close_above_high",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,10,11,9,12\n",
        ("quarantine", "open_close_outside_range", "row", 2),
    ),
    # A close in cents for one day: a bad print that reverts, quarantined with its line.
    Case(
        "unit_error_100x",
        "prices",
        PRICES_HEADER + among_calm(bars("AAA", [10.0, 10.1, 1010.0, 10.2])),
        ("spike", "one_day_spike", "close", 4),
        {"universe": UNIVERSE},
    ),
    # Cents from one day on: every return across the change would be wrong, so the stretch is flagged.
    Case(
        "unit_error_100x_that_stays",
        "prices",
        PRICES_HEADER + among_calm(bars("AAA", [10.0, 10.1, 1010.0, 1012.0, 1011.0])),
        ("flag", "unit_error_100x"),
        {"universe": UNIVERSE},
    ),
    Case(
        "split_without_split_record",
        "prices",
        PRICES_HEADER + among_calm(bars("AAA", [100.0, 101.0, 50.5, 51.0])),
        ("flag", "unexplained_jump"),
        {"universe": UNIVERSE},
    ),
    Case(
        "split_with_split_record",
        "prices",
        PRICES_HEADER + bars("AAA", [100.0, 101.0, 50.5, 51.0]),
        ("accepted", 4),
        {"universe": UNIVERSE, "splits": "symbol,date,ratio\nAAA,2024-01-04,2\n"},
    ),
    Case(
        "future_date",
        "prices",
        PRICES_HEADER + f"AAA,{DAY_AFTER_TOMORROW},1,1,1,1\n",
        ("quarantine", "future_date", "row", 2),
    ),
    Case(
        "dated_tomorrow", "prices", PRICES_HEADER + f"AAA,{TOMORROW},1,1,1,1\n", ("accepted", 1), {"universe": UNIVERSE}
    ),
    Case(
        "sql_in_symbol",
        "prices",
        PRICES_HEADER + '"\'; DROP TABLE raw.prices; --",2024-01-02,1,1,1,1\n',
        ("accepted", 1),
    ),
    Case(
        "non_utf8_row",
        "funds",
        b"fund_id,name\nF1,Caf\xe9 Small Cap\n",
        ("error", r"bad\.csv, line 2: unreadable CSV: .*not utf-8"),
    ),
    Case("non_utf8_header", "funds", b"fund_id,n\xe4me\nF1,x\n", ("error", r"bad\.csv, line 1: the file is not UTF-8")),
    Case("byte_order_mark", "funds", "\ufefffund_id,name\nF1,Fund One\n", ("accepted", 1)),
    Case("crlf_line_ends", "funds", "fund_id,name\r\nF1,Fund One\r\nF2,Fund Two\r\n", ("accepted", 2)),
    Case(
        "thousands_separator",
        "prices",
        PRICES_HEADER + 'AAA,2024-01-02,1,1,1,"1,234.50"\n',
        ("quarantine", "bad_double", "close", 2),
    ),
    Case(
        "over_size_limit",
        "prices",
        PRICES_HEADER + bars("AAA", [10.0] * 20),
        ("error", r"over the limit of 100 \(WAREHOUSE_MAX_FILE_MB\)"),
        max_file_mb=100 / (1024 * 1024),
    ),
    Case(
        "nan_string", "prices", PRICES_HEADER + "AAA,2024-01-02,1,1,1,NaN\n", ("quarantine", "bad_double", "close", 2)
    ),
    Case(
        "infinity_string",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,1,1,1,Infinity\n",
        ("quarantine", "bad_double", "close", 2),
    ),
    Case(
        "nav_for_unknown_fund",
        "fund_navs",
        "fund_id,date,nav\nF9,2024-01-02,10\n",
        ("gate", "funds_known"),
        {"funds": FUNDS},
    ),
    Case(
        "report_before_period_end",
        "earnings",
        "symbol,fiscal_period_end,report_date,net_income\nAAA,2024-03-31,2024-03-01,5\n",
        ("quarantine", "report_before_period_end", "row", 2),
    ),
    Case(
        "rate_blank_holiday",
        "rates",
        "series_id,date,value\nDGS10,2024-01-01,\nDGS10,2024-01-02,3.95\n",
        ("accepted", 2),
    ),
    Case(
        "ragged_row",
        "funds",
        "fund_id,name\nF1,One\nF2,Two,extra\n",
        ("error", r"bad\.csv, line 3: unreadable CSV: Expected Number of Columns"),
    ),
    Case("duplicate_column", "funds", "fund_id,name,Name\nF1,a,b\n", ("error", r"column 'Name' appears twice")),
    Case(
        "large_move_not_split_like",
        "prices",
        PRICES_HEADER + bars("AAA", [10.0, 10.2, 14.9, 15.0]),
        ("accepted", 4),
        {"universe": UNIVERSE},
    ),
    Case(
        "stale_series",
        "prices",
        PRICES_HEADER + among_calm(bars("AAA", [10.0] * 12)),
        ("flag", "stale_series"),
        {"universe": UNIVERSE},
    ),
    Case(
        "negative_nav",
        "fund_navs",
        "fund_id,date,nav\nF1,2024-01-02,-10\n",
        ("quarantine", "nav_positive", "row", 2),
        {"funds": FUNDS},
    ),
    Case(
        "weight_above_one",
        "universe",
        "index_id,symbol,as_of_date,weight\nR2000,AAA,2024-01-01,1.5\n",
        ("quarantine", "weight_fraction", "row", 2),
    ),
    Case("pandas_index_column", "funds", ",fund_id,name\n0,F1,Fund One\n", ("accepted", 1)),
    Case(
        "duplicate_contract_column_case",
        "prices",
        "symbol,date,close,Close\nAAA,2024-01-02,1,2\n",
        ("error", r"bad\.csv, line 1, column 'Close': column 'Close' appears twice"),
    ),
    Case(
        "null_string_required",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02,1,1,1,null\n",
        ("quarantine", "required_missing", "close", 2),
    ),
    Case(
        "datetime_garbage",
        "prices",
        PRICES_HEADER + "AAA,2024-01-02 25:99,1,1,1,1\n",
        ("quarantine", "bad_date", "date", 2),
    ),
    Case(
        "placeholder_ticker",
        "universe",
        "index_id,symbol,as_of_date\nR2000,-,2024-01-01\n",
        ("quarantine", "placeholder_ticker", "symbol", 2),
    ),
    Case(
        "cvr_line",
        "universe",
        "index_id,symbol,as_of_date,name\nR2000,ADRO,2024-01-01,CHINOOK THERAPEUTICS INC CVR\n",
        ("quarantine", "non_equity", "name", 2),
    ),
    Case("yield_in_basis_points", "rates", "series_id,date,value\nDGS10,2024-01-02,395\n", ("gate", "contract_suite")),
    # Every row rule of datasets.py has its case below, on the smallest file that breaks only it
    # (a value at the rule's boundary), so deleting a rule fails the corpus. A future-date rule
    # gets one file with a row dated tomorrow (it loads) and one dated the day after (quarantined).
    Case("zero_low", "prices", PRICES_HEADER + "AAA,2024-01-02,1,2,0,1\n", ("quarantine", "ohlc_positive", "row", 2)),
    Case(
        "negative_volume",
        "prices",
        "symbol,date,close,volume\nAAA,2024-01-02,1,-1\n",
        ("quarantine", "volume_negative", "row", 2),
    ),
    Case(
        "nav_after_tomorrow",
        "fund_navs",
        f"fund_id,date,nav\nF1,{TOMORROW},10\nF1,{DAY_AFTER_TOMORROW},10\n",
        ("quarantine", "future_date", "row", 3),
    ),
    Case(
        "zero_distribution",
        "fund_distributions",
        "fund_id,ex_date,amount,kind\nF1,2024-01-02,0,dividend\n",
        ("quarantine", "amount_positive", "row", 2),
    ),
    Case(
        "unknown_distribution_kind",
        "fund_distributions",
        "fund_id,ex_date,amount,kind\nF1,2024-01-02,0.5,return_of_capital\n",
        ("quarantine", "kind_unknown", "row", 2),
    ),
    Case(
        "distribution_paid_before_ex_date",
        "fund_distributions",
        "fund_id,ex_date,amount,kind,pay_date\nF1,2024-01-10,0.5,dividend,2024-01-09\n",
        ("quarantine", "pay_before_ex_date", "row", 2),
    ),
    Case(
        "distribution_after_tomorrow",
        "fund_distributions",
        f"fund_id,ex_date,amount,kind\nF1,{TOMORROW},0.5,dividend\nF1,{DAY_AFTER_TOMORROW},0.5,dividend\n",
        ("quarantine", "future_date", "row", 3),
    ),
    Case(
        "earnings_zero_shares",
        "earnings",
        "symbol,fiscal_period_end,report_date,net_income,shares_outstanding\nAAA,2024-03-31,2024-04-30,5,0\n",
        ("quarantine", "shares_positive", "row", 2),
    ),
    Case(
        "earnings_reported_after_tomorrow",
        "earnings",
        f"symbol,fiscal_period_end,report_date,net_income\nAAA,2024-03-31,{TOMORROW},5\nAAA,2024-03-31,{DAY_AFTER_TOMORROW},5\n",
        ("quarantine", "future_report", "row", 3),
    ),
    Case(
        "estimate_as_of_after_tomorrow",
        "estimates",
        f"symbol,fiscal_period_end,as_of_date,eps_estimate\nAAA,2024-03-31,{TOMORROW},1\nAAA,2024-03-31,{DAY_AFTER_TOMORROW},1\n",
        ("quarantine", "future_as_of", "row", 3),
    ),
    Case(
        "rate_after_tomorrow",
        "rates",
        f"series_id,date,value\nDGS10,{TOMORROW},3.95\nDGS10,{DAY_AFTER_TOMORROW},3.95\n",
        ("quarantine", "future_date", "row", 3),
    ),
    Case(
        "member_zero_shares",
        "universe",
        "index_id,symbol,as_of_date,shares_outstanding\nR2000,AAA,2024-01-01,0\n",
        ("quarantine", "shares_positive", "row", 2),
    ),
    Case(
        "snapshot_after_tomorrow",
        "universe",
        f"index_id,symbol,as_of_date\nR2000,AAA,{TOMORROW}\nR2000,AAA,{DAY_AFTER_TOMORROW}\n",
        ("quarantine", "future_snapshot", "row", 3),
    ),
    Case(
        "negative_deal_value",
        "mna_events",
        "announce_date,target_symbol,deal_value_usd\n2024-01-02,AAA,-1\n",
        ("quarantine", "deal_value_negative", "row", 2),
    ),
    Case(
        "deal_announced_after_tomorrow",
        "mna_events",
        f"announce_date,target_symbol\n{TOMORROW},AAA\n{DAY_AFTER_TOMORROW},AAA\n",
        ("quarantine", "future_announcement", "row", 3),
    ),
    Case(
        "zero_split_ratio",
        "splits",
        "symbol,date,ratio\nAAA,2024-01-04,0\n",
        ("quarantine", "ratio_positive", "row", 2),
    ),
]
