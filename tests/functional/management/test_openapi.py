"""The OpenAPI document is valid OpenAPI 3.1, generated from the entity models, and lists every resource."""

from __future__ import annotations

from openconnector_core.entities.registry import RESOURCES
from tests.functional.conftest import Management
from tests.functional.events import http_event


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
        "/api/jobs/{key}/run",
        "/api/events/incoming",
        "/api/event-subscriptions/{key}/pull",
        "/api/configurations/import",
        "/api/configurations/{key}/export",
        "/api/export/{type}/{key}",
        "/api/objects/{register}/{schema}",
        "/api/objects/{register}/{schema}/{id}",
        "/api/objects/{register}/{schema}/{id}/audit-trail",
    ):
        assert path in paths
    assert {"error", "message"} <= set(schemas["Error"]["required"])
    # camelCase wire names, not Python's snake_case
    assert "isEnabled" in schemas["Source"]["properties"]
    assert "is_enabled" not in schemas["Source"]["properties"]


def test_swagger_ui_page_loads_the_document_and_its_assets_from_this_api(management: Management) -> None:
    response = management.get("/api/docs")

    assert response.status == 200
    assert response.header("Content-Type").startswith("text/html")
    assert 'url: "openapi.json"' in response.text
    assert "http" not in response.text.replace("http-equiv", "")  # no CDN, nothing off this API
    for asset in ("docs/swagger-ui-bundle.min.js", "docs/swagger-ui.min.css"):
        assert asset in response.text


def test_swagger_ui_assets_come_from_the_powertools_wheel(management: Management) -> None:
    import gzip
    from base64 import b64decode

    plain = management.get("/api/docs/swagger-ui-bundle.min.js", headers={"accept-encoding": "identity"})
    event = http_event("GET", "/api/docs/swagger-ui-bundle.min.js", headers={"accept-encoding": "gzip, br"})
    zipped = management.module.lambda_handler(event, management.context)  # raw: the body is gzip
    css = management.get("/api/docs/swagger-ui.min.css")

    assert plain.status == zipped["statusCode"] == css.status == 200
    assert plain.header("Content-Type").startswith("text/javascript")
    assert "SwaggerUIBundle" in plain.text
    assert zipped["headers"]["Content-Encoding"] == "gzip"
    assert gzip.decompress(b64decode(zipped["body"])).decode() == plain.text
    assert len(zipped["body"]) < len(plain.raw["body"]) / 2
    assert "immutable" in plain.header("Cache-Control")
    assert css.header("Content-Type").startswith("text/css")


def test_only_the_two_assets_are_served(management: Management) -> None:
    for name in ("html.py", "..%2F..%2Fapi_gateway.py", "oauth2.py"):
        assert management.get(f"/api/docs/{name}").status == 404


def test_the_documentation_routes_need_no_token_and_describe_no_secret(management: Management) -> None:
    document = management.get("/api/openapi.json").body
    for path in ("/api/health", "/api/openapi.json", "/api/docs"):
        assert document["paths"][path]["get"]["security"] == []
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
