"""A real HTTP server on 127.0.0.1 for the live adapters' tests, with faults on request.

Routes are plain functions `(path, query, headers) -> (status, headers, body)`. A test queues
faults per path: "429" (with Retry-After: 0), "500", "timeout" (the server sleeps past the
client's timeout before answering) and "truncate" (the status line and a full
Content-Length, then half the body and a closed connection). Every request is logged with
its path, query, headers and arrival time, so tests assert what was asked and when.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Response = tuple[int, dict[str, str], bytes]
Route = Callable[[str, dict[str, str], dict[str, str]], Response]


@dataclass
class Hit:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float
    fault: str | None


@dataclass
class LocalServer:
    routes: dict[str, Route] = field(default_factory=dict)
    prefix_routes: list[tuple[str, Route]] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    hang_seconds: float = 1.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> LocalServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                with server._lock:
                    queue = server.faults.get(parts.path) or []
                    fault = queue.pop(0) if queue else None
                    server.hits.append(Hit(parts.path, query, headers, time.monotonic(), fault))
                if fault == "429":
                    return self._send(429, {"Retry-After": "0"}, b"Too Many Requests")
                if fault and fault.isdigit():  # any other status: "500", "502", "503", "504", "501"
                    return self._send(int(fault), {}, f"HTTP {fault}".encode())
                if fault == "timeout":
                    time.sleep(server.hang_seconds)
                route = server.route(parts.path)
                status, extra, body = route(parts.path, query, headers) if route else (404, {}, b"Not Found")
                if fault == "truncate":
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self._send(status, extra, body)

            def _send(self, status: int, extra: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        return next((r for p, r in self.prefix_routes if path.startswith(p)), None)

    def add(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def add_prefix(self, prefix: str, route: Route) -> None:
        self.prefix_routes.append((prefix, route))

    def fail(self, path: str, *faults: str) -> None:
        with self._lock:
            self.faults.setdefault(path, []).extend(faults)

    def hits_to(self, path_prefix: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path.startswith(path_prefix)]

    def clear(self) -> None:
        with self._lock:
            self.hits.clear()
            self.faults.clear()
