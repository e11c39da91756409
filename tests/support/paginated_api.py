"""A paginated JSON API and a recording API target on 127.0.0.1, for synchronization tests and the
sync benchmark. One server speaks every pagination style a synchronization can follow:

* ``/original?page=N``            ``{"results": [...]}``, an empty page after the last (§5.3)
* ``/next?page=N``                ``{"results": [...], "next": "<absolute url>" | null}``
* ``/page_number?page=N``         ``{"data": [...], "total_pages": T}`` (pages from 0, dlt's default)
* ``/offset?offset=O&limit=L``    ``{"data": [...], "total": N}``
* ``/json_link?page=N``           ``{"data": [...], "links": {"next": "<url>" | null}}``
* ``/header_link?page=N``         ``[...]`` with an RFC 8288 ``Link: <url>; rel="next"`` header
* ``/cursor?cursor=C``            ``{"data": [...], "cursors": {"next": C' | null}}``
* ``/single``                     ``[...]`` every record
* ``/detail/{id}``                ``{"detail": "about {id}"}`` (extra data per object)
* ``/target`` (POST), ``/target/{id}`` (PUT, DELETE): an API target that records what it received

Faults are scripted per ``(path, page)``: a list of statuses answered before the real page
(``503``, ``429`` with ``Retry-After``, ``"invalid-json"``, ``"slow"``).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class ApiState:
    records: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 10
    faults: dict[tuple[str, int], list[Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path?query)
    received: list[dict[str, Any]] = field(default_factory=list)  # what the target got
    target_faults: list[int] = field(default_factory=list)  # statuses the target answers next
    slow_seconds: float = 2.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def fault(self, path: str, page: int) -> Any:
        with self.lock:
            queue = self.faults.get((path, page))
            return queue.pop(0) if queue else None

    def pages(self) -> int:
        return max(1, -(-len(self.records) // self.page_size))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, payload: Any, **headers: str) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        with state.lock:
            state.requests.append((method, self.path))
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        path = parts.path
        if path.startswith("/target"):
            self._target(method, path)
            return
        if path.startswith("/detail/"):
            self._send(200, {"detail": f"about {path.rsplit('/', 1)[-1]}"})
            return
        size = int(query.get("limit") or state.page_size)
        number = self._page_number(path, query, size)
        fault = state.fault(path, number)
        if fault == "invalid-json":
            self._send(200, b"{not json")
            return
        if fault == "slow":
            time.sleep(state.slow_seconds)
        elif fault == 429:
            self._send(429, {"error": "slow down"}, Retry_After="0")
            return
        elif isinstance(fault, int):
            self._send(fault, {"error": "injected"})
            return
        self._page(path, query, number, size)

    @staticmethod
    def _page_number(path: str, query: dict[str, str], size: int) -> int:
        if path == "/offset":
            return int(query.get("offset") or 0) // size + 1
        if path == "/page_number":
            return int(query.get("page") or 0) + 1
        if path == "/cursor":
            return int(query.get("cursor") or 1)
        return int(query.get("page") or 1)

    def _page(self, path: str, query: dict[str, str], number: int, size: int) -> None:
        state = self.server.state
        with state.lock:
            records = list(state.records)
        total_pages = max(1, -(-len(records) // size))
        chunk = records[(number - 1) * size : number * size]
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        more = number < total_pages
        if path == "/original":
            self._send(200, {"results": chunk})
        elif path == "/next":
            self._send(200, {"results": chunk, "next": f"{base}/next?page={number + 1}" if more else None})
        elif path == "/page_number":
            self._send(200, {"data": chunk, "total_pages": total_pages})
        elif path == "/offset":
            self._send(200, {"data": chunk, "total": len(records)})
        elif path == "/json_link":
            self._send(
                200,
                {"data": chunk, "links": {"next": f"{base}/json_link?page={number + 1}" if more else None}},
            )
        elif path == "/header_link":
            headers = {"Link": f'<{base}/header_link?page={number + 1}>; rel="next"'} if more else {}
            self._send(200, chunk, **headers)
        elif path == "/cursor":
            self._send(200, {"data": chunk, "cursors": {"next": str(number + 1) if more else None}})
        elif path == "/single":
            self._send(200, records)
        else:
            self._send(404, {"error": "no such path"})

    def _target(self, method: str, path: str) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"null") if length else None
        with state.lock:
            status = state.target_faults.pop(0) if state.target_faults else None
            state.received.append({"method": method, "path": path, "body": body})
            new_id = f"t-{next(state._ids)}"
        if status is not None:
            self._send(status, {"error": "target refused"})
        elif method == "POST":
            self._send(201, {**(body or {}), "id": new_id})
        elif method == "PUT":
            self._send(200, body)
        else:
            self._send(204, b"")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: ApiState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class PaginatedApi:
    """Start/stop the API in a background thread; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, records: int = 0, page_size: int = 10) -> None:
        self.state = ApiState(
            records=[{"id": str(n), "name": f"record {n}", "value": n} for n in range(1, records + 1)],
            page_size=page_size,
        )
        self._server = _Server(self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> PaginatedApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def gets(self, path: str) -> int:
        return sum(1 for method, seen in self.state.requests if method == "GET" and seen.startswith(path))
