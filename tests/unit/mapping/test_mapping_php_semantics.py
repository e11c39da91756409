"""PHP 8 value semantics the casts and templates depend on."""

from __future__ import annotations

import pytest

from openconnector_core import php


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12abc", 12),
        ("abc", 0),
        ("1e3", 1000),
        (" 42", 42),
        ("-3", -3),
        (12.7, 12),
        (True, 1),
        (None, 0),
        ("0x1A", 0),
        ("012", 12),
        ("+5", 5),
        (".9", 0),
        ("99999999999999999999", 2**63 - 1),
        ([], 0),
        ([1], 1),
    ],
)
def test_int_cast(value: object, expected: int) -> None:
    assert php.to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.5", 1.5), ("1,5", 1.0), ("abc", 0.0), (3, 3.0), (".5", 0.5), ("1.5e-3", 0.0015)],
)
def test_float_cast(value: object, expected: float) -> None:
    assert php.to_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, "5"),
        (True, "1"),
        (False, ""),
        (None, ""),
        (1.0, "1"),
        (0.1 + 0.2, "0.3"),
        (1e20, "1.0E+20"),
        (1.5e-7, "1.5E-7"),
        (-0.5, "-0.5"),
        ([1], "Array"),
    ],
)
def test_string_conversion(value: object, expected: str) -> None:
    assert php.to_string(value) == expected


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        ("1.0", "1", True),
        (True, "x", True),
        (0, "abc", False),
        (None, "", True),
        (None, "0", False),
        (" 1", "1", True),
        ("1e1", "10", True),
        ("abc", "ABC", False),
        (["x"], "x", False),
        (False, "0", True),
        (0, "", False),
        (5, "5", True),
        (None, [], True),
    ],
)
def test_loose_equality_follows_php8(left: object, right: object, equal: bool) -> None:
    assert php.loose_equals(left, right) is equal


def test_arithmetic_on_numeric_strings_and_errors() -> None:
    assert php.add("5", 1) == 6
    assert php.divide(36, 4) == 9 and isinstance(php.divide(36, 4), int)
    assert php.divide(1, 4) == 0.25
    assert php.floor_divide(36, 5) == 7
    assert php.modulo(-7, 3) == -1
    assert php.power(2, 10) == 1024
    assert php.power(2, 10_000_000) == float("inf")
    with pytest.raises(php.PhpTypeError):
        php.add("abc", 1)
    with pytest.raises(ZeroDivisionError):
        php.divide(1, 0)


def test_json_encode_matches_php_defaults() -> None:
    assert php.json_encode({"k": "v/é"}) == '{"k":"v\\/\\u00e9"}'
    assert php.json_encode({"a": [], "b": {}}) == '{"a":[],"b":[]}'
    assert php.json_encode({"0": "a", "1": "b"}) == '["a","b"]'
    # PHP 8 without JSON_PRESERVE_ZERO_FRACTION (checked with php 8.2): 3.0 is written as 3
    assert php.json_encode([1.5, 3.0, 1e20]) == "[1.5,3,1.0e+20]"


def test_html_entities_use_html401_names_and_php_quotes() -> None:
    assert php.htmlentities("<b>\"Tom\" & 'Jerry' é</b>") == (
        "&lt;b&gt;&quot;Tom&quot; &amp; &#039;Jerry&#039; &eacute;&lt;/b&gt;"
    )
    assert php.html_entity_decode("&lt;b&gt; &amp; &eacute; &#39; &#x41;") == "<b> & é ' A"
    assert php.html_entity_decode("&apos; &amp b") == "&apos; &amp b"


def test_url_encodings() -> None:
    assert php.urlencode("a b&c/d?e=é~*") == "a+b%26c%2Fd%3Fe%3D%C3%A9%7E%2A"
    assert php.rawurlencode("a b~-._*") == "a%20b~-._%2A"


def test_number_format_rounds_half_away_from_zero() -> None:
    assert php.number_format(1234.5678) == "1,235"
    assert php.number_format(1234.5678, 2, ",", ".") == "1.234,57"
    assert php.number_format(0.5) == "1"
    assert php.number_format(-0.004, 2) == "-0.00" or php.number_format(-0.004, 2) == "0.00"
