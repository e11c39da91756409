"""The gateway handler on the in-memory container: endpoints and rules are created through the
entity service (as the management API does), requests are HTTP API events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.conftest import HttpResult, decode, load_handler
from tests.functional.events import FakeLambdaContext, http_event

GATEWAY_ROUTE = "ANY /api/endpoint/{proxy+}"


@pytest.fixture
def container() -> Iterator[Any]:
    """In memory, with 127.0.0.1 reachable (the local upstreams of these tests)."""
    from openconnector_core.container import Container, set_container
    from openconnector_core.settings import Settings

    instance = Container.in_memory(Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32"))
    set_container(instance)
    yield instance
    instance.call_engine.close()
    set_container(None)


class GatewayClient:
    def __init__(self, container: Any) -> None:
        self.container = container
        self.module = load_handler("gateway")
        self.context = FakeLambdaContext(function_name="GatewayFunction")
        self._counter = 0
        self._rules = 0

    def create(self, resource: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.container.entities.create(resource, body).item)

    def endpoint(self, path: str, method: str = "GET", **fields: Any) -> dict[str, Any]:
        return self.create(
            "endpoints", {"name": f"{method} {path}", "endpoint": path, "method": method, **fields}
        )

    def rule(self, rule_type: str, configuration: dict[str, Any] | None = None, **fields: Any) -> str:
        self._rules += 1
        rule = self.create(
            "rules",
            {
                "name": f"{rule_type} rule {self._rules}",
                "type": rule_type,
                "configuration": configuration or {},
                **fields,
            },
        )
        return str(rule["id"])

    def request(self, method: str, path: str, **kwargs: Any) -> HttpResult:
        self._counter += 1
        kwargs.setdefault("request_id", f"gw-{self._counter:04d}")
        event = http_event(method, f"/api/endpoint/{path}", route_key=GATEWAY_ROUTE, **kwargs)
        response = self.module.lambda_handler(event, self.context)
        if response.get("isBase64Encoded"):  # binary: the test reads raw["body"]
            return HttpResult(response["statusCode"], dict(response["headers"]), None, "", response)
        return decode(response)

    def get(self, path: str, **kwargs: Any) -> HttpResult:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> HttpResult:
        return self.request("POST", path, body=body, **kwargs)


@pytest.fixture
def gateway(container: Any) -> GatewayClient:
    return GatewayClient(container)
