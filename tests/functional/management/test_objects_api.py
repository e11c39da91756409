"""The objects API and the register/schema resources through the management handler (in memory)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.functional.conftest import Management
from tests.functional.events import http_event

PET = {
    "title": "Pet",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer", "minimum": 0},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
    "required": ["name"],
}


@pytest.fixture
def api(management: Management) -> Management:
    assert management.post("/api/schemas", PET).status == 201
    assert management.post("/api/registers", {"title": "Zoo", "schemas": ["pet"]}).status == 201
    return management


def patch(management: Management, path: str, body: Any, **kwargs: Any) -> Any:
    return management.request("PATCH", path, body=body, **kwargs)


def test_object_crud_with_etags(api: Management) -> None:
    created = api.post("/api/objects/zoo/pet", {"name": "Rex", "age": 3})
    assert created.status == 201, created.body
    object_id = created.body["id"]
    assert created.header("Location") == f"/api/objects/zoo/pet/{object_id}"
    assert created.header("ETag") == '"1"'
    assert created.body["@self"]["version"] == "0.0.1"

    got = api.get(f"/api/objects/zoo/pet/{object_id}")
    assert got.status == 200 and got.body == created.body and got.header("ETag") == '"1"'

    replaced = api.put(f"/api/objects/zoo/pet/{object_id}", {"name": "Max"}, headers={"If-Match": '"1"'})
    assert replaced.status == 200 and "age" not in replaced.body and replaced.header("ETag") == '"2"'
    stale = api.put(f"/api/objects/zoo/pet/{object_id}", {"name": "Old"}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    merged = patch(api, f"/api/objects/zoo/pet/{object_id}", {"age": 9})
    assert merged.status == 200 and merged.body["name"] == "Max" and merged.body["age"] == 9

    assert api.delete(f"/api/objects/zoo/pet/{object_id}", headers={"If-Match": '"2"'}).status == 412
    assert api.delete(f"/api/objects/zoo/pet/{object_id}").status == 204
    gone = api.get(f"/api/objects/zoo/pet/{object_id}")
    assert gone.status == 404 and object_id in gone.body["message"]


def test_validation_errors_name_each_property(api: Management) -> None:
    refused = api.post("/api/objects/zoo/pet", {"age": -1, "address": {"city": 7}})
    assert refused.status == 400
    assert refused.body["error"] == "Validation failed"
    assert sorted(refused.body["errors"], key=lambda e: e["property"]) == [
        {"property": "address.city", "message": "7 is not of type 'string'"},
        {"property": "age", "message": "-1 is less than the minimum of 0"},
        {"property": "name", "message": "'name' is a required property"},
    ]
    assert api.get("/api/objects/zoo/pet").body["results"] == []


@pytest.mark.parametrize("raw", ["[1, 2]", '"text"', "{not json", ""])
def test_a_body_that_is_not_a_json_object_is_a_400(api: Management, raw: str) -> None:
    response = api.invoke(http_event("POST", "/api/objects/zoo/pet", raw_body=raw))
    assert response.status == 400, response.body


def test_unknown_register_schema_or_object_is_a_404_naming_which(api: Management) -> None:
    register = api.get("/api/objects/nope/pet")
    assert register.status == 404 and "register 'nope'" in register.body["message"]
    schema = api.post("/api/objects/zoo/nope", {"name": "x"})
    assert schema.status == 404 and "schema 'nope'" in schema.body["message"]
    missing = str(uuid.uuid4())
    assert api.get(f"/api/objects/zoo/pet/{missing}").status == 404
    assert api.get(f"/api/objects/zoo/pet/{missing}/audit-trail").status == 404


def test_references_by_id_and_uuid_work_too(api: Management) -> None:
    register = api.get("/api/registers/zoo").body
    schema = api.get("/api/schemas/pet").body
    created = api.post(f"/api/objects/{register['id']}/{schema['uuid']}", {"name": "Rex"})
    assert created.status == 201
    assert api.get(f"/api/objects/zoo/pet/{created.body['id']}").status == 200


def test_lists_filters_search_and_paging(api: Management) -> None:
    for name, city in [("Rex", "Utrecht"), ("Tom", "Delft"), ("Kit", "Utrecht"), ("Bo", "Utrecht")]:
        assert api.post("/api/objects/zoo/pet", {"name": name, "address": {"city": city}}).status == 201
    first = api.get("/api/objects/zoo/pet", query={"address.city": "Utrecht", "_limit": "2"})
    assert [item["name"] for item in first.body["results"]] == ["Rex", "Kit"]
    second = api.get("/api/objects/zoo/pet", query={"address.city": "Utrecht", "_next": first.body["next"]})
    assert [item["name"] for item in second.body["results"]] == ["Bo"] and second.body["next"] is None
    search = api.get("/api/objects/zoo/pet", query={"_search": "delf"})
    assert [item["name"] for item in search.body["results"]] == ["Tom"]
    assert api.get("/api/objects/zoo/pet", query={"_limit": "x"}).status == 400
    assert api.get("/api/objects/zoo/pet", query={"_next": "garbage!"}).status == 400


def test_the_audit_trail_names_who_did_what(api: Management) -> None:
    object_id = api.post("/api/objects/zoo/pet", {"name": "Rex"}).body["id"]
    patch(api, f"/api/objects/zoo/pet/{object_id}", {"name": "Max"})
    trail = api.get(f"/api/objects/zoo/pet/{object_id}/audit-trail")
    assert trail.status == 200
    assert [entry["action"] for entry in trail.body["results"]] == ["updated", "created"]
    assert trail.body["results"][0]["changed"] == {"name": {"old": "Rex", "new": "Max"}}


def test_the_actor_is_the_authorizer_principal(api: Management) -> None:
    event = http_event("POST", "/api/objects/zoo/pet", body={"name": "Rex"})
    event["requestContext"]["authorizer"] = {
        "jwt": {"claims": {"sub": "alice", "scope": "openconnector/admin"}, "scopes": []}
    }
    object_id = api.invoke(event).body["id"]
    trail = api.get(f"/api/objects/zoo/pet/{object_id}/audit-trail").body["results"]
    assert trail[0]["actor"] == "alice"


def test_wrong_methods_are_405(api: Management) -> None:
    assert api.delete("/api/objects/zoo/pet").status == 405
    response = api.post(f"/api/objects/zoo/pet/{uuid.uuid4()}", {"name": "x"})
    assert response.status == 405 and "PATCH" in (response.header("Allow") or "")


def test_deleting_a_schema_that_holds_objects_is_a_409(api: Management) -> None:
    object_id = api.post("/api/objects/zoo/pet", {"name": "Rex"}).body["id"]
    refused = api.delete("/api/schemas/pet")
    assert refused.status == 409 and "holds objects" in refused.body["message"]
    assert api.get("/api/schemas/pet").status == 200
    assert api.delete(f"/api/objects/zoo/pet/{object_id}").status == 204
    assert api.delete("/api/schemas/pet").status == 204
    assert api.get("/api/schemas/pet").status == 404


def test_deleting_a_register_that_holds_objects_is_a_409(api: Management) -> None:
    assert api.post("/api/registers", {"title": "Empty"}).status == 201
    object_id = api.post("/api/objects/zoo/pet", {"name": "Rex"}).body["id"]
    refused = api.delete("/api/registers/zoo")
    assert refused.status == 409 and "register 'zoo'" in refused.body["message"]
    assert api.delete("/api/registers/empty").status == 204
    assert api.delete(f"/api/objects/zoo/pet/{object_id}").status == 204
    assert api.delete("/api/registers/zoo", headers={"If-Match": '"7"'}).status == 412
    assert api.delete("/api/registers/zoo").status == 204


def test_an_invalid_json_schema_is_a_400_naming_the_keyword(management: Management) -> None:
    refused = management.post("/api/schemas", {"title": "Bad", "properties": {"age": {"type": "int"}}})
    assert refused.status == 400
    assert refused.body["keyword"] == "type" and "properties/age/type" in refused.body["message"]


def test_derived_slugs_get_a_suffix_and_chosen_ones_conflict(management: Management) -> None:
    first = management.post("/api/registers", {"title": "Pets"})
    second = management.post("/api/registers", {"title": "Pets"})
    assert (first.body["slug"], second.body["slug"]) == ("pets", "pets-2")
    assert management.post("/api/sources", {"name": "Pets"}).body["slug"] == "pets"
    assert management.post("/api/sources", {"name": "Pets"}).body["slug"] == "pets-2"
    assert management.post("/api/sources", {"name": "X", "slug": "pets"}).status == 409
