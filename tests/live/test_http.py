"""The shared HTTP client against a real server on 127.0.0.1: retries, backoff, rate limit, final error."""

from __future__ import annotations

import socket
import time
from itertools import pairwise

import pytest
import requests

from pipelines.sources.live.http import LiveServiceError, RateLimiter, RetryPolicy, ServiceClient, mask_url

BODY = ("observation_date,DGS10\n" + "".join(f"2025-01-{d:02d},4.{d:02d}\n" for d in range(1, 29))).encode()
PATH = "/fred/graph/fredgraph.csv"


@pytest.fixture
def fred(server):
    server.add(PATH, lambda p, q, h: (200, {"Content-Type": "text/csv"}, BODY))
    return server


def make_client(log: list[str], per_second: float = 1000.0, secrets=(), **policy) -> ServiceClient:
    settings = {
        "timeout_seconds": 0.3,
        "max_retries": 2,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        **policy,
    }
    return ServiceClient(
        "fred", requests.Session(), RateLimiter(per_second), RetryPolicy(**settings), log.append, secrets=secrets
    )


def gaps(hits) -> list[float]:
    return [b.at - a.at for a, b in pairwise(hits)]


def test_throttled_then_served(fred, log_lines):
    fred.fail(PATH, "429", "500")
    got = make_client(log_lines).get(f"{fred.url}{PATH}", {"id": "DGS10"})
    assert got.status == 200 and got.body == BODY
    assert [h.fault for h in fred.hits_to(PATH)] == ["429", "500", None]
    assert "fred: HTTP 429 on GET" in log_lines[0] and "retry 1/2" in log_lines[0]
    assert "HTTP 500" in log_lines[1] and "retry 2/2" in log_lines[1]


@pytest.mark.parametrize("status", ["429", "500", "502", "503", "504"])
def test_every_transient_status_is_retried(fred, log_lines, status):
    fred.fail(PATH, status)
    got = make_client(log_lines).get(f"{fred.url}{PATH}", {"id": "DGS10"})
    assert got.status == 200 and got.body == BODY
    assert [h.fault for h in fred.hits_to(PATH)] == [status, None]
    assert f"fred: HTTP {status} on GET" in log_lines[0] and "retry 1/2" in log_lines[0]


@pytest.mark.parametrize("status", ["501", "403"])
def test_a_permanent_server_answer_is_not_retried(fred, log_lines, status):
    fred.fail(PATH, status)
    with pytest.raises(LiveServiceError, match=rf"after 1 attempt\(s\); last status: HTTP {status} \(not retryable"):
        make_client(log_lines).get(f"{fred.url}{PATH}")
    assert len(fred.hits_to(PATH)) == 1


def test_backoff_grows_exponentially(fred, log_lines):
    fred.fail(PATH, "500", "500", "500")
    client = make_client(log_lines, max_retries=3, backoff_base_seconds=0.08, backoff_max_seconds=1.0)
    client.get(f"{fred.url}{PATH}")
    waits = gaps(fred.hits_to(PATH))
    # Equal jitter: retry n waits between half and all of base * 2**(n-1) (less 5 ms of arrival jitter).
    assert waits[0] >= 0.035 and waits[1] >= 0.075 and waits[2] >= 0.155
    assert waits[2] > waits[0]


def test_jitter_spreads_waits_within_bounds():
    policy = RetryPolicy(backoff_base_seconds=1.0, backoff_max_seconds=5.0)
    third = [policy.delay(3) for _ in range(200)]
    assert all(2.0 <= w <= 4.0 for w in third) and len({round(w, 6) for w in third}) > 100
    assert all(2.5 <= policy.delay(10) <= 5.0 for _ in range(50))  # capped at the maximum


def test_retry_after_is_honoured(server, log_lines):
    answers = iter([(429, {"Retry-After": "0.4"}, b"slow down"), (200, {}, b"ok")])
    server.add("/api", lambda p, q, h: next(answers))
    make_client(log_lines).get(f"{server.url}/api")
    assert gaps(server.hits_to("/api"))[0] >= 0.39


def test_server_errors_until_retries_run_out(fred, log_lines):
    fred.fail(PATH, "500", "500", "500")
    with pytest.raises(LiveServiceError) as err:
        make_client(log_lines).get(f"{fred.url}{PATH}", {"id": "DGS10"})
    e = err.value
    assert (e.service, e.last_status, e.attempts) == ("fred", 500, 3)
    assert str(e) == (
        f"fred: GET {fred.url}{PATH}?id=DGS10 failed after 3 attempt(s); last status: HTTP 500 (HTTP 500)"
    )
    assert len(fred.hits_to(PATH)) == 3


def test_timeout_is_retried(fred, log_lines):
    fred.fail(PATH, "timeout")
    started = time.monotonic()
    got = make_client(log_lines, timeout_seconds=0.2).get(f"{fred.url}{PATH}")
    assert got.body == BODY
    assert time.monotonic() - started >= 0.2
    assert "timed out after 0.2s" in log_lines[0]


def test_timeouts_until_retries_run_out(fred, log_lines):
    fred.fail(PATH, "timeout", "timeout")
    with pytest.raises(
        LiveServiceError, match=r"after 2 attempt\(s\); last status: no response \(timed out after 0.2s\)"
    ):
        make_client(log_lines, timeout_seconds=0.2, max_retries=1).get(f"{fred.url}{PATH}")


def test_body_cut_short_is_fetched_again_whole(fred, log_lines):
    fred.fail(PATH, "truncate")
    got = make_client(log_lines).get(f"{fred.url}{PATH}")
    assert got.body == BODY
    assert [h.fault for h in fred.hits_to(PATH)] == ["truncate", None]
    assert "HTTP 200, body cut short" in log_lines[0]


def test_bodies_cut_short_until_retries_run_out(fred, log_lines):
    fred.fail(PATH, "truncate", "truncate", "truncate")
    with pytest.raises(LiveServiceError, match=r"last status: HTTP 200 \(HTTP 200, body cut short\)"):
        make_client(log_lines).get(f"{fred.url}{PATH}")


def test_client_errors_are_answers_not_hiccups(server, log_lines):
    with pytest.raises(
        LiveServiceError, match=r"after 1 attempt\(s\); last status: HTTP 404 \(not retryable: Not Found\)"
    ):
        make_client(log_lines).get(f"{server.url}/missing")
    assert len(server.hits_to("/missing")) == 1
    assert make_client(log_lines).get(f"{server.url}/missing", accept=(404,)).status == 404


def test_connection_refused(log_lines):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the request: nobody listens
    with pytest.raises(LiveServiceError, match=r"last status: no response \(connection failed"):
        make_client(log_lines, max_retries=1).get(f"http://127.0.0.1:{port}/x")
    assert len(log_lines) == 1


def test_rate_limit_spaces_requests(fred, log_lines):
    client = make_client(log_lines, per_second=20.0)
    for _ in range(6):
        client.get(f"{fred.url}{PATH}")
    hits = fred.hits_to(PATH)
    assert len(hits) == 6
    # Starts are 1/20 s apart; arrival times at the server jitter a little on a busy machine.
    assert hits[-1].at - hits[0].at >= 5 * 0.05 - 0.01
    assert min(gaps(hits)) >= 0.025


def test_rate_limit_is_shared_by_clients_of_one_service(fred, log_lines):
    limiter = RateLimiter(10.0)
    policy = RetryPolicy(timeout_seconds=1.0, max_retries=0)
    a, b = (ServiceClient("sec", requests.Session(), limiter, policy, log_lines.append) for _ in range(2))
    for client in (a, b, a, b):
        client.get(f"{fred.url}{PATH}")
    hits = fred.hits_to(PATH)
    assert hits[-1].at - hits[0].at >= 3 * 0.1 - 0.01 and min(gaps(hits)) >= 0.05


def test_secrets_never_shown(server, log_lines):
    key = "sekrit-key-42"
    server.add(
        "/obs", lambda p, q, h: (400, {}, f'{{"error_message": "api_key {q.get("api_key")} not registered"}}'.encode())
    )
    server.fail("/obs", "500")
    with pytest.raises(LiveServiceError) as err:
        make_client(log_lines, secrets=(key,)).get(f"{server.url}/obs", {"series_id": "DGS10", "api_key": key})
    shown = str(err.value) + "\n".join(log_lines)
    assert key not in shown
    assert "api_key=***" in str(err.value) and "api_key *** not registered" in str(err.value)
    assert server.hits_to("/obs")[0].query["api_key"] == key  # the server did get it


def test_mask_url():
    assert mask_url("https://x.org/a?series_id=DFF&api_key=abc&file_type=json") == (
        "https://x.org/a?series_id=DFF&api_key=***&file_type=json"
    )
