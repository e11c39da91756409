"""validate_mapping names every bad key of a mapping before it is saved."""

from __future__ import annotations

import pytest

from openconnector_core.errors import ValidationError
from openconnector_core.mapping import validate_mapping


def test_valid_mapping_passes() -> None:
    validate_mapping(
        {
            "name": "ok",
            "mapping": {"a": "b", "c": "{{ x|upper }}", "d": "{{ executeMapping('m', x)|json_encode }}"},
            "unset": ["a"],
            "cast": {"c": "string,unsetIfValue==", "d": ["jsonToArray"], "e": "countValue:a"},
            "passThrough": True,
        }
    )


def test_every_bad_key_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_mapping(
            {
                "name": "bad",
                "mapping": {
                    "t": "{% if x %}unclosed",
                    "n": None,
                    "0": "a",
                    "f": "{{ x|nosuchfilter }}",
                    "ok": "y",
                },
                "cast": {"c": "int,zgw_enum", "d": "bool"},
            }
        )
    fields = caught.value.extra["fields"]
    assert fields == ["mapping.t", "mapping.n", "mapping.0", "mapping.f", "cast.c"]
    assert "zgw_enum" in caught.value.message
    assert "nosuchfilter" in caught.value.message


def test_literal_arrays_with_nested_arrays_are_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_mapping({"mapping": {"x": [["a"], "b"]}})
    assert caught.value.extra["fields"] == ["mapping.x"]
