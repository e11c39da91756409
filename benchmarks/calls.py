"""Call-engine overhead: N calls through CallEngine vs N raw httpx calls to the same local server.

    .venv/bin/python benchmarks/calls.py [N]

A threaded keep-alive HTTP/1.1 server on 127.0.0.1 answers a small JSON document. The engine runs
with everything a real call does (source lookup, config merge, SSRF guard, redaction, rate-limit
bookkeeping, call-log write to the in-memory log store); raw httpx reuses one client. Prints calls/s
for both and the ratio.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from openconnector_core.entities.service import EntityService
from openconnector_core.settings import Settings
from openconnector_core.sources import CallEngine
from openconnector_core.store.memory import MemoryEntityStore, MemoryLogStore, MemorySecretStore

BODY = json.dumps({"results": [{"id": i, "name": f"item {i}"} for i in range(10)]}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        return


def measure(label: str, n: int, call) -> float:
    for _ in range(min(50, n)):  # warm up: connections, caches
        call()
    started = time.perf_counter()
    for _ in range(n):
        call()
    elapsed = time.perf_counter() - started
    rate = n / elapsed
    print(f"{label:<28} {n} calls in {elapsed:6.2f}s  {rate:8.0f} calls/s  {elapsed / n * 1e6:7.0f} µs/call")
    return rate


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        logs = MemoryLogStore()
        entities = EntityService(MemoryEntityStore(), MemorySecretStore(), logs=logs)
        source = entities.create(
            "sources",
            {
                "name": "bench",
                "location": url,
                "type": "api",
                "isEnabled": True,
                "configuration": {"headers.Accept": "application/json", "query.limit": 10},
            },
        ).item
        engine = CallEngine(entities, logs, Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32"))
        raw = httpx.Client(headers={"Accept": "application/json"})

        def engine_call() -> None:
            result = engine.call(source["id"], "/items")
            assert result["statusCode"] == 200

        def raw_call() -> None:
            response = raw.get(f"{url}/items", params={"limit": 10})
            assert response.status_code == 200
            response.json()

        raw_rate = measure("raw httpx (one client)", n, raw_call)
        engine_rate = measure("CallEngine.call", n, engine_call)
        print(f"ratio engine/raw: {engine_rate / raw_rate:.2f} (overhead {raw_rate / engine_rate:.2f}x)")
        engine.close()
        raw.close()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
