"""The ``synchronization`` rule starts a real run (against a paginated API on 127.0.0.1), and
``extend_external_input`` fetches through the call engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.paginated_api import PaginatedApi

RECORD = {
    "title": "Record",
    "type": "object",
    "properties": {"name": {"type": "string"}, "value": {"type": "integer"}},
}


def _source_and_register(gateway: Any, name: str, url: str) -> dict[str, Any]:
    """A source on ``url`` and the ``registry/record`` schema: what both synchronization tests use."""
    source: dict[str, Any] = gateway.create("sources", {"name": name, "location": url})
    gateway.create("schemas", dict(RECORD))
    gateway.create("registers", {"title": "Registry", "schemas": ["record"]})
    return source


@pytest.fixture
def local_http_server() -> Iterator[PaginatedApi]:
    server = PaginatedApi(records=12, page_size=5).start()
    yield server
    server.stop()


def test_synchronization_rule_runs_the_synchronization(gateway: Any, local_http_server: PaginatedApi) -> None:
    source = _source_and_register(gateway, "records", local_http_server.url)
    sync = gateway.create(
        "synchronizations",
        {
            "name": "records in",
            "reference": "https://example.org/sync/records",
            "sourceType": "api",
            "sourceId": source["id"],
            "sourceConfig": {"endpoint": "/original"},
            "targetType": "register/schema",
            "targetId": "registry/record",
        },
    )
    rule = gateway.rule(
        "synchronization", {"synchronization": "https://example.org/sync/records"}, timing="after"
    )
    gateway.endpoint(
        "records/{{id}}", "POST", rules=[rule], targetType="register/schema", targetId="registry/record"
    )

    answer = gateway.post("records", {"name": "trigger", "value": 0})

    assert answer.status == 201, answer.text
    log = answer.body
    assert log["synchronizationId"] == sync["id"]
    assert log["status"] == "success", json.dumps(log)[:500]
    assert gateway.container.objects.count("registry/record") == 13  # 12 synchronized + the trigger


def test_extend_external_input_fetches_and_fails_clearly(
    gateway: Any, local_http_server: PaginatedApi
) -> None:
    extend = gateway.rule(
        "extend_external_input", {"extend_external_input": {"properties": [{"property": "body.ref"}]}}
    )
    show = gateway.rule(
        "error",
        {"error": {"code": 200, "name": "seen", "includeJsonLogicResult": True}},
        order=2,
        conditions={"var": "extendedParameters.body.ref.results"},
    )
    gateway.endpoint("look", "POST", rules=[extend, show])

    found = gateway.post("look", {"ref": f"{local_http_server.url}/original"})
    assert found.status == 200, found.text
    assert isinstance(found.body["errors"], list)

    missing = gateway.post("look", {"ref": f"{local_http_server.url}/no-such-thing"})
    assert missing.status == 400
    assert missing.body["title"] == "Invalid Input"
    assert missing.body["invalidParams"] == [
        {"name": "ref", "code": "invalid-resource", "reason": "The resource is not valid"}
    ]

    refused = gateway.post("look", {"ref": "http://169.254.169.254/latest/meta-data"})
    assert refused.status == 400  # the SSRF guard refuses; the client only learns it could not be fetched


def test_object_id_path_runs_that_object_intern_to_extern(
    gateway: Any, local_http_server: PaginatedApi
) -> None:
    source = _source_and_register(gateway, "target api", local_http_server.url)
    outbound = gateway.create(
        "synchronizations",
        {
            "name": "records out",
            "sourceType": "register/schema",
            "sourceId": "registry/record",
            "targetType": "api",
            "targetId": source["id"],
            "targetConfig": {"endpoint": "/target"},
        },
    )
    settings = {"synchronization": outbound["id"], "objectIdPath": "id"}
    rule = gateway.rule("synchronization", {"synchronization": settings}, timing="after")
    gateway.endpoint(
        "records/{{id}}", "POST", rules=[rule], targetType="register/schema", targetId="registry/record"
    )

    answer = gateway.post("records", {"name": "send me", "value": 7})

    assert answer.status == 201, answer.text
    assert answer.body["result"]["type"] == "internToExtern"
    assert [sent["body"]["name"] for sent in local_http_server.state.received] == ["send me"]


def test_extend_external_input_validates_against_a_schema(
    gateway: Any, local_http_server: PaginatedApi
) -> None:
    gateway.create(
        "schemas", {"title": "Page", "properties": {"results": {"type": "array"}}, "required": ["results"]}
    )
    gateway.create(
        "schemas", {"title": "Named", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    )
    for schema in ("page", "named"):
        settings = {"validate": True, "properties": [{"property": f"body.{schema}", "schema": schema}]}
        extend = gateway.rule("extend_external_input", {"extend_external_input": settings})
        done = gateway.rule("error", {"error": {"code": 200, "name": "ok"}}, order=2)
        gateway.endpoint(f"check-{schema}", "POST", rules=[extend, done])
    url = f"{local_http_server.url}/original"

    assert gateway.post("check-page", {"page": url}).status == 200
    invalid = gateway.post("check-named", {"named": url})
    assert invalid.status == 400
    assert invalid.body["detail"] == f"The object on {url} is not valid"
