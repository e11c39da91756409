"""Error responses are decided in one place and never leak internals; routing precedence is explicit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import LogCapture, Management

LEAKS = ("Traceback", "RuntimeError", "KeyError", "ValueError", "ValidationError", "Exception", 'File "')


def assert_no_leak(text: str) -> None:
    for marker in LEAKS:
        assert marker not in text, f"{marker!r} leaked into {text!r}"


def test_health_needs_no_container(management: Management) -> None:
    response = management.get("/api/health")

    assert response.status == 200
    assert response.body["status"] == "ok"
    assert response.body["version"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/nope/a/b"), ("GET", "/elsewhere"), ("POST", "/api/sources/x/y/z"), ("GET", "/api")],
)
def test_unknown_route_is_a_json_404(management: Management, method: str, path: str) -> None:
    response = management.request(method, path)

    assert response.status == 404
    assert response.body["error"] == "Not found"
    assert response.body["message"]
    assert_no_leak(response.text)


def test_unknown_resource_is_a_404_listing_the_valid_ones(management: Management) -> None:
    response = management.get("/api/widgets")

    assert response.status == 404
    assert "widgets" in response.body["message"]
    assert "sources" in response.body["message"]


@pytest.mark.parametrize("raw", ['{"name": ', "not json", "[1, 2]", '"a string"', ""])
def test_malformed_or_non_object_body_is_a_400(management: Management, raw: str) -> None:
    response = management.request(
        "POST", "/api/sources", raw_body=raw, headers={"content-type": "application/json"}
    )

    assert response.status == 400
    assert response.body["error"] == "Bad request"
    assert_no_leak(response.text)


def test_base64_encoded_bodies_are_decoded(management: Management) -> None:
    response = management.request(
        "POST", "/api/mappings", raw_body=json.dumps({"name": "b64"}), base64_body=True
    )

    assert response.status == 201, response.body
    assert response.body["name"] == "b64"


def test_unexpected_error_is_a_generic_500_with_request_id(
    management: Management, container: Any, monkeypatch: pytest.MonkeyPatch, management_logs: LogCapture
) -> None:
    class Exploding:
        def list(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(container, "entities", Exploding())

    response = management.get("/api/sources", request_id="req-boom")

    assert response.status == 500
    assert response.body == {
        "error": "Internal error",
        "message": "An unexpected error occurred",
        "code": "internal-error",
        "requestId": "req-boom",
    }
    assert "hunter2" not in response.text
    assert_no_leak(response.text)
    # The exception goes to the structured log, with the request's correlation id.
    logs = management_logs.entries()
    errors = [entry for entry in logs if entry.get("level") == "ERROR"]
    assert errors, logs
    assert errors[0]["correlation_id"] == "req-boom"
    assert "RuntimeError" in errors[0]["exception"]


def test_every_error_body_has_error_and_message(management: Management) -> None:
    responses = [
        management.get("/api/sources/unknown"),
        management.post("/api/sources", {"unknownField": 1}),
        management.post("/api/mappings/test", {}),
        management.post("/api/conditions/test", {"conditions": {"no-such-operator": [1]}}),
        management.request("PATCH", "/api/sources/x"),
        management.get("/api/nothing/here/at/all"),
    ]
    for response in responses:
        assert response.status >= 400
        assert isinstance(response.body["error"], str) and response.body["error"]
        assert isinstance(response.body["message"], str) and response.body["message"]
        assert_no_leak(response.text)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_action_paths_are_not_captured_by_crud_routes(management: Management, method: str) -> None:
    management.post("/api/mappings", {"name": "test", "slug": "test"})

    for path in ("/api/mappings/test", "/api/conditions/test", "/api/sources/some-source/test"):
        response = management.request(method, path, body={} if method == "PUT" else None)
        assert response.status == 405, (path, response.body)
        assert response.header("Allow") == "POST"


def test_other_methods_are_405_with_allow(management: Management) -> None:
    item = management.request("PATCH", "/api/sources/anything")
    collection = management.request("DELETE", "/api/sources")

    assert item.status == 405
    assert item.header("Allow") == "DELETE, GET, PUT"
    assert collection.status == 405
    assert collection.header("Allow") == "GET, POST"


def test_percent_encoded_keys_are_decoded(management: Management) -> None:
    created = management.post("/api/mappings", {"name": "Encoded", "slug": "with.dot"})

    response = management.get("/api/mappings/with%2Edot")

    assert response.status == 200
    assert response.body["id"] == created.body["id"]


def test_one_access_line_per_request_with_the_correlation_id(
    management: Management, management_logs: LogCapture
) -> None:
    management.get("/api/sources", query={"_search": "private-term"}, request_id="req-access")

    [line] = [entry for entry in management_logs.entries() if entry["message"] == "Request handled"]
    assert line["correlation_id"] == "req-access"
    assert line["method"] == "GET"
    assert line["path"] == "/api/sources"
    assert line["status"] == 200
    assert "private-term" not in management_logs.text


def test_a_body_that_cannot_be_serialized_is_still_a_json_500(
    management: Management, container: Any, monkeypatch: pytest.MonkeyPatch, management_logs: LogCapture
) -> None:
    from openconnector_core.store.ports import Page

    class Unserializable:
        def list(self, *args: Any, **kwargs: Any) -> Page:
            return Page([{"value": object()}], None)

    monkeypatch.setattr(container, "entities", Unserializable())

    response = management.get("/api/sources", request_id="req-serialize")

    assert response.status == 500
    assert response.body["error"] == "Internal error"
    assert response.body["requestId"] == "req-serialize"
    assert_no_leak(response.text)
    assert any(entry["level"] == "ERROR" for entry in management_logs.entries())
