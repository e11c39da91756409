"""CRUD through the management handler, for every writable resource, on the in-memory container."""

from __future__ import annotations

import uuid

import pytest

from openconnector_core.entities.registry import RESOURCES
from tests.functional.conftest import LogCapture, Management

WRITABLE = sorted(name for name, spec in RESOURCES.items() if not spec.read_only)
READ_ONLY = sorted(name for name, spec in RESOURCES.items() if spec.read_only)


def _create(management: Management, resource: str, **fields: object) -> dict:
    body = {"name": f"Alpha {resource}", "description": "first of its kind", **fields}
    created = management.post(f"/api/{resource}", body)
    assert created.status == 201, created.body
    return created.body


@pytest.mark.parametrize("resource", WRITABLE)
def test_create_generates_id_and_slug(management: Management, resource: str) -> None:
    created = management.post(f"/api/{resource}", {"name": "Alpha Resource"})

    assert created.status == 201, created.body
    uuid.UUID(created.body["id"])
    if RESOURCES[resource].model.SLUG_STYLE is not None:
        assert created.body["slug"] == "alpha-resource"
    assert created.header("ETag")
    assert created.header("Location") == f"/api/{resource}/{created.body['id']}"
    assert created.header("Content-Type") == "application/json"


@pytest.mark.parametrize("resource", WRITABLE)
def test_get_by_id_uuid_and_slug(management: Management, resource: str) -> None:
    created = _create(management, resource)
    keys = [created["id"], created["uuid"]]
    if created.get("slug"):
        keys.append(created["slug"])

    for key in keys:
        got = management.get(f"/api/{resource}/{key}")
        assert got.status == 200, (key, got.body)
        assert got.body["id"] == created["id"]
        assert got.header("ETag")


@pytest.mark.parametrize("resource", WRITABLE)
def test_list_search_and_filter(management: Management, resource: str) -> None:
    alpha = _create(management, resource)
    beta = _create(management, resource, name=f"Beta {resource}", description="the SECOND one")

    listed = management.get(f"/api/{resource}")
    assert listed.status == 200
    assert {item["id"] for item in listed.body["results"]} == {alpha["id"], beta["id"]}
    assert listed.body["next"] is None

    searched = management.get(f"/api/{resource}", query={"_search": "second"})
    assert [item["id"] for item in searched.body["results"]] == [beta["id"]]

    filtered = management.get(f"/api/{resource}", query={"name": f"Alpha {resource}"})
    assert [item["id"] for item in filtered.body["results"]] == [alpha["id"]]


def test_list_pages_with_limit_and_next(management: Management) -> None:
    ids = {_create(management, "mappings", name=f"Mapping {n}")["id"] for n in range(5)}

    seen: list[str] = []
    token = None
    pages = 0
    while True:
        query = {"_limit": "2"} | ({"_next": token} if token else {})
        page = management.get("/api/mappings", query=query)
        assert page.status == 200, page.body
        assert len(page.body["results"]) <= 2
        seen += [item["id"] for item in page.body["results"]]
        pages += 1
        token = page.body["next"]
        if token is None:
            break
    assert sorted(seen) == sorted(ids)
    assert pages == 3


@pytest.mark.parametrize("resource", WRITABLE)
def test_update_bumps_version_and_etag(management: Management, resource: str) -> None:
    created = management.post(f"/api/{resource}", {"name": "Alpha", "version": "0.0.3"})
    before = management.get(f"/api/{resource}/{created.body['id']}")

    updated = management.put(f"/api/{resource}/{created.body['id']}", {"description": "changed"})

    assert updated.status == 200, updated.body
    assert updated.body["description"] == "changed"
    assert updated.body["name"] == "Alpha"  # partial semantics
    if "version" in created.body:
        assert updated.body["version"] == "0.0.4"
    assert updated.header("ETag") and updated.header("ETag") != before.header("ETag")


@pytest.mark.parametrize("resource", WRITABLE)
def test_delete_then_404(management: Management, resource: str) -> None:
    created = _create(management, resource)

    deleted = management.delete(f"/api/{resource}/{created['id']}")
    assert deleted.status == 204
    assert deleted.text == ""

    assert management.get(f"/api/{resource}/{created['id']}").status == 404
    again = management.delete(f"/api/{resource}/{created['id']}")
    assert again.status == 404
    assert again.body["error"] == "Not found"


def test_unknown_field_is_a_400_naming_it(management: Management) -> None:
    response = management.post("/api/mappings", {"name": "m", "colour": "blue"})

    assert response.status == 400
    assert response.body["error"]
    assert "colour" in response.body["message"]
    assert "colour" in str(response.body.get("fields"))


def test_legacy_misspellings_of_the_original_are_accepted_and_ignored(management: Management) -> None:
    # Exports of the original carry ``passTrough``, which the original ignores; they import unchanged.
    response = management.post("/api/mappings", {"name": "m", "passTrough": True})

    assert response.status == 201
    assert "passTrough" not in response.body
    assert response.body["passThrough"] is None


def test_bad_field_type_is_a_400_naming_it(management: Management) -> None:
    response = management.post("/api/sources", {"name": "s", "isEnabled": {"not": "a bool"}})

    assert response.status == 400
    assert "isEnabled" in response.text


def test_duplicate_slug_is_a_409(management: Management) -> None:
    assert management.post("/api/endpoints", {"name": "Buildings", "slug": "buildings"}).status == 201

    duplicate = management.post("/api/endpoints", {"name": "Other", "slug": "buildings"})

    assert duplicate.status == 409
    assert duplicate.body["error"] == "Conflict"


def test_stale_if_match_is_a_412(management: Management) -> None:
    created = management.post("/api/rules", {"name": "Rule"})
    etag = created.header("ETag")
    assert (
        management.put(
            f"/api/rules/{created.body['id']}", {"description": "v2"}, headers={"If-Match": etag}
        ).status
        == 200
    )

    stale_put = management.put(
        f"/api/rules/{created.body['id']}", {"description": "v3"}, headers={"If-Match": etag}
    )
    stale_delete = management.delete(f"/api/rules/{created.body['id']}", headers={"If-Match": etag})

    assert stale_put.status == 412
    assert stale_put.body["error"] == "Precondition failed"
    assert stale_delete.status == 412
    fresh = management.get(f"/api/rules/{created.body['id']}").header("ETag")
    assert management.delete(f"/api/rules/{created.body['id']}", headers={"If-Match": fresh}).status == 204


@pytest.mark.parametrize("resource", READ_ONLY)
def test_read_only_resources_reject_writes(management: Management, resource: str) -> None:
    created = management.post(f"/api/{resource}", {"name": "x"})
    updated = management.put(f"/api/{resource}/some-id", {"name": "x"})
    deleted = management.delete(f"/api/{resource}/some-id")

    for response in (created, updated, deleted):
        assert response.status == 405
        assert response.header("Allow") == "GET"
        assert response.body["error"] == "Method not allowed"

    listed = management.get(f"/api/{resource}")
    assert listed.status == 200
    assert listed.body == {"results": [], "next": None}
    assert management.get(f"/api/{resource}/unknown").status == 404


def test_dashboard_counts_every_resource(management: Management) -> None:
    _create(management, "sources")
    _create(management, "mappings")
    _create(management, "mappings", name="Second")

    dashboard = management.get("/api/dashboard")

    assert dashboard.status == 200
    assert dashboard.body["sources"] == 1
    assert dashboard.body["mappings"] == 2
    assert dashboard.body["synchronizationContracts"] == 0
    assert all(isinstance(value, int) for value in dashboard.body.values())


def test_secrets_are_masked_and_not_logged(management: Management, management_logs: LogCapture) -> None:
    secret = "s3cr3t-api-key-value"
    created = management.post("/api/sources", {"name": "Secretive", "auth": "apikey", "apikey": secret})
    got = management.get(f"/api/sources/{created.body['id']}")
    listed = management.get("/api/sources")

    for response in (created, got, listed):
        assert secret not in response.text
    assert management_logs.entries()  # the handler did log (one entry per request at least)
    assert secret not in management_logs.text


def test_bad_limit_and_unknown_filter_are_400(management: Management) -> None:
    bad_limit = management.get("/api/sources", query={"_limit": "many"})
    bad_filter = management.get("/api/sources", query={"colour": "red"})

    assert bad_limit.status == 400
    assert bad_limit.body["fields"] == ["_limit"]
    assert bad_filter.status == 400
    assert bad_filter.body["fields"] == ["colour"]
