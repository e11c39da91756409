"""Casts (behaviour reference §3.6) through the engine, and the registry itself."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.casts import CASTS, PREFIXED_CASTS, is_known_cast


def cast(value: Any, spec: Any) -> Any:
    result = MappingEngine().run({"passThrough": True, "cast": {"v": spec}}, {"v": value})
    assert isinstance(result, dict)
    return result.get("v", "<deleted>")


@pytest.mark.parametrize(
    ("value", "spec", "expected"),
    [
        ("12abc", "int", 12),
        ("1e3", "integer", 1000),
        ("1.5", "float", 1.5),
        (5, "string", "5"),
        ("yes", "bool", True),
        ("1.9", "bool", True),
        ("2", "bool", False),
        (None, "?bool", None),
        ("x", "array", ["x"]),
        (None, "array", []),
        ("a b&c", "url", "a+b%26c"),
        ("a%20b+c", "urlDecode", "a b c"),
        ("a b", "rawurl", "a%20b"),
        ("a%20b+c", "rawurlDecode", "a b+c"),
        ("<é>", "html", "&lt;&eacute;&gt;"),
        ("&lt;&eacute;", "htmlDecode", "<é"),
        ("hello", "base64", "aGVsbG8="),
        ("aGVs bG8", "base64Decode", "hello"),
        ({"k": "v/é"}, "json", '{"k":"v\\/\\u00e9"}'),
        ('{"k":1}', "jsonToArray", {"k": 1}),
        ("{&quot;k&quot;:1}", "jsonToArray", {"k": 1}),
        ("not json", "jsonToArray", None),
        ("Crème brûlée", "utf8", "Creme brulee"),
        ("null", "nullStringToNull", None),
        ("1 2 3", "coordinateStringToArray", [["1", "2"], ["3"]]),
        ("1.234,56", "moneyStringToInt", 123456),
        (123456, "intToMoneyString", "1.234,56"),
        ("", "unsetIfValue==", "<deleted>"),
        ({"k": None, "l": ""}, "unsetIfValue==", "<deleted>"),
        ("1.0", "unsetIfValue==1", "<deleted>"),
        (True, "unsetIfValue==x", "<deleted>"),
        (0, "unsetIfValue==abc", 0),
        ("", "unsetIfValue", ""),
        ([], "setNullIfValue==", None),
        (" 5 ", "int,string", "5"),
        ("5", ["int", "bool"], False),
        ("x,y", ["unsetIfValue==x,y"], "<deleted>"),
        ("5", "INT", "5"),
        ("5", "xml", "5"),
        ("3", "int,", 3),
        ("\\T\\e\\s\\t", "date", "Test"),
    ],
)
def test_cast(value: Any, spec: Any, expected: Any) -> None:
    result = cast(value, spec)
    assert result == expected
    assert type(result) is type(expected)


def test_date_cast_formats_now() -> None:
    assert cast("Y", "date") == str(dt.datetime.now(dt.UTC).year)


def test_count_value_counts_a_path_of_the_output() -> None:
    result = MappingEngine().run(
        {"passThrough": True, "cast": {"n": "countValue:items", "s": "countValue:missing"}},
        {"items": [1, 2, 3], "n": "?", "s": "abc"},
    )
    assert result == {"items": [1, 2, 3], "n": 3, "s": "abc"}


def test_key_cant_be_value_removes_literal_fallbacks() -> None:
    result = MappingEngine().run(
        {"mapping": {"a": "a", "b": "b"}, "cast": {"a": "keyCantBeValue", "b": "keyCantBeValue"}}, {"b": "x"}
    )
    assert result == {"b": "x"}


@pytest.mark.parametrize(("value", "spec"), [([], "bool"), ("abc", "intToMoneyString")])
def test_php_type_errors_fail_the_mapping(value: Any, spec: str) -> None:
    with pytest.raises(MappingError, match=r"Error for mapping: .*key: v"):
        cast(value, spec)


def test_registry_knows_every_documented_cast() -> None:
    documented = {
        "string", "bool", "boolean", "?bool", "?boolean", "int", "integer", "float", "array", "date", "url",
        "urlDecode", "rawurl", "rawurlDecode", "html", "htmlDecode", "base64", "base64Decode", "json",
        "jsonToArray", "utf8", "nullStringToNull", "coordinateStringToArray", "keyCantBeValue",
        "moneyStringToInt", "intToMoneyString",
    }  # fmt: skip
    assert set(CASTS) == documented
    assert set(PREFIXED_CASTS) == {"unsetIfValue==", "setNullIfValue==", "countValue:"}
    assert is_known_cast("unsetIfValue==x") and not is_known_cast("zgw_enum")
