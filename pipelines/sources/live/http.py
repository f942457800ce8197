"""The one HTTP client every adapter uses: timeouts, retries with backoff and jitter, a rate limit.

Free public services throttle (429), hiccup (5xx), drop connections and cut bodies short;
all of those are retried with exponential backoff and jitter, honouring Retry-After. Any
other 4xx is an answer, not a hiccup: the caller either accepts it (404 "no such
company") or it fails at once. When retries run out the error names the service, the
request (with secrets masked) and the last status seen.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from pipelines.sources.base import Log

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Query parameters whose values are secrets: masked wherever a URL is shown.
SECRET_PARAMS = frozenset({"api_key", "apikey", "token"})


class LiveServiceError(RuntimeError):
    """A request that could not be completed; says which service, which request, what happened last."""

    def __init__(self, service: str, request: str, last_status: int | None, attempts: int, detail: str):
        self.service, self.request, self.last_status, self.attempts = service, request, last_status, attempts
        status = f"HTTP {last_status}" if last_status is not None else "no response"
        super().__init__(f"{service}: {request} failed after {attempts} attempt(s); last status: {status} ({detail})")


@dataclass(frozen=True)
class RetryPolicy:
    timeout_seconds: float = 30.0
    max_retries: int = 5
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 60.0
    # A throttling service's Retry-After is obeyed up to this long (it knows better than our backoff).
    retry_after_max_seconds: float = 300.0

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1-based).

        Equal jitter: half the exponential step is fixed, half random, so clients that
        failed together do not retry together, yet the wait still grows with each retry.
        """
        step = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (retry - 1))
        wait = step / 2 + random.uniform(0, step / 2)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.retry_after_max_seconds))
        return wait


class RateLimiter:
    """At most `per_second` request starts a second for one service (shared by its clients)."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = 1.0 / per_second
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


def mask_url(url: str, secrets: Iterable[str] = ()) -> str:
    """The URL as it may be shown: secret query values and any secret text replaced by ***."""
    parts = urlsplit(url)
    query = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    shown = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe=",:^*"), parts.fragment))
    for secret in secrets:
        if secret:
            shown = shown.replace(secret, "***")
    return shown


@dataclass
class Fetched:
    status: int
    body: bytes


class ServiceClient:
    """GET requests to one service, with its headers, rate limit and retry policy."""

    def __init__(
        self,
        service: str,
        session: requests.Session,
        limiter: RateLimiter,
        policy: RetryPolicy,
        log: Log,
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.service = service
        self.session = session
        self.limiter = limiter
        self.policy = policy
        self.log = log
        self.headers = dict(headers or {})
        self.secrets = tuple(s for s in secrets if s)
        self._sleep = sleep

    def get(self, url: str, params: Mapping[str, str] | None = None, accept: Iterable[int] = ()) -> Fetched:
        """The response body, read in full.

        Statuses in `accept` (besides 200) are returned to the caller; a retryable failure
        is retried up to the policy's limit; anything else raises LiveServiceError.
        """
        accepted = {200, *accept}
        prepared = requests.Request("GET", url, params=params).prepare().url or url
        shown = mask_url(prepared, self.secrets)
        request = f"GET {shown}"
        attempts = self.policy.max_retries + 1
        last_status: int | None = None
        detail = ""
        for attempt in range(1, attempts + 1):
            self.limiter.wait()
            retry_after = None
            response = None
            try:
                # stream=True: the status is known before the body is read, so a body cut
                # short is reported with the status it came with.
                response = self.session.get(
                    prepared, headers=self.headers, timeout=self.policy.timeout_seconds, stream=True
                )
                last_status = response.status_code
                body = response.content
                if last_status in accepted:
                    return Fetched(last_status, body)
                if last_status not in RETRY_STATUSES:
                    raise LiveServiceError(
                        self.service, request, last_status, attempt, f"not retryable: {_snippet(body, self.secrets)}"
                    )
                retry_after = _retry_after(response.headers.get("Retry-After"))
                detail = f"HTTP {last_status}"
            except requests.Timeout:
                last_status, detail = None, f"timed out after {self.policy.timeout_seconds:g}s"
            except requests.exceptions.ChunkedEncodingError:
                detail = f"HTTP {last_status}, body cut short"
            except requests.ConnectionError as e:
                # The exception text may quote the URL with its secrets: only its kind is shown.
                if response is not None and "timed out" in str(e).lower():
                    detail = f"HTTP {last_status}, body timed out after {self.policy.timeout_seconds:g}s"
                else:
                    last_status, detail = None, f"connection failed ({type(e).__name__})"
            finally:
                if response is not None:
                    response.close()
            if attempt == attempts:
                break
            wait = self.policy.delay(attempt, retry_after)
            self.log(f"{self.service}: {detail} on {request}; retry {attempt}/{self.policy.max_retries} in {wait:.1f}s")
            self._sleep(wait)
        raise LiveServiceError(self.service, request, last_status, attempts, detail)


def _retry_after(value: str | None) -> float | None:
    # Only the delta-seconds form: services that throttle us send that one.
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _snippet(body: bytes, secrets: tuple[str, ...]) -> str:
    text = body[:200].decode("utf-8", errors="replace").strip().replace("\n", " ")
    for secret in secrets:
        text = text.replace(secret, "***")
    return text or "(empty body)"
