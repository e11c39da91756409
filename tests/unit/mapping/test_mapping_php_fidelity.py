"""Casts and Twig filters where a differential run against the original (upstream MappingService) found
us apart: ``moneyStringToInt`` on arrays, ``coordinateStringToArray`` on non-strings, the ``date`` cast's
``u``/``v``/``x``/``X`` letters and ``convert_encoding``.

Every expected value was observed on PHP 8.2.36, 2026-12-01 (the casts as upstream writes them, the
filters with real Twig). Each case runs through the compiled engine and the interpreter alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.php import dates

RUNNERS = [pytest.param(MappingEngine, id="compiled"), pytest.param(MappingInterpreter, id="interpreter")]

# the pinned "now": 2026-12-01 10:20:30.123456 UTC
NOW = datetime(2026, 12, 1, 10, 20, 30, 123456, tzinfo=UTC)


@pytest.fixture
def pinned_clock() -> Iterator[None]:
    original = dates.clock
    dates.clock = lambda: NOW
    try:
        yield
    finally:
        dates.clock = original


def cast(runner: type[MappingEngine] | type[MappingInterpreter], value: Any, spec: str) -> Any:
    mapping = {"name": "m", "mapping": {}, "cast": {"v": spec}, "passThrough": True}
    result = runner().run(mapping, {"v": value})
    assert isinstance(result, dict)
    return result["v"]


def render(runner: type[MappingEngine] | type[MappingInterpreter], template: str, data: Any) -> Any:
    result = runner().run({"name": "m", "mapping": {"r": template}}, data)
    assert isinstance(result, dict)
    return result["r"]


# --------------------------------------------------------------------------- moneyStringToInt


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # (int) str_replace(...): an array subject gives an array, (int) of it is 1, or 0 when empty
        ([1, 2], 1),
        ([], 0),
        ({}, 0),
        ({"a": None}, 1),
        ({"a": "1"}, 1),
        ([[]], 1),
        # scalars go through (string) first
        (None, 0),
        (True, 1),
        (False, 0),
        (1.5, 15),
        (-1.5e3, -1500),
        (1e20, 9223372036854775807),
        ("1.234,56", 123456),
    ],
)
def test_money_string_to_int_takes_any_value(runner: Any, value: Any, expected: int) -> None:
    assert cast(runner, value, "moneyStringToInt") == expected


# --------------------------------------------------------------------------- coordinateStringToArray


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("52.1 4.3", ["52.1", "4.3"]),
        (1, ["1"]),  # coordinateStringToArray(string $coordinates): scalars coerce (no strict_types)
        (1.5, ["1.5"]),
        (True, ["1"]),
        (False, [""]),
    ],
)
def test_coordinate_string_to_array_coerces_scalars(runner: Any, value: Any, expected: list[str]) -> None:
    assert cast(runner, value, "coordinateStringToArray") == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(("value", "kind"), [(None, "null"), ([1], "array"), ({}, "array")])
def test_coordinate_string_to_array_fails_for_null_and_arrays(runner: Any, value: Any, kind: str) -> None:
    with pytest.raises(MappingError) as raised:
        cast(runner, value, "coordinateStringToArray")
    assert raised.value.message == (
        "Error for mapping: m, key: v, value: coordinateStringToArray and with message thrown: "
        "OCA\\OpenConnector\\Service\\MappingService::coordinateStringToArray(): Argument #1 ($coordinates) "
        f"must be of type string, {kind} given"
    )


# --------------------------------------------------------------------------- the date cast (PHP's date())


@pytest.mark.usefixtures("pinned_clock")
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("u", "000000"),  # date() has no microseconds
        ("v", "000"),
        ("x X", "2026 +2026"),  # PHP 8.2's expanded years
        ("Y-m-d H:i:s.u", "2026-12-01 10:20:30.000000"),
        ("\\x\\X x", "xX 2026"),
    ],
)
def test_date_cast_is_php_date(runner: Any, fmt: str, expected: str) -> None:
    assert cast(runner, fmt, "date") == expected


@pytest.mark.usefixtures("pinned_clock")
@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Twig's |date is DateTime::format: a parsed date keeps its microseconds, "now" too
        ("{{ '2024-01-02 03:04:05.123456'|date('u v x X') }}", "123456 123 2024 +2024"),
        ("{{ '2024-01-02T03:04:05.5Z'|date('u v') }}", "500000 500"),
        ("{{ 'now'|date('u v x X') }}", "123456 123 2026 +2026"),
        ("{{ '0005-01-01'|date('Y x X y') }}", "0005 0005 +0005 05"),
    ],
)
def test_twig_date_filter_keeps_date_time_format(runner: Any, template: str, expected: str) -> None:
    assert render(runner, template, {}) == expected


# --------------------------------------------------------------------------- convert_encoding (iconv)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("to", "source", "text", "expected"),
    [
        ("ASCII", "UTF-8", "Ünï", ""),  # a character the target cannot hold: iconv returns false
        ("ASCII", "UTF-8", "abc", "abc"),
        ("US-ASCII", "UTF-8", "“q”", ""),
        ("ISO-8859-1", "UTF-8", "é€", ""),
        ("ISO-8859-1", "UTF-8", "abc", "abc"),
        ("UTF-8", "UTF-8", "日本", "日本"),
        ("FOO", "UTF-8", "abc", ""),  # an unknown charset
        ("UTF-8", "FOO", "abc", ""),
        ("UTF-8", "ASCII", "é", ""),  # input the source charset does not allow
        ("UTF-8", "ISO-8859-1", "é", "Ã©"),
        ("UTF-8", "CP1252", "€", "â‚¬"),
        ("ASCII//TRANSLIT", "UTF-8", "é€ ß “q” 日", 'eEUR ss "q" ?'),
        ("ASCII//TRANSLIT", "UTF-8", "½ ™ ﬁ", " 1/2  (TM) fi"),
        ("ISO-8859-1//TRANSLIT", "UTF-8", "€", "EUR"),
        ("ASCII//IGNORE", "UTF-8", "Ünï“q”", "nq"),
        ("ASCII//TRANSLIT//IGNORE", "UTF-8", "Ünï", "Uni"),
        ("ASCII//IGNORE//TRANSLIT", "UTF-8", "Ünï日x", "Uni?x"),
        ("ascii//ignore", "UTF-8", "Ünï", ""),  # PHP only honours //IGNORE in capitals
        ("ascii//translit", "UTF-8", "Ünï", "Uni"),
        ("UTF-16", "UTF-8", "", ""),
        ("UTF-16LE", "UTF-8", "ab", "a\x00b\x00"),
        ("utf-7", "UTF-8", "é", "+AOk-"),
        # PHP: the bytes DC 6E EF (not UTF-8); a Python str holds replacement characters instead
        ("ISO-8859-1", "UTF-8", "Ünï", "\ufffdn\ufffd"),
    ],
)
def test_convert_encoding_is_iconv(runner: Any, to: str, source: str, text: str, expected: str) -> None:
    data = {"v": text, "to": to, "source": source}
    assert render(runner, "{{ v|convert_encoding(to, source) }}", data) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("{{ v|convert_encoding('ASCII', 'UTF-8') is same as(false) ? 'F' : 'T' }}", {"v": "é"}, "F"),
        ("{{ v|convert_encoding('ASCII', 'UTF-8') is same as(false) ? 'F' : 'T' }}", {"v": "e"}, "T"),
        ("{{ v|convert_encoding('ASCII', 'UTF-8') }}", {"v": None}, ""),
        ("{{ v|convert_encoding('ASCII', 'UTF-8') }}", {"v": 1.5}, "1.5"),
        ("{{ v|convert_encoding(to='ASCII', from='UTF-8') }}", {"v": "a"}, "a"),
        ("{{ v|convert_encoding(null, 'UTF-8') }}", {"v": "é"}, "é"),  # "": the locale's charset
    ],
)
def test_convert_encoding_values_and_arguments(runner: Any, template: str, data: Any, expected: str) -> None:
    assert render(runner, template, data) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "data", "message"),
    [
        ("{{ v|convert_encoding('ASCII') }}", {"v": "a"}, "Too few arguments to function twig_convert_"),
        ("{{ v|convert_encoding('ASCII', 'UTF-8') }}", {"v": [1]}, "iconv(): Argument #3 ($string) must"),
        ("{{ v|convert_encoding(['a'], 'UTF-8') }}", {"v": "a"}, "iconv(): Argument #2 ($to_encoding) must"),
        ("{{ v|convert_encoding('ASCII', ['x']) }}", {"v": "a"}, "Argument #1 ($from_encoding) must"),
    ],
)
def test_convert_encoding_errors(runner: Any, template: str, data: Any, message: str) -> None:
    with pytest.raises(MappingError, match=r"Error for mapping: m, key: r, .*" + re.escape(message)):
        render(runner, template, data)


# --------------------------------------------------------------------------- the utf8 cast (ASCII//TRANSLIT)


@pytest.mark.parametrize("runner", RUNNERS)
def test_utf8_cast_spells_out_fractions(runner: Any) -> None:
    assert cast(runner, "½ ¼ é ™ ﬁ", "utf8") == " 1/2   1/4  e (TM) fi"
