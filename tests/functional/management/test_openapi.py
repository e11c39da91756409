"""The OpenAPI document is valid OpenAPI 3.1, generated from the entity models, and lists every resource."""

from __future__ import annotations

from openconnector_core.entities.registry import RESOURCES
from tests.functional.conftest import Management


def test_openapi_document_is_valid_and_complete(management: Management) -> None:
    from openapi_spec_validator import validate

    response = management.get("/api/openapi.json")

    assert response.status == 200
    document = response.body
    validate(document)
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    schemas = document["components"]["schemas"]
    for resource, spec in RESOURCES.items():
        assert f"/api/{resource}" in paths
        assert f"/api/{resource}/{{key}}" in paths
        assert spec.model.__name__ in schemas
        collection = paths[f"/api/{resource}"]
        assert ("post" in collection) is (not spec.read_only)
    for path in (
        "/api/health",
        "/api/dashboard",
        "/api/mappings/test",
        "/api/conditions/test",
        "/api/sources/{key}/test",
        "/api/objects/{register}/{schema}",
        "/api/objects/{register}/{schema}/{id}",
        "/api/objects/{register}/{schema}/{id}/audit-trail",
    ):
        assert path in paths
    assert {"error", "message"} <= set(schemas["Error"]["required"])
    # camelCase wire names, not Python's snake_case
    assert "isEnabled" in schemas["Source"]["properties"]
    assert "is_enabled" not in schemas["Source"]["properties"]


def test_swagger_ui_page_loads_the_document(management: Management) -> None:
    response = management.get("/api/docs")

    assert response.status == 200
    assert response.header("Content-Type").startswith("text/html")
    assert "openapi.json" in response.text
    assert "swagger-ui" in response.text
