"""LiveSource.land for every dataset against the public services served from 127.0.0.1."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.config import Settings
from pipelines.datasets import DATASETS
from pipelines.sources.live.config import LiveConfigError
from pipelines.sources.live.context import LiveFormatError
from pipelines.sources.live.http import LiveServiceError
from tests.live import public_services
from tests.live.public_services import SECRET_FRED_KEY, SECRET_SEC_AGENT

DAY1, DAY2 = date(2026, 5, 6), date(2026, 5, 7)


def rows(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()


def contract(landing: Path, dataset: str, name: str) -> list[dict]:
    return rows(landing / "live" / "contract" / dataset / f"{name}.parquet")


def land_all(source, landing: Path, log=lambda m: None) -> dict:
    return {ds: source.land(ds, landing, log) for ds in DATASETS}


def test_rates_stored_as_received_then_parsed(services, tmp_path):
    landed = services.source(DAY1).land("rates", tmp_path, print)
    assert sorted(f.name for f in landed.files) == [
        "DFEDTARL.parquet",
        "DFEDTARU.parquet",
        "DFF.parquet",
        "DGS10.parquet",
        "DGS2.parquet",
    ]
    raw = tmp_path / "live/fred/DGS10_fetched-2026-05-06_from-2000-01-01.csv"
    served = public_services.fred_rows(services.env_realdata, "DGS10")
    assert raw.read_text().splitlines()[1:] == [f"{d},{v}" for d, v in served if d >= "2000-01-01"]
    dgs10 = {r["date"]: r["value"] for r in contract(tmp_path, "rates", "DGS10")}
    assert dgs10[date(2025, 9, 25)] == 4.18
    assert date(2000, 1, 17) in dgs10 and dgs10[date(2000, 1, 17)] is None  # a holiday stays blank
    assert min(dgs10) == date(2000, 1, 3)
    state = json.loads((tmp_path / "live/state/fred.json").read_text())
    assert state["DGS10"] == {"fetched_on": "2026-05-06", "last_date": "2025-09-25", "observations": len(dgs10)}


def test_rates_incremental_with_overlap(services, tmp_path):
    services.source(DAY1).land("rates", tmp_path, print)
    services.server.clear()
    services.source(DAY1).land("rates", tmp_path, print)
    assert services.server.hits_to("/fred") == []  # fetched today already
    services.source(DAY2).land("rates", tmp_path, print)
    asked = {h.query["id"]: h.query["cosd"] for h in services.server.hits_to("/fred")}
    # Two weeks before the last observation held, to catch revisions.
    assert asked["DGS10"] == "2025-09-11" and asked["DFF"] == "2026-07-23"
    assert (tmp_path / "live/fred/DGS10_fetched-2026-05-07_from-2025-09-11.csv").exists()
    dgs10 = {r["date"]: r["value"] for r in contract(tmp_path, "rates", "DGS10")}
    assert dgs10[date(2000, 1, 3)] == 6.58 and dgs10[date(2025, 9, 25)] == 4.18


def test_rates_backfill_range(services, tmp_path):
    source = services.source(
        DAY1,
        WAREHOUSE_LIVE_BACKFILL_START="2010-01-01",
        WAREHOUSE_LIVE_BACKFILL_END="2010-12-31",
        WAREHOUSE_LIVE_FRED_SERIES="DGS2",
    )
    source.land("rates", tmp_path, print)
    windows = [(h.query["cosd"], h.query.get("coed")) for h in services.server.hits_to("/fred")]
    assert windows == [("2010-01-01", "2010-12-31"), ("2000-01-01", None)]
    assert (tmp_path / "live/fred/DGS2_fetched-2026-05-06_from-2010-01-01_to-2010-12-31.csv").exists()
    services.server.clear()
    services.source(
        DAY2,
        WAREHOUSE_LIVE_BACKFILL_START="2010-01-01",
        WAREHOUSE_LIVE_BACKFILL_END="2010-12-31",
        WAREHOUSE_LIVE_FRED_SERIES="DGS2",
    ).land("rates", tmp_path, print)
    assert [h.query["cosd"] for h in services.server.hits_to("/fred")] == ["2025-09-11"]  # the range is held


def test_fred_api_key_uses_the_json_api_and_never_leaks(services, tmp_path):
    logs: list[str] = []
    landed = services.source(DAY1, FRED_API_KEY=SECRET_FRED_KEY, WAREHOUSE_LIVE_FRED_SERIES="DFEDTARU").land(
        "rates", tmp_path, logs.append
    )
    [hit] = services.server.hits_to("/fred-api")
    assert hit.query["api_key"] == SECRET_FRED_KEY and hit.query["file_type"] == "json"
    assert {r["date"]: r["value"] for r in contract(tmp_path, "rates", "DFEDTARU")}[date(2025, 11, 12)] == 4.0
    assert (tmp_path / "live/fred/DFEDTARU_fetched-2026-05-06_from-2000-01-01.json").exists()
    assert "FRED API" in landed.note
    assert_secret_absent(tmp_path, logs, SECRET_FRED_KEY)


def test_universe_snapshots_take_the_configured_index_ids(services, tmp_path):
    settings = Settings(source="live", small_index="RUT", large_index="SPX")
    landed = services.source(DAY1, settings=settings).land("universe", tmp_path, print)
    assert [f.name for f in landed.files] == ["RUT_IWM_2026-05-05.parquet", "SPX_IVV_2026-05-05.parquet"]
    iwm = {r["symbol"]: r for r in contract(tmp_path, "universe", "RUT_IWM_2026-05-05")}
    assert len(iwm) == 1920
    assert iwm["CRDO"]["index_id"] == "RUT" and iwm["CRDO"]["as_of_date"] == date(2026, 5, 5)
    assert iwm["CRDO"]["weight"] == pytest.approx(0.0094) and iwm["CRDO"]["shares_outstanding"] == 3_833_008
    raw = tmp_path / "live/ishares/IWM_holdings_fetched-2026-05-06.csv"
    assert raw.read_bytes() == (services.env_realdata / "iwm-holdings/IWM_holdings_2026-05-05.csv").read_bytes()
    # The next day's download is another snapshot; this one is kept.
    services.source(DAY2, settings=settings).land("universe", tmp_path, print)
    assert (tmp_path / "live/ishares/IWM_holdings_fetched-2026-05-07.csv").exists() and raw.exists()


def test_earnings_from_companyfacts_with_coverage(services, tmp_path):
    landed = services.source(DAY1).land("earnings", tmp_path, print)
    assert [f.name for f in landed.files] == ["SNOW.parquet"]
    q4 = next(r for r in contract(tmp_path, "earnings", "SNOW") if r["fiscal_period_end"] == date(2025, 1, 31))
    assert (q4["net_income"], q4["report_date"], q4["form"]) == (-327_474_000, date(2025, 3, 21), "10-K")
    with open(tmp_path / "live/coverage/earnings.csv") as f:
        coverage = {r["symbol"]: r for r in csv.DictReader(f)}
    # Three largest members of each index: IWM's have no companyfacts here; IVV's test file lists SNOW, LPA, MMM.
    assert list(coverage) == ["BE", "CRDO", "STRL", "SNOW", "LPA", "MMM"]
    assert coverage["LPA"]["status"] == "not_covered" and "IFRS" in coverage["LPA"]["reason"]
    assert coverage["BE"]["reason"] == "SEC has no XBRL companyfacts for this CIK"
    assert coverage["SNOW"]["status"] == "covered" and coverage["SNOW"]["cik"] == "0001640147"
    assert "IFRS-only, not covered: LPA" in landed.note
    sec = services.server.hits_to("/sec-")
    assert {h.headers["user-agent"] for h in sec} == {SECRET_SEC_AGENT}
    # At most 10 a second (arrival times jitter a little on a busy machine).
    assert sec[-1].at - sec[0].at >= (len(sec) - 1) * 0.1 - 0.01
    assert min(b.at - a.at for a, b in pairwise(sec)) >= 0.05


def test_sec_data_needs_a_contact(services, tmp_path):
    source = services.source(DAY1, SEC_USER_AGENT="")
    with pytest.raises(LiveConfigError, match="SEC_USER_AGENT"):
        source.land("earnings", tmp_path, print)
    with pytest.raises(LiveConfigError, match="SEC_USER_AGENT"):
        source.land("mna_events", tmp_path, print)
    assert services.server.hits_to("/sec-") == []


def test_prices_and_navs_from_yahoo(services, tmp_path):
    logs: list[str] = []
    source = services.source(DAY1)
    landed = source.land("prices", tmp_path, logs.append)
    assert sorted(f.name for f in landed.files) == ["IWM.parquet", "SPY.parquet"]
    iwm = {r["date"]: r for r in contract(tmp_path, "prices", "IWM")}
    assert iwm[date(2026, 5, 5)]["close"] == 282.55999755859375
    assert max(iwm) == DAY1 and min(iwm) == date(2000, 5, 26)
    assert "prices (yahoo): 8/8 symbols (100%)" in logs[-1]
    with open(tmp_path / "live/coverage/prices.csv") as f:
        coverage = {r["symbol"]: r for r in csv.DictReader(f)}
    assert coverage["BE"]["status"] == "not_available" and "delisted" in coverage["BE"]["reason"]
    source.land("fund_navs", tmp_path, logs.append)
    naesx = {r["date"]: r for r in contract(tmp_path, "fund_navs", "NAESX")}
    # The NAV as published beside the NAV with distributions reinvested.
    assert (naesx[date(2000, 1, 3)]["nav"], naesx[date(2000, 1, 3)]["adj_nav"]) == (23.24, 14.771169)
    assert naesx[date(2024, 5, 2)]["adj_nav"] == 103.82
    source.land("funds", tmp_path, print)
    funds = contract(tmp_path, "funds", "funds")
    assert len(funds) == 29 and funds[0]["fund_id"] == "ARTSX"
    assert source.land("splits", tmp_path, print).files == []


def test_prices_from_stooq(services, tmp_path):
    source = services.source(DAY1, WAREHOUSE_LIVE_PRICE_PROVIDER="stooq", WAREHOUSE_LIVE_MAX_COMPANIES="1")
    source.land("prices", tmp_path, print)
    asked = {h.query["s"]: h.query for h in services.server.hits_to("/stooq")}
    assert set(asked) == {"iwm.us", "spy.us", "be.us", "snow.us"}
    assert (asked["iwm.us"]["d1"], asked["iwm.us"]["d2"]) == ("20000101", "20260506")
    iwm = {r["date"]: r for r in contract(tmp_path, "prices", "IWM")}
    assert iwm[date(2026, 5, 5)]["close"] == 282.55999755859375 and iwm[date(2026, 5, 5)]["adj_close"] is None
    splits = source.land("splits", tmp_path, print)
    assert splits.files == [] and "Stooq" in splits.note


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def test_rebased_history_is_fetched_whole_again(services, tmp_path):
    services.source(DAY1, WAREHOUSE_LIVE_MAX_COMPANIES="1").land("prices", tmp_path, print)
    # Overnight IWM splits 2:1: the provider halves every earlier close and reports the event.
    realdata = services.env_realdata
    halved = [
        {**r, **{k: str(float(r[k]) / 2) for k in ("Open", "High", "Low", "Close")}}
        for r in public_services.daily_rows(realdata, "IWM")
    ]

    def split_history(path, q, h):
        chosen = [r for r in halved if int(q["period1"]) <= public_services._stamp(r["Date"]) < int(q["period2"])]
        return 200, {}, json.dumps(public_services.chart_doc("IWM", chosen, splits={"2026-05-07": (2, 1)})).encode()

    services.server.add("/yahoo/v8/finance/chart/IWM", split_history)
    services.server.clear()
    logs: list[str] = []
    services.source(DAY2, WAREHOUSE_LIVE_MAX_COMPANIES="1").land("prices", tmp_path, logs.append)
    starts = [int(h.query["period1"]) for h in services.server.hits_to("/yahoo/v8/finance/chart/IWM")]
    assert starts == [_epoch(date(2026, 4, 22)), _epoch(date(2000, 1, 1))]
    assert any("IWM: history re-based" in line for line in logs)
    iwm = {r["date"]: r["close"] for r in contract(tmp_path, "prices", "IWM")}
    assert iwm[date(2000, 5, 26)] == 45.71875 / 2
    assert contract(tmp_path, "splits", "IWM") == [{"symbol": "IWM", "date": date(2026, 5, 7), "ratio": 2.0}]


def test_failed_run_keeps_what_it_stored_and_the_next_continues(services, tmp_path):
    services.server.fail("/yahoo/v8/finance/chart/SPY", "500", "500", "500")
    source = services.source(DAY1, WAREHOUSE_LIVE_MAX_COMPANIES="1")
    with pytest.raises(LiveServiceError) as err:
        source.land("prices", tmp_path, print)
    assert str(err.value).startswith(f"yahoo: GET {services.server.url}/yahoo/v8/finance/chart/SPY?period1=")
    assert "last status: HTTP 500" in str(err.value)
    assert (tmp_path / "live/contract/prices/IWM.parquet").exists()
    services.server.clear()
    landed = services.source(DAY1, WAREHOUSE_LIVE_MAX_COMPANIES="1").land("prices", tmp_path, print)
    asked = [h.path.rsplit("/", 1)[1] for h in services.server.hits_to("/yahoo")]
    assert asked == ["SPY", "BE", "SNOW"]  # IWM was done: not asked again
    assert sorted(f.name for f in landed.files) == ["IWM.parquet", "SPY.parquet"]


def test_a_body_that_does_not_parse_is_set_aside(services, tmp_path):
    path = "/ishares/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax"
    good = services.server.routes[path]
    services.server.add(path, lambda p, q, h: (200, {}, b"<html>We are updating this page</html>"))
    with pytest.raises(LiveFormatError, match="ishares: the response stored as .*rejected/IWM_holdings"):
        services.source(DAY1).land("universe", tmp_path, print)
    assert (tmp_path / "live/ishares/rejected/IWM_holdings_fetched-2026-05-06.csv").read_bytes().startswith(b"<html>")
    services.server.add(path, good)
    landed = services.source(DAY1).land("universe", tmp_path, print)
    assert len(landed.files) == 2


def test_mna_events_from_filing_indexes(services, tmp_path):
    landed = services.source(DAY1).land("mna_events", tmp_path, print)
    events = {r["target_symbol"]: r for r in contract(tmp_path, "mna_events", "mna_events")}
    assert set(events) == {"STRL", "FN"}  # CIK 999999 and the bidder 888888 are not universe members
    assert (events["STRL"]["announce_date"], events["STRL"]["status"]) == (date(2025, 5, 2), "completed")
    assert events["STRL"]["forms"] == "8-K 2.01,5.01,9.01; DEFM14A"  # the S-4/A is an amendment, left out
    assert (events["FN"]["announce_date"], events["FN"]["status"]) == (date(2025, 6, 2), "announced")
    quarters = sorted(h.path.split("full-index/")[1] for h in services.server.hits_to("/sec-www/Archives"))
    assert quarters[0] == "2025/QTR1/form.idx" and quarters[-1] == "2026/QTR2/form.idx" and len(quarters) == 6
    assert "proxy" in landed.note
    # Closed quarters are final; the open one is asked again once the SEC refresh period has passed.
    services.server.clear()
    services.source(DAY2).land("mna_events", tmp_path, print)
    assert services.server.hits_to("/sec-www/Archives") == []
    services.source(DAY1 + timedelta(days=7)).land("mna_events", tmp_path, print)
    assert [h.path for h in services.server.hits_to("/sec-www/Archives")] == [
        "/sec-www/Archives/edgar/full-index/2026/QTR2/form.idx"
    ]


def test_estimates_are_absent_with_a_reason(services, tmp_path):
    landed = services.source(DAY1).land("estimates", tmp_path, print)
    assert landed.files == [] and "not available from free public sources" in landed.note


def test_offline_replay_rebuilds_the_same_files(services, tmp_path):
    online = land_all(services.source(DAY1, FRED_API_KEY=SECRET_FRED_KEY), tmp_path)
    before = {f: f.read_bytes() for landed in online.values() for f in landed.files}
    for f in before:
        f.unlink()
    services.server.clear()
    offline = land_all(services.source(DAY2, WAREHOUSE_LIVE_OFFLINE="1"), tmp_path)
    assert services.server.hits == []
    after = {f: f.read_bytes() for landed in offline.values() for f in landed.files}
    assert after == before and len(after) > 10


def test_secrets_never_land_nor_log(services, tmp_path):
    logs: list[str] = []
    land_all(services.source(DAY1, FRED_API_KEY=SECRET_FRED_KEY), tmp_path, logs.append)
    services.server.fail("/fred-api/fred/series/observations", "500", "500", "500")
    with pytest.raises(LiveServiceError) as err:
        services.source(DAY2, FRED_API_KEY=SECRET_FRED_KEY).land("rates", tmp_path, logs.append)
    assert "api_key=***" in str(err.value)
    for secret in (SECRET_FRED_KEY, SECRET_SEC_AGENT, "test.runner@example.org"):
        assert_secret_absent(tmp_path, logs + [str(err.value)], secret)
    assert SECRET_FRED_KEY not in repr(services.config(FRED_API_KEY=SECRET_FRED_KEY))


def assert_secret_absent(landing: Path, logs: list[str], secret: str) -> None:
    for f in landing.rglob("*"):
        if f.is_file():
            assert secret.encode() not in f.read_bytes(), f"{secret!r} found in {f}"
    assert not [line for line in logs if secret in line]
