from __future__ import annotations

from typing import Any

from tests.functional.conftest import LocalServer


def test_proxy_passes_through(gateway: Any, local_http_server: LocalServer) -> None:
    source = gateway.create("sources", {"name": "pets", "location": local_http_server.url})
    gateway.endpoint("pets/{{id}}", "POST", targetType="api", targetId=source["id"])
    local_http_server.reply = (201, {"Content-Type": "application/json", "X-Upstream": "yes"}, b'{"id": 7}')

    answer = gateway.post("pets/7", {"name": "rex"}, query={"x": "1"}, headers={"X-Forwarded-For": "1.2.3.4"})

    assert answer.status == 201, answer.text
    assert answer.body == {"id": 7}
    assert answer.header("X-Upstream") == "yes"
    seen = local_http_server.requests[-1]
    assert seen.path == "/pets/7?x=1"
    assert seen.body == b'{"name": "rex"}'
    assert "X-Forwarded-For" not in seen.headers
