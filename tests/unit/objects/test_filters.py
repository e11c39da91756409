"""Dot paths and filter matching (no storage)."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.objects.filters import object_matcher, path_value

DOC: dict[str, Any] = {
    "a.b": "whole key",
    "a": {"b": "nested", "c": {"d": 1.0}},
    "items": [{"code": "x"}, {"code": "y"}, {"other": 1}],
    "flag": True,
    "empty": None,
}


@pytest.mark.parametrize(
    ("path", "value"),
    [("a.b", "whole key"), ("a.c.d", 1.0), ("items.code", ["x", "y"]), ("flag", True)],
)
def test_path_value(path: str, value: Any) -> None:
    assert path_value(DOC, path) == value


@pytest.mark.parametrize(
    ("filters", "matches"),
    [
        ({"a.c.d": "1"}, True),
        ({"flag": "true"}, True),
        ({"flag": "1"}, False),
        ({"items.code": "y"}, True),
        ({"items.code": "z"}, False),
        ({"empty": "IS NULL"}, True),
        ({"missing.deep": "IS NULL"}, True),
        ({"missing.deep": "x"}, False),
        ({"a.b": "nested"}, False),  # the whole key "a.b" wins, as in mappings
    ],
)
def test_filters(filters: dict[str, str], matches: bool) -> None:
    assert object_matcher(filters, None)(DOC) is matches


def test_search_reaches_nested_strings_only() -> None:
    assert object_matcher(None, "NESTED")(DOC)
    assert not object_matcher(None, "true")(DOC)
