"""Mapping test, condition test, source test and call logs through the management handler."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import LocalServer, Management


# ------------------------------------------------------------------------------------ mappings
def test_mapping_test_inline(management: Management) -> None:
    response = management.post(
        "/api/mappings/test",
        {
            "inputObject": {"id": "123", "name": "doggie", "status": "available"},
            "mapping": {"mapping": {"id": "id", "name": "name", "metadata.status": "status"}},
        },
    )

    assert response.status == 200, response.body
    assert response.body == {
        "resultObject": {"id": "123", "name": "doggie", "metadata": {"status": "available"}},
        "isValid": True,
        "validationErrors": [],
    }


def test_mapping_test_list_mode(management: Management) -> None:
    response = management.post(
        "/api/mappings/test",
        {"inputObject": [{"a": 1}, {"a": 2}], "mapping": {"mapping": {"b": "a"}}, "list": True},
    )

    assert response.status == 200, response.body
    assert response.body["resultObject"] == [{"b": 1}, {"b": 2}]


@pytest.mark.parametrize("key", ["id", "uuid", "slug"])
def test_mapping_test_with_a_stored_mapping(management: Management, key: str) -> None:
    stored = management.post("/api/mappings", {"name": "Rename", "mapping": {"title": "name"}}).body

    response = management.post("/api/mappings/test", {"inputObject": {"name": "x"}, "mapping": stored[key]})

    assert response.status == 200, response.body
    assert response.body["resultObject"] == {"title": "x"}


def test_mapping_test_with_an_unknown_stored_mapping_is_404(management: Management) -> None:
    response = management.post("/api/mappings/test", {"inputObject": {}, "mapping": "no-such-mapping"})

    assert response.status == 404


@pytest.mark.parametrize("missing", ["inputObject", "mapping"])
def test_mapping_test_names_a_missing_field(management: Management, missing: str) -> None:
    body: dict[str, Any] = {"inputObject": {"a": 1}, "mapping": {"mapping": {"b": "a"}}}
    del body[missing]

    response = management.post("/api/mappings/test", body)

    assert response.status == 400
    assert missing in response.body["message"]
    assert response.body["fields"] == [missing]


def test_mapping_test_failing_mapping_is_a_mapping_error(management: Management) -> None:
    response = management.post(
        "/api/mappings/test",
        {"inputObject": {"a": 1}, "mapping": {"mapping": {"b": "{{ a | no_such_filter }}"}}},
    )

    assert response.status == 400
    assert response.body["error"] == "Mapping error"
    assert response.body["message"]
    assert "Traceback" not in response.text


# ---------------------------------------------------------------------------------- conditions
@pytest.mark.parametrize(
    ("conditions", "data", "result"),
    [
        ({"==": [{"var": "status"}, "active"]}, {"status": "active"}, True),
        ({"var": "a.b"}, {"a": {"b": [1, 2]}}, [1, 2]),
        ({"+": [1, 2]}, None, 3),
        (True, {}, True),
    ],
)
def test_conditions_test(management: Management, conditions: Any, data: Any, result: Any) -> None:
    body = {"conditions": conditions} | ({"data": data} if data is not None else {})

    response = management.post("/api/conditions/test", body)

    assert response.status == 200, response.body
    assert response.body == {"result": result}


def test_conditions_test_bad_rule_is_400(management: Management) -> None:
    response = management.post(
        "/api/conditions/test", {"conditions": {"no-such-operator": [1, 2]}, "data": {}}
    )

    assert response.status == 400
    assert response.body["error"]


def test_conditions_test_names_a_missing_field(management: Management) -> None:
    response = management.post("/api/conditions/test", {"data": {}})

    assert response.status == 400
    assert "conditions" in response.body["message"]


# ------------------------------------------------------------------------------------- sources
def test_source_test_calls_the_source_and_returns_the_call_log(
    management: Management, local_http_server: LocalServer, reachable_local: Any
) -> None:
    local_http_server.reply = (200, {"Content-Type": "application/json"}, b'{"pets": ["doggie"]}')
    source = management.post(
        "/api/sources",
        {
            "name": "Pets",
            "location": local_http_server.url,
            "type": "json",
            "auth": "apikey",
            "apikey": "top-secret-key",
            "configuration": {"headers.X-Api-Key": "top-secret-key"},
        },
    ).body

    response = management.post(
        f"/api/sources/{source['id']}/test",
        {
            "method": "POST",
            "endpoint": "/pets",
            "headers": {"X-Trace": "t1"},
            "query": {"q": "x"},
            "body": {"k": 1},
        },
    )

    assert response.status == 200, response.body
    log = response.body
    assert log["statusCode"] == 200
    assert log["response"]["statusCode"] == 200
    assert json.loads(log["response"]["body"]) == {"pets": ["doggie"]}
    assert isinstance(log["response"]["responseTime"], int | float)
    assert "headers" in log["response"]
    assert "top-secret-key" not in response.text  # the request is redacted

    [sent] = local_http_server.requests
    assert sent.method == "POST"
    assert sent.path == "/pets?q=x"
    assert sent.headers.get("X-Trace") == "t1"
    assert json.loads(sent.body) == {"k": 1}


def test_source_test_returns_200_whatever_the_remote_status(
    management: Management, local_http_server: LocalServer, reachable_local: Any
) -> None:
    local_http_server.reply = (503, {"Content-Type": "text/plain"}, b"down for maintenance")
    source = management.post("/api/sources", {"name": "Flaky", "location": local_http_server.url}).body

    response = management.post(f"/api/sources/{source['slug']}/test", {})

    assert response.status == 200, response.body
    assert response.body["statusCode"] == 503
    assert response.body["response"]["body"] == "down for maintenance"

    logs = management.get("/api/call-logs", query={"sourceId": source["id"]})
    assert logs.status == 200, logs.body
    assert [log["statusCode"] for log in logs.body["results"]] == [503]
    assert management.get("/api/call-logs", query={"statusCode": "500,599"}).body["results"]
    assert management.get("/api/call-logs", query={"statusCode": "200,299"}).body["results"] == []
    one = management.get(f"/api/call-logs/{logs.body['results'][0]['id']}")
    assert one.status == 200, one.body
    assert one.body["statusCode"] == 503
    assert management.get("/api/call-logs", query={"statusCode": "abc"}).status == 400


def test_source_test_without_body_uses_defaults(
    management: Management, local_http_server: LocalServer, reachable_local: Any
) -> None:
    source = management.post("/api/sources", {"name": "Plain", "location": local_http_server.url}).body

    response = management.request("POST", f"/api/sources/{source['id']}/test")

    assert response.status == 200, response.body
    assert local_http_server.requests[0].method == "GET"


def test_source_test_unknown_source_is_404(management: Management) -> None:
    response = management.post("/api/sources/no-such-source/test", {})

    assert response.status == 404


def test_source_test_refuses_internal_addresses_without_allow_list(management: Management) -> None:
    source = management.post("/api/sources", {"name": "Metadata", "location": "http://169.254.169.254"}).body

    response = management.post(f"/api/sources/{source['id']}/test", {})

    # The refusal is a result: 200 with a call log that says so, and nothing was sent.
    assert response.status == 200, response.body
    assert response.body["statusCode"] == 403
    assert response.body["error"] == "outbound-refused"
    assert response.body["response"] is None


def test_source_test_rejects_bad_field_types(management: Management) -> None:
    source = management.post("/api/sources", {"name": "Typed", "location": "https://example.com"}).body

    response = management.post(f"/api/sources/{source['id']}/test", {"headers": "not-an-object"})

    assert response.status == 400
    assert response.body["fields"] == ["headers"]


def test_call_logs_list_is_empty_at_first(management: Management) -> None:
    response = management.get("/api/call-logs")

    assert response.status == 200, response.body
    assert response.body == {"results": [], "next": None}


def test_mapping_test_templates_are_sandboxed(management: Management) -> None:
    response = management.post(
        "/api/mappings/test", {"inputObject": {"a": 1}, "mapping": {"mapping": {"b": "{{ a.__class__ }}"}}}
    )

    assert response.status == 400
    assert response.body["error"] == "Mapping error"
    assert "int" not in str(response.body.get("resultObject"))


def test_mapping_test_list_must_be_a_boolean(management: Management) -> None:
    response = management.post("/api/mappings/test", {"inputObject": {}, "mapping": {}, "list": "yes"})

    assert response.status == 400
    assert response.body["fields"] == ["list"]


def test_mapping_test_validates_the_result_against_a_stored_schema(management: Management) -> None:
    management.post(
        "/api/schemas",
        {
            "name": "Pet",
            "slug": "pet",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
            "required": ["name"],
        },
    )
    mapping = {"mapping": {"age": "years"}, "cast": {"age": "int"}}
    body = {"inputObject": {"years": "-2"}, "mapping": mapping, "schema": "pet", "validation": True}

    checked = management.post("/api/mappings/test", body)

    assert checked.status == 200, checked.body
    assert checked.body["resultObject"] == {"age": -2}
    assert checked.body["isValid"] is False
    assert {error["property"] for error in checked.body["validationErrors"]} == {"name", "age"}
    unchecked = management.post("/api/mappings/test", {**body, "validation": False})
    assert (unchecked.body["isValid"], unchecked.body["validationErrors"]) == (True, [])
    good = management.post(
        "/api/mappings/test",
        {
            **body,
            "inputObject": {"years": "3"},
            "mapping": {"mapping": {"name": "years", "age": "years"}, "cast": {"age": "int"}},
        },
    )
    assert (good.body["isValid"], good.body["validationErrors"]) == (True, [])
    unknown = management.post("/api/mappings/test", {**body, "schema": "no-such-schema"})
    assert unknown.status == 404 and "no-such-schema" in unknown.body["message"]


def test_mapping_test_runs_the_sub_mappings_as_just_saved(management: Management) -> None:
    """executeMapping's references are cached per configuration version; the test action rechecks
    the version, so a sub-mapping edited a moment ago is the one it runs."""
    sub = management.post("/api/mappings", {"name": "Sub", "slug": "sub", "mapping": {"b": "a"}}).body
    body = {
        "inputObject": {"value": 1},
        "mapping": {"mapping": {"x": "{{ executeMapping('sub', {'a': value})|json_encode }}"}},
    }
    assert management.post("/api/mappings/test", body).body["resultObject"] == {"x": '{"b":1}'}

    assert management.put(f"/api/mappings/{sub['id']}", {**sub, "mapping": {"c": "a"}}).status == 200

    assert management.post("/api/mappings/test", body).body["resultObject"] == {"x": '{"c":1}'}
