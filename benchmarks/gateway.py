"""Gateway overhead: warm in-process handler latency against the same upstream called directly.

    .venv/bin/python benchmarks/gateway.py [N]

(a) a proxy endpoint with an ``authentication`` (apikey) rule and an after ``mapping`` rule, through
    ``functions/gateway/app.py`` on API Gateway events, against a keep-alive HTTP/1.1 server on
    127.0.0.1; the baseline is the same request sent with one reused ``httpx.Client``.
(a') the same endpoint with the upstream in process (``httpx.MockTransport``) against
    ``CallEngine.call`` alone: what the gateway itself adds (request, chain, mapping, response).
(b) an object-store GET (``register/schema`` target, in-memory stores) through the handler; the
    baseline is ``ObjectService.get`` called directly.

Interleaved rounds (gateway, baseline, gateway, ...) so machine noise hits both alike. Prints p50 and
p99 of each, the added latency (gateway − baseline, per percentile) and the ratio.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BODY = json.dumps({"results": [{"id": i, "name": f"item {i}", "kind": "pet"} for i in range(10)]}).encode()


class Upstream(BaseHTTPRequestHandler):
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


def event(path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "ANY /api/endpoint/{proxy+}",
        "rawPath": f"/api/endpoint/{path}",
        "rawQueryString": "",
        "headers": {"host": "bench.example", "accept": "application/json", **(headers or {})},
        "requestContext": {"http": {"method": "GET", "path": f"/api/endpoint/{path}"}, "requestId": "bench"},
        "isBase64Encoded": False,
    }


class Context:
    function_name = "GatewayFunction"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:GatewayFunction"
    aws_request_id = "bench"


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def compare(
    label: str, n: int, gateway: Callable[[], Any], baseline: Callable[[], Any], base_label: str
) -> None:
    for _ in range(100):  # warm: connections, caches, compiled templates
        gateway()
        baseline()
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        gateway()
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline()
        theirs.append((time.perf_counter() - started) * 1000)
    g50, g99 = percentiles(ours)
    b50, b99 = percentiles(theirs)
    print(f"\n{label}")
    print(f"  {'gateway handler':<26} p50 {g50:7.3f} ms   p99 {g99:7.3f} ms")
    print(f"  {base_label:<26} p50 {b50:7.3f} ms   p99 {b99:7.3f} ms")
    print(f"  {'added':<26} p50 {g50 - b50:7.3f} ms   p99 {g99 - b99:7.3f} ms   ratio p50 {g50 / b50:5.2f}x")


def build(url: str, transport: httpx.BaseTransport | None) -> tuple[Any, str, str]:
    """A container with the benchmark's source, rules, endpoints and one object."""
    from openconnector_core.container import Container
    from openconnector_core.settings import Settings

    settings = Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32")
    container = Container.in_memory(settings, http_transport=transport)
    entities = container.entities
    source = entities.create("sources", {"name": "upstream", "location": url}).item
    mapping = entities.create("mappings", {"name": "slim", "mapping": {"title": "name"}}).item
    auth = entities.create(
        "rules",
        {
            "name": "key",
            "type": "authentication",
            "configuration": {"authentication": {"type": "apikey", "keys": {"k-1": "app"}}},
        },
    ).item
    shape = entities.create(
        "rules",
        {
            "name": "shape",
            "type": "mapping",
            "timing": "after",
            "action": "GET",
            "configuration": {"mapping": mapping["id"]},
        },
    ).item
    entities.create(
        "endpoints",
        {
            "name": "pets",
            "endpoint": "pets",
            "method": "GET",
            "targetType": "api",
            "targetId": source["id"],
            "rules": [auth["id"], shape["id"]],
        },
    )
    entities.create("schemas", {"title": "Pet", "properties": {"name": {"type": "string"}}})
    entities.create("registers", {"title": "Zoo", "schemas": ["pet"]})
    entities.create(
        "endpoints",
        {
            "name": "pet",
            "endpoint": "zoo/{{id}}",
            "method": "GET",
            "targetType": "register/schema",
            "targetId": "zoo/pet",
        },
    )
    pet_id = container.objects.create("zoo/pet", {"name": "Rex"}).object["id"]

    return container, str(source["id"]), str(pet_id)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "openconnector")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    logging.disable(logging.INFO)

    from openconnector_core.container import set_container

    server = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    container, _, pet_id = build(url, None)
    mocked, mocked_source, _ = build(
        url,
        httpx.MockTransport(
            lambda request: httpx.Response(200, headers={"Content-Type": "application/json"}, content=BODY)
        ),
    )
    set_container(container)

    spec = importlib.util.spec_from_file_location("gateway_app", ROOT / "functions" / "gateway" / "app.py")
    assert spec is not None and spec.loader is not None
    app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(app)
    context = Context()
    proxy_event = event("pets", {"authorization": "k-1"})
    object_event = event(f"zoo/{pet_id}")
    answer = app.lambda_handler(proxy_event, context)
    assert answer["statusCode"] == 200 and '"title":"item 0"' in answer["body"], answer
    assert app.lambda_handler(object_event, context)["statusCode"] == 200

    client = httpx.Client()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "(on a loaded machine the p99s are mostly preemption)",
    )
    compare(
        f"(a) proxy + apikey rule + mapping rule, {n} requests",
        n,
        lambda: app.lambda_handler(proxy_event, context),
        lambda: client.get(f"{url}/pets").json(),
        "httpx → upstream direct",
    )
    compare(
        f"(b) object-store GET, {n} requests",
        n,
        lambda: app.lambda_handler(object_event, context),
        lambda: container.objects.get("zoo/pet", pet_id),
        "ObjectService.get direct",
    )
    compare(
        f"(b') object-store GET vs the upstream, {n} requests",
        n,
        lambda: app.lambda_handler(object_event, context),
        lambda: client.get(f"{url}/pets").json(),
        "httpx → upstream direct",
    )
    set_container(mocked)
    compare(
        f"(a') the same endpoint, upstream in process (httpx.MockTransport), {n} requests",
        n,
        lambda: app.lambda_handler(proxy_event, context),
        lambda: mocked.call_engine.call(mocked_source, "/pets", "GET"),
        "CallEngine.call alone",
    )
    client.close()
    server.shutdown()


if __name__ == "__main__":
    main()
