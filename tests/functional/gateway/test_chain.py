"""The request flow through the handler: matching errors, endpoint conditions, the rule
chain's conditions/order/timing, error/mapping rules on a real upstream, XML, CORS, limits, leaks
and the configuration cache."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import LocalServer


def test_no_endpoint_and_two_endpoints(gateway: Any) -> None:
    missing = gateway.get("nothing/here")
    assert missing.status == 404
    assert missing.body["detail"] == "No matching endpoint found for path and method: nothing/here GET"
    assert missing.body["error"] == missing.body["detail"]

    gateway.endpoint("twice/{{id}}", name="first")
    gateway.endpoint("twice/{{key}}", name="second")
    both = gateway.get("twice/1")
    assert both.status == 409
    assert both.body["error"] == (
        "Multiple endpoints found for path and method: twice/1 GET. Matching endpoints: first, second"
    )


def test_endpoint_conditions_refuse_with_the_failing_fields(gateway: Any) -> None:
    gateway.endpoint("people", "POST", conditions={"missing": ["parameters.name", "parameters.email"]})

    answer = gateway.post("people", {"name": "Ada"})

    assert answer.status == 400
    assert answer.body["error"] == "The following parameters are not correctly set"
    assert answer.body["fields"] == ["parameters.email"]


def test_error_rule_under_a_missing_condition_lists_the_missing_paths(gateway: Any) -> None:
    rule = gateway.rule(
        "error",
        {
            "error": {
                "code": 422,
                "name": "Missing fields",
                "message": "Incomplete",
                "includeJsonLogicResult": True,
            }
        },
        conditions={"missing": ["body.name", "body.email"]},
    )
    gateway.endpoint("people", "POST", rules=[rule], targetType="api", targetId="unused")

    answer = gateway.post("people", {"email": "a@b.c"})

    assert answer.status == 422
    assert answer.body["title"] == "Incomplete"
    assert answer.body["detail"] == "Missing fields"
    assert answer.body["invalidParams"] == ["body.name"]


def test_rules_run_in_order_and_only_in_their_phase(gateway: Any, local_http_server: LocalServer) -> None:
    source = gateway.create("sources", {"name": "up", "location": local_http_server.url})
    first = gateway.create("mappings", {"name": "first", "mapping": {"step": "one"}, "passThrough": True})
    second = gateway.create(
        "mappings", {"name": "second", "mapping": {"step": "{{ step }}-two"}, "passThrough": True}
    )
    late = gateway.rule("mapping", {"mapping": second["id"]}, order=2, timing="after")
    early = gateway.rule("mapping", {"mapping": first["id"]}, order=1, timing="after")
    skipped = gateway.rule(
        "mapping", {"mapping": first["id"]}, order=3, timing="after", conditions={"==": [1, 2]}
    )
    gateway.endpoint("things", rules=[late, skipped, early], targetType="api", targetId=source["id"])
    local_http_server.reply = (200, {"Content-Type": "application/json"}, b'{"name": "x"}')

    answer = gateway.get("things")

    assert answer.status == 200
    assert answer.body == {"name": "x", "step": "one-two"}


def test_mapping_rule_maps_each_result_of_a_get(gateway: Any, local_http_server: LocalServer) -> None:
    source = gateway.create("sources", {"name": "up", "location": local_http_server.url})
    mapping = gateway.create("mappings", {"name": "short", "mapping": {"title": "name"}})
    rule = gateway.rule("mapping", {"mapping": mapping["slug"]}, timing="after", action="GET")
    gateway.endpoint("list", rules=[rule], targetType="api", targetId=source["id"])
    upstream = {"count": 2, "results": [{"name": "a", "x": 1}, {"name": "b", "x": 2}]}
    local_http_server.reply = (200, {"Content-Type": "application/json"}, json.dumps(upstream).encode())

    answer = gateway.get("list")

    assert answer.body == {"count": 2, "results": [{"title": "a"}, {"title": "b"}]}


def test_xml_when_accept_asks_for_it_and_cors_echoes_the_origin(gateway: Any) -> None:
    rule = gateway.rule("error", {"error": {"code": 200, "name": "hello", "message": "world"}})
    gateway.endpoint("hello", rules=[rule])

    answer = gateway.get("hello", headers={"Accept": "application/xml", "Origin": "https://app.example"})

    assert answer.header("Content-Type") == "application/xml"
    assert "<error>hello</error>" in answer.text
    assert answer.header("Access-Control-Allow-Origin") == "https://app.example"
    assert answer.header("Access-Control-Allow-Credentials") in (None, "false")


def test_preflight(gateway: Any) -> None:
    answer = gateway.request("OPTIONS", "anything/at/all", headers={"Origin": "https://app.example"})

    assert answer.status == 200
    assert answer.header("Access-Control-Allow-Origin") == "https://app.example"
    assert answer.header("Access-Control-Allow-Methods") == "PUT, POST, GET, DELETE, PATCH"
    assert answer.header("Access-Control-Max-Age") == "1728000"
    assert answer.header("Access-Control-Allow-Headers") == "Authorization, Content-Type, Accept"
    assert answer.header("Access-Control-Allow-Credentials") == "false"


def test_bodies_over_six_megabytes_are_413(gateway: Any) -> None:
    gateway.endpoint("upload", "POST")

    answer = gateway.request("POST", "upload", raw_body=b"x" * (6 * 1024 * 1024 + 1))

    assert answer.status == 413
    assert answer.header("Content-Type") == "application/problem+json"


def test_a_failing_rule_leaks_no_trace_class_or_path(gateway: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from openconnector_core.gateway import rules

    def explode(rule: Any, data: Any, flow: Any) -> Any:
        raise KeyError("/var/task/openconnector_core/secret.py")

    monkeypatch.setitem(rules.REGISTRY, "override", explode)
    rule = gateway.rule("override", {})
    gateway.endpoint("boom", rules=[rule])

    answer = gateway.get("boom")

    assert answer.status == 500
    for leak in ("Traceback", "KeyError", "/var/task", ".py", "secret"):
        assert leak not in answer.text
    assert answer.body["detail"].startswith("Failed to apply rule for endpoint")


def test_an_endpoint_without_a_target_says_so(gateway: Any) -> None:
    gateway.endpoint("nowhere")

    answer = gateway.get("nowhere")

    assert answer.status == 400
    assert answer.body["error"] == "Endpoint must specify either a schema or source connection"
    assert "trace" not in answer.body


def test_a_changed_endpoint_is_served_after_the_version_changes(gateway: Any) -> None:
    rule = gateway.rule("error", {"error": {"code": 200, "name": "v1", "message": "m"}})
    endpoint = gateway.endpoint("versioned", rules=[rule])
    assert gateway.get("versioned").body["error"] == "v1"
    cache = gateway.container.gateway.cache
    reads: list[str] = []
    store = gateway.container.entity_store
    original_list = store.list

    def counting_list(resource: str, **kwargs: Any) -> Any:
        reads.append(resource)
        return original_list(resource, **kwargs)

    store.list = counting_list  # type: ignore[method-assign]
    for _ in range(5):
        gateway.get("versioned")
    assert reads == []  # warm: no table read to find the endpoint

    other = gateway.rule("error", {"error": {"code": 200, "name": "v2", "message": "m"}})
    gateway.container.entities.update("endpoints", endpoint["id"], {"rules": [other]})
    cache._checked_at = float("-inf")  # the next request is past the check interval

    assert gateway.get("versioned").body["error"] == "v2"


@pytest.mark.parametrize("rule_type", ["javascript", "custom"])
def test_unsupported_rule_types_are_refused_on_save(gateway: Any, rule_type: str) -> None:
    from openconnector_core.errors import ValidationError

    with pytest.raises(ValidationError, match="not supported"):
        gateway.rule(rule_type, {})


def test_unknown_rule_types_are_refused_listing_the_valid_ones(gateway: Any) -> None:
    from openconnector_core.errors import ValidationError

    with pytest.raises(ValidationError) as raised:
        gateway.rule("teleport", {})
    assert "authentication" in str(raised.value) and "filepart_upload" in str(raised.value)


def test_a_rule_naming_a_missing_mapping_is_a_500_that_says_so(gateway: Any) -> None:
    rule = gateway.rule("mapping", {"mapping": "no-such-mapping"})
    gateway.endpoint("mapped", rules=[rule])

    answer = gateway.get("mapped")

    assert answer.status == 500
    assert answer.body["detail"].endswith("With error message: Mapping no-such-mapping not found")


def test_head_is_answered_by_the_get_endpoint_without_a_body(gateway: Any) -> None:
    rule = gateway.rule("error", {"error": {"code": 200, "name": "here"}})
    gateway.endpoint("things", rules=[rule])

    answer = gateway.request("HEAD", "things")

    assert answer.status == 200
    assert answer.text == ""
    assert answer.header("Content-Type") == "application/json"
    assert gateway.request("HEAD", "nothing").status == 404
