"""The fast check decides exactly as jsonschema: differential test over schemas and instances."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from openconnector_core.objects.validation import _fast_check, object_errors

SCHEMAS: list[dict[str, Any]] = [
    {"properties": {"name": {"type": "string"}, "value": {"type": "integer"}}},
    {"type": "object", "required": ["name"], "properties": {"name": {"type": ["string", "null"]}}},
    {"additionalProperties": False, "properties": {"a": {"type": "number"}, "b": {"type": "boolean"}}},
    {
        "properties": {
            "tags": {"type": "array", "items": {"type": "string"}},
            "address": {
                "type": "object",
                "required": ["city"],
                "properties": {"city": {"type": "string", "title": "City"}},
            },
        }
    },
    {"properties": {"x": {}, "y": True}},
]
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    1.0,
    1.5,
    -3,
    "",
    "x",
    [],
    ["a"],
    [1],
    {},
    {"city": "U"},
    {"c": 1},
]


def _instances() -> list[dict[str, Any]]:
    names = ["name", "value", "a", "b", "tags", "address", "x", "y", "other"]
    found: list[dict[str, Any]] = [{}]
    for first, second in itertools.combinations(names, 2):
        for one, two in itertools.product(VALUES[::3], VALUES[1::3]):
            found.append({first: one, second: two})
    for name in names:
        found.extend({name: value} for value in VALUES)
    return found


@pytest.mark.parametrize("schema", SCHEMAS)
def test_the_fast_check_agrees_with_jsonschema(schema: dict[str, Any]) -> None:
    check = _fast_check(schema)
    assert check is not None
    reference = Draft202012Validator(schema, format_checker=FormatChecker())
    for instance in _instances():
        assert check(instance) == reference.is_valid(instance), instance


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"email": {"type": "string", "format": "email"}}},
        {"properties": {"n": {"minimum": 3}}},
        {"properties": {"n": {"enum": [1, 2]}}},
        {"additionalProperties": {"type": "string"}},
        {"properties": {"n": {"$ref": "#/$defs/n"}}, "$defs": {"n": {"type": "integer"}}},
    ],
)
def test_schemas_with_other_keywords_are_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert _fast_check(schema) is None


def test_errors_still_come_from_jsonschema() -> None:
    schema = {
        "id": "fast-1",
        "version": "1",
        "properties": {"value": {"type": "integer"}},
        "required": ["name"],
    }
    assert object_errors(schema, {"name": "a", "value": 2}) == []
    assert object_errors(schema, {"value": "2"}) == [
        {"property": "name", "message": "'name' is a required property"},
        {"property": "value", "message": "'2' is not of type 'integer'"},
    ]


def test_a_draft_4_schema_is_never_fast() -> None:
    schema = {
        "id": "fast-2",
        "version": "1",
        "$schema": "http://json-schema.org/draft-04/schema#",
        "properties": {"value": {"type": "integer"}},
    }
    assert object_errors(schema, {"value": 1.0}) != []  # draft 4: 1.0 is not an integer
