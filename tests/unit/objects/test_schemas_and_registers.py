"""Registers and schemas as entity resources: JSON Schema keywords kept, invalid schemas refused."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.errors import ConflictError, ValidationError
from openconnector_core.objects.validation import object_errors


def test_a_schema_keeps_every_json_schema_keyword(container: Container) -> None:
    body: dict[str, Any] = {
        "title": "Address",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {"postcode": {"type": "string", "pattern": "^[0-9]{4}[A-Z]{2}$"}},
        "properties": {"postcode": {"$ref": "#/$defs/postcode"}},
        "required": ["postcode"],
        "additionalProperties": False,
    }
    stored = container.entities.create("schemas", body).item
    assert {key: stored[key] for key in body} == body
    assert stored["slug"] == "address" and stored["version"] == "0.0.1"
    assert object_errors(stored, {"postcode": "1234AB"}) == []
    assert [e["property"] for e in object_errors(stored, {"postcode": "12", "x": 1})] == ["", "postcode"]


def test_an_unknown_top_level_field_of_a_schema_is_still_refused(container: Container) -> None:
    with pytest.raises(ValidationError, match="colour"):
        container.entities.create("schemas", {"title": "Car", "colour": "red"})


@pytest.mark.parametrize(
    ("body", "keyword"),
    [
        ({"type": "objekt"}, "type"),
        ({"properties": {"age": {"type": "int"}}}, "type"),
        ({"properties": {"age": {"minimum": "zero"}}}, "minimum"),
        ({"required": "name"}, "required"),
        ({"additionalProperties": 5}, "additionalProperties"),
        ({"minLength": -1}, "minLength"),
    ],
)
def test_an_invalid_json_schema_is_a_400_naming_the_keyword(
    container: Container, body: dict[str, Any], keyword: str
) -> None:
    with pytest.raises(ValidationError, match=keyword):
        container.entities.create("schemas", {"title": "Bad", **body})
    assert container.entities.list("schemas", {}).items == []


def test_an_update_to_an_invalid_schema_is_refused_and_keeps_the_old_one(container: Container) -> None:
    container.entities.create("schemas", {"title": "Pet", "properties": {"name": {"type": "string"}}})
    with pytest.raises(ValidationError, match="type"):
        container.entities.update("schemas", "pet", {"properties": {"name": {"type": "text"}}})
    assert container.entities.get("schemas", "pet").item["properties"] == {"name": {"type": "string"}}


def test_format_checks_are_on(container: Container) -> None:
    schema = container.entities.create(
        "schemas",
        {
            "title": "Formats",
            "properties": {
                "email": {"format": "email"},
                "when": {"format": "date-time"},
                "day": {"format": "date"},
                "id": {"format": "uuid"},
                "site": {"format": "uri"},
            },
        },
    ).item
    good = {
        "email": "a@example.org",
        "when": "2024-01-02T03:04:05Z",
        "day": "2024-01-02",
        "id": "01890a5d-ac96-774b-bcce-b302099a8057",
        "site": "https://example.org/x",
    }
    assert object_errors(schema, good) == []
    bad = {"email": "nope", "when": "yesterday", "day": "2024-13-45", "id": "123", "site": "not a uri"}
    assert sorted(e["property"] for e in object_errors(schema, bad)) == sorted(bad)


def test_a_register_lists_schemas_and_takes_numeric_ids_from_exports(container: Container) -> None:
    stored = container.entities.create("registers", {"title": "Zaken", "schemas": [1, "pet"]}).item
    assert stored["schemas"] == ["1", "pet"]
    assert stored["slug"] == "zaken"


def test_a_derived_slug_that_is_taken_gets_a_numeric_suffix(container: Container) -> None:
    slugs = [container.entities.create("sources", {"name": "Pets API"}).item["slug"] for _ in range(3)]
    assert slugs == ["pets-api", "pets-api-2", "pets-api-3"]
    registers = [container.entities.create("registers", {"title": "Pets"}).item["slug"] for _ in range(2)]
    assert registers == ["pets", "pets-2"]


def test_a_chosen_slug_that_is_taken_is_a_409(container: Container) -> None:
    container.entities.create("sources", {"name": "A", "slug": "pets"})
    with pytest.raises(ConflictError, match="pets"):
        container.entities.create("sources", {"name": "B", "slug": "pets"})
    # a derived slug that equals the chosen one moves aside instead
    assert container.entities.create("sources", {"name": "Pets"}).item["slug"] == "pets-2"


def test_a_remote_ref_is_never_fetched_and_is_a_clear_400(container: Container) -> None:
    schema = container.entities.create(
        "schemas", {"title": "Remote", "properties": {"a": {"$ref": "http://169.254.169.254/latest"}}}
    ).item
    with pytest.raises(ValidationError, match=r"cannot be applied.*169\.254"):
        object_errors(schema, {"a": 1})
