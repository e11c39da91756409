"""Reading a gateway request and writing its response: no sockets, just data."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from openconnector_core.errors import BadRequestError
from openconnector_core.gateway.request import PayloadTooLargeError, from_event, php_query
from openconnector_core.gateway.response import GatewayResponse, json_response, to_event, transform_error


def event(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "rawPath": "/api/endpoint/api/buildings/a%2Fb",
        "rawQueryString": "page=2&tags[]=x&tags[]=y&filter[city]=Utrecht",
        "headers": {
            "host": "gw.example",
            "x-api-key": "k",
            "content-type": "application/json",
            "accept-crs": "EPSG:4326",
        },
        "requestContext": {"http": {"method": "post"}, "requestId": "r-1"},
        "body": json.dumps({"name": "Town hall", "page": "body wins"}),
        "isBase64Encoded": False,
    }
    base.update(overrides)
    return base


def test_the_request_as_the_flow_token_sees_it() -> None:
    request = from_event(event())

    assert request.method == "POST"
    assert request.path == "api/buildings/a%2Fb"  # an encoded slash stays inside its segment
    assert request.query == {"page": "2", "tags": ["x", "y"], "filter": {"city": "Utrecht"}}
    assert request.parameters["page"] == "body wins"
    assert request.token_headers == {"host": "gw.example", "x_api_key": "k", "accept_crs": "EPSG:4326"}
    assert request.url({"page": 3}) == "https://gw.example/api/endpoint/api/buildings/a%2Fb?page=3"


def test_bodies_json_form_xml_and_base64() -> None:
    form = from_event(event(body="a=1&b[]=2", headers={"content-type": "application/x-www-form-urlencoded"}))
    assert form.body_params == {"a": "1", "b": ["2"]}
    xml = from_event(event(body="<pet><name>Rex</name></pet>", headers={"content-type": "application/xml"}))
    assert xml.body_params == {"name": "Rex"}
    raw = from_event(event(body=base64.b64encode(b"\x00\x01").decode(), isBase64Encoded=True, headers={}))
    assert raw.raw_body == b"\x00\x01" and raw.body_params == {}
    listed = from_event(event(body="[1, 2]"))
    assert listed.body_data == [1, 2] and listed.body_params == {}


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [("{not json", "application/json", "not valid JSON"), ("<a><b></a>", "text/xml", "not valid XML")],
)
def test_unreadable_bodies_are_named(body: str, content_type: str, message: str) -> None:
    with pytest.raises(BadRequestError, match=message):
        from_event(event(body=body, headers={"content-type": content_type}))


def test_a_body_over_six_megabytes_is_refused_before_parsing() -> None:
    with pytest.raises(PayloadTooLargeError):
        from_event(event(body="x" * (6 * 1024 * 1024 + 1)))


def test_php_query_edge_cases() -> None:
    assert php_query("a=1&a=2") == {"a": "2"}
    assert php_query("a[x][y]=1&a[x][z]=2") == {"a": {"x": {"y": "1", "z": "2"}}}
    assert php_query("a[]=1&a[x]=2") == {"a": ["1"]}
    assert php_query("empty=") == {"empty": ""}


def test_validation_errors_of_the_original_become_invalid_params() -> None:
    missing = json_response(
        400,
        {
            "message": "Validation failed",
            "errors": [{"message": "The required properties (name, email) are missing"}],
        },
    )
    typed = json_response(
        400,
        {
            "message": "Validation failed",
            "errors": [
                {
                    "message": "Invalid",
                    "errors": {
                        "age": ["The data (string) must match the type: integer"],
                        "size": ["must be >= 0"],
                    },
                }
            ],
        },
    )

    first = transform_error(missing, "i-1").body
    second = transform_error(typed, "i-2").body

    assert first["detail"] == "The required properties (name, email) are missing"
    assert first["invalidParams"] == [
        {"property": "name", "code": "required", "reason": "The required property is missing"},
        {"property": "email", "code": "required", "reason": "The required property is missing"},
    ]
    assert [param["code"] for param in second["invalidParams"]] == ["invalid type", "invalid value"]
    assert transform_error(json_response(200, {"ok": 1}), "i").body == {"ok": 1}


def test_responses_binary_xml_and_credentials() -> None:
    binary = to_event(
        GatewayResponse(200, raw=b"\xff\x00", headers={"Content-Type": "application/pdf"}),
        accept=None,
        origin=None,
    )
    assert binary["isBase64Encoded"] and base64.b64decode(binary["body"]) == b"\xff\x00"
    xml = to_event(json_response(200, {"a": 1}), accept="application/xml;q=0.9", origin="https://x")
    assert xml["headers"]["Content-Type"] == "application/xml" and "<a>1</a>" in xml["body"]
    assert xml["headers"]["Access-Control-Allow-Origin"] == "https://x"
    sneaky = to_event(
        json_response(200, {}, {"Access-Control-Allow-Credentials": "true"}), accept=None, origin="https://x"
    )
    assert sneaky["headers"]["Access-Control-Allow-Credentials"] == "false"
    empty = to_event(GatewayResponse(204), accept=None, origin=None)
    assert empty["body"] == ""


def test_percent_escapes_are_decoded_except_a_slash() -> None:
    request = from_event(event(rawPath="/api/endpoint/api/buildings/caf%C3%A9%20x/a%2fb"))

    assert request.path == "api/buildings/café x/a%2Fb"
    assert request.url().startswith("https://gw.example/api/endpoint/api/buildings/caf%C3%A9%20x/a%2Fb?")


def test_a_deeply_nested_json_body_is_a_clear_400() -> None:
    with pytest.raises(BadRequestError, match="nested too deeply"):
        from_event(event(body="[" * 100_000 + "]" * 100_000))
