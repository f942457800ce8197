"""Publishers' own file formats, recognized by their header (never by the file name).

Each module holds one publisher's format: how to recognize it and how its rows map onto a
dataset of the contract (pipelines/datasets.py). The raw loader asks `registry` for the
`Shape` of every landed file; the landed file stays the bytes as received.

* `base`: the `Shape` a format gives the loader, reading helpers, `FormatError`;
* `ishares`: iShares holdings downloads (universe), shared with the live source;
* `fred`: FRED graph CSV downloads (rates), header recognition shared with the live source;
* `daily_bars`: Yahoo, yfinance and Stooq daily bars (prices, fund_navs), IEX-style files;
* `alphavantage`: Alpha Vantage EARNINGS_CALENDAR, CSV or saved JSON list (estimates);
* `companyfacts`: SEC EDGAR companyfacts JSON (earnings), through the live parser;
* `registry`: which formats each dataset folder recognizes.
"""
