"""HTTP API emulation: route precedence, payload format 2.0 events and responses."""

from __future__ import annotations

import base64
import json

from openconnector_local.functions import HttpRoute
from openconnector_local.http_api import RouteTable, build_event, translate_response

MANAGEMENT = HttpRoute("ANY", "/api/{proxy+}", "ManagementFunction", requires_auth=True)
GATEWAY = HttpRoute("ANY", "/api/endpoint/{proxy+}", "GatewayFunction", requires_auth=False)
HEALTH = HttpRoute("GET", "/api/health", "ManagementFunction", requires_auth=False)


def test_the_most_specific_route_wins_whatever_the_template_order() -> None:
    table = RouteTable([MANAGEMENT, HEALTH, GATEWAY])
    assert table.match("GET", "/api/endpoint/buildings/1") == (GATEWAY, {"proxy": "buildings/1"})
    assert table.match("GET", "/api/health") == (HEALTH, {})
    assert table.match("POST", "/api/health") == (MANAGEMENT, {"proxy": "health"})
    assert table.match("GET", "/api/sources/1") == (MANAGEMENT, {"proxy": "sources/1"})
    assert table.match("GET", "/other") is None
    assert table.match("GET", "/api/") is None  # a greedy parameter needs at least one character


def test_parameters_beat_greedy_and_default_comes_last() -> None:
    item = HttpRoute("GET", "/api/items/{id}", "Item", False)
    default = HttpRoute("ANY", "$default", "Default", False)
    table = RouteTable([default, MANAGEMENT, item])
    assert table.match("GET", "/api/items/a%20b") == (item, {"id": "a b"})
    assert table.match("GET", "/api/items/a/b") == (MANAGEMENT, {"proxy": "items/a/b"})
    assert table.match("GET", "/elsewhere") == (default, {})


def _event(**overrides: object) -> dict:
    arguments: dict = {
        "route": MANAGEMENT,
        "path_parameters": {"proxy": "sources"},
        "method": "post",
        "raw_path": "/api/sources",
        "raw_query": "a=1&a=2&b=x%20y",
        "headers": [
            ("Content-Type", "application/json"),
            ("X-Many", "1"),
            ("x-many", "2"),
            ("Cookie", "c=1; d=2"),
        ],
        "body": b'{"name": "n"}',
        "source_ip": "127.0.0.1",
        "request_id": "req-1",
        "now": 1_700_000_000.0,
    }
    arguments.update(overrides)
    return build_event(**arguments)


def test_event_has_the_payload_2_shape() -> None:
    event = _event()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "ANY /api/{proxy+}"
    assert event["rawPath"] == "/api/sources"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["headers"] == {
        "content-type": "application/json",
        "x-many": "1,2",
        "x-forwarded-proto": "http",  # added by API Gateway, as here
        "x-forwarded-for": "127.0.0.1",
    }
    assert event["cookies"] == ["c=1", "d=2"]
    assert event["pathParameters"] == {"proxy": "sources"}
    assert event["body"] == '{"name": "n"}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["http"]["method"] == "POST"
    assert context["http"]["path"] == "/api/sources"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    assert context["requestId"] == "req-1"
    assert context["timeEpoch"] == 1_700_000_000_000
    assert context["stage"] == "$default"


def test_binary_bodies_are_base64_and_empty_parts_are_left_out() -> None:
    event = _event(headers=[("Content-Type", "application/octet-stream")], body=b"\x00\xff", raw_query="")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"
    assert "queryStringParameters" not in event and "cookies" not in event
    assert "body" not in _event(body=b"")


def test_authorizer_context_is_passed_when_given() -> None:
    assert _event(authorizer={"jwt": {"claims": {}}})["requestContext"]["authorizer"] == {
        "jwt": {"claims": {}}
    }
    assert "authorizer" not in _event()["requestContext"]


def test_response_translation() -> None:
    status, headers, body = translate_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain"},
            "multiValueHeaders": {"X-A": ["1", "2"]},
            "cookies": ["s=1; Path=/"],
            "body": base64.b64encode(b"\x01\x02").decode(),
            "isBase64Encoded": True,
        }
    )
    assert status == 201
    assert headers == [
        ("Content-Type", "text/plain"),
        ("X-A", "1"),
        ("X-A", "2"),
        ("Set-Cookie", "s=1; Path=/"),
    ]
    assert body == b"\x01\x02"


def test_a_plain_return_value_becomes_a_json_200() -> None:
    assert translate_response({"hello": "world"}) == (
        200,
        [("Content-Type", "application/json")],
        json.dumps({"hello": "world"}).encode(),
    )
