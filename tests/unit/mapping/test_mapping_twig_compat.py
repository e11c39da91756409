"""Twig-dialect compatibility found by differential testing against real Twig 3.5.1 on PHP 8.2.

Every expected value below was observed from the real Twig (Environment with default options plus the
original's filters, output passed through ``html_entity_decode``), not derived by reasoning.
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core import php
from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine

ENGINE = MappingEngine()


def render(template: str, context: dict[str, Any] | None = None) -> str:
    result = ENGINE.run({"name": "t", "mapping": {"x": template}}, context or {})
    assert isinstance(result, dict)
    value = result["x"]
    assert isinstance(value, str)
    return value


def fails(template: str, context: dict[str, Any] | None = None) -> bool:
    try:
        render(template, context)
    except MappingError:
        return True
    return False


# --------------------------------------------------------------------------- json_encode


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # php -r 'echo json_encode([...]);'
        (3.0, "3"),
        (-0.0, "-0"),
        (0.1, "0.1"),
        (1e15, "1000000000000000"),
        (1e16, "10000000000000000"),
        (1e17, "1.0e+17"),
        (1.5e17, "1.5e+17"),
        (1e-5, "1.0e-5"),
        (0.00012, "0.00012"),
        (5e-324, "5.0e-324"),
        (0.30000000000000004, "0.30000000000000004"),
        ({"x": 2.0, "y": "2.0"}, '{"x":2,"y":"2.0"}'),
        ("\x7f", '"\x7f"'),
    ],
)
def test_json_encode_floats_as_php(value: Any, expected: str) -> None:
    assert php.json_encode(value) == expected


def test_json_encode_filter_of_float_arithmetic() -> None:
    # Twig: {{ (a + b)|json_encode }} with a=1, b=2.0 → "3"; {{ (a / 2)|json_encode }} with a=4 → "2"
    assert render("{{ (a + b)|json_encode }}", {"a": 1, "b": 2.0}) == "3"
    assert render("{{ (a / 2)|json_encode }}", {"a": 4}) == "2"
    assert render("{{ {'k': v}|json_encode }}", {"v": 1.0}) == '{"k":1}'


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("template", "value", "expected"),
    [
        # The timezone argument converts; the string is read in the default timezone (UTC).
        ("{{ v|date('Y-m-d H:i T', 'Europe/Amsterdam') }}", "2024-07-15 23:30:00", "2024-07-16 01:30 CEST"),
        ("{{ v|date('Y-m-d H:i T', 'Europe/Amsterdam') }}", "2024-01-15", "2024-01-15 01:00 CET"),
        ("{{ date(v, 'Europe/Amsterdam')|date('c') }}", "2024-01-15", "2024-01-15T00:00:00+00:00"),
        # false keeps the zone written in the string
        ("{{ v|date('Y-m-d H:i P', false) }}", "2024-01-15T10:30:00+02:00", "2024-01-15 10:30 +02:00"),
        ("{{ v|date('Y-m-d H:i P') }}", "2024-01-15T10:30:00+02:00", "2024-01-15 08:30 +00:00"),
        # strtotime formats
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15 10:30:00 UTC", "2024-01-15 10:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15 10:30:00 CEST", "2024-01-15 08:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15T10:30:00 Europe/Amsterdam", "2024-01-15 09:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "Mon, 15 Jan 2024 10:30:00 GMT", "2024-01-15 10:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "Monday, 15-Jan-2024 10:30:00 UTC", "2024-01-15 10:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-1-5", "2024-01-05 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15T1:02:03", "2024-01-15 01:02:03"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15t10:30:00z", "2024-01-15 10:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "15-01-2024 10:30", "2024-01-15 10:30:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "15 January 2024", "2024-01-15 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "15-Jan-2024", "2024-01-15 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "Jan 2024", "2024-01-01 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01", "2024-01-01 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2023-02-29", "2023-03-01 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15 +1 day", "2024-01-16 00:00:00"),
        ("{{ v|date('Y-m-d H:i:s') }}", "2024-01-15T10:30:00Z +1 hour", "2024-01-15 11:30:00"),
    ],
)
def test_date_parsing_and_timezones(template: str, value: str, expected: str) -> None:
    assert render(template, {"v": value}) == expected


@pytest.mark.parametrize(
    ("base", "modifier", "expected"),
    [
        ("2024-01-31T10:30:00Z", "first day of next month", "2024-02-01 10:30:00"),
        ("2024-02-29 12:00:00", "last day of previous month", "2024-01-31 12:00:00"),
        ("2023-12-31", "last day of february", "2023-02-28 00:00:00"),
        ("2024-01-31T10:30:00Z", "last day of this month", "2024-01-31 10:30:00"),
        ("2024-02-29 12:00:00", "1 month ago", "2024-01-29 12:00:00"),
        ("2024-01-31T10:30:00Z", "2 days ago", "2024-01-29 10:30:00"),
        ("2024-01-31T10:30:00Z", "next month", "2024-03-02 10:30:00"),
        ("2024-02-29 12:00:00", "last year", "2023-03-01 12:00:00"),
        ("2024-01-31T10:30:00Z", "+3 weekdays", "2024-02-05 10:30:00"),
        ("2024-01-31T10:30:00Z", "monday this week", "2024-01-29 00:00:00"),
        ("2024-02-29 12:00:00", "sunday", "2024-03-03 00:00:00"),
        ("2024-02-29 12:00:00", "+1 day midnight", "2024-03-01 00:00:00"),
        ("2024-01-31T10:30:00Z", "noon tomorrow", "2024-02-01 00:00:00"),
        ("2023-12-31", "@0", "1970-01-01 00:00:00"),
    ],
)
def test_date_modify_relative_formats(base: str, modifier: str, expected: str) -> None:
    template = "{{ v|date_modify(m)|date('Y-m-d H:i:s') }}"
    assert render(template, {"v": base, "m": modifier}) == expected


# --------------------------------------------------------------------------- filters, tests, functions


@pytest.mark.parametrize(
    ("template", "value"),
    [
        # Twig's array filters refuse scalars and null (RuntimeError) ...
        ("{{ v|sort|join(',') }}", None),
        ("{{ v|sort }}", "abc"),
        ("{{ v|filter(x => x)|length }}", ""),
        ("{{ v|reduce((c, x) => c + x, 0) }}", 5),
        ("{{ v|column('id')|length }}", None),
        ("{{ v|batch(2)|length }}", "ab"),
        ("{{ max(v) }}", 5),
        # ... and PHP's string functions refuse arrays (TypeError)
        ("{{ v|upper }}", [1, 2]),
        ("{{ v|lower }}", {"a": 1}),
        ("{{ v|capitalize }}", ["a"]),
        ("{{ v|title }}", ["a"]),
        ("{{ v|trim }}", ["a"]),
        ("{{ v|split(',')|length }}", ["a"]),
        ("{{ v|replace({'a': 'b'}) }}", ["a"]),
        ("{{ v|striptags }}", ["a"]),
        ("{{ v|nl2br }}", ["a"]),
        ("{{ v|spaceless }}", ["a"]),
        ("{{ v|format }}", ["a"]),
        ("{{ v matches '/a/' ? 'y' }}", ["a"]),
        # abs() wants a number; even/odd use %, which refuses a non-numeric string
        ("{{ v|abs }}", "12abc"),
        ("{{ v is even ? 'y' }}", "abc"),
        ("{{ 1 b-and v }}", "abc"),
        # the original's json_decode filter is declared to return an array
        ("{{ v|json_decode }}", "5"),
        ("{{ v|json_decode }}", '"text"'),
    ],
)
def test_twig_raises_for_wrong_types(template: str, value: Any) -> None:
    assert fails(template, {"v": value})


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ("{{ v|map(x => x)|length }}", {"v": None}, "0"),  # map is lenient
        ("{{ v|abs }}", {"v": " 42"}, "42"),
        ("{{ v|json_decode|json_encode }}", {"v": "[1,2]"}, "[1,2]"),
        # escape/raw return non-strings unchanged
        ("{{ v|e|json_encode }}", {"v": 5}, "5"),
        ("{{ v|raw|json_encode }}", {"v": 1.5}, "1.5"),
        # htmlspecialchars entities: visible once a value is escaped twice
        ("{{ v|e|e }}", {"v": "a'b\"c<"}, "a&#039;b&quot;c&lt;"),
        ("{{ v|nl2br|json_encode }}", {"v": "a'b\"c"}, '"a&#039;b&quot;c"'),
        ("{{ v|spaceless }}", {"v": "&amp; <p>x</p>\n<p>y</p>"}, "&amp; <p>x</p>\n<p>y</p>"),
        ("{% apply spaceless %}<p>x</p>\n  <p>y</p>{% endapply %}", {}, "<p>x</p><p>y</p>"),
        ("{{ v|e('js') }}", {"v": "<&>\"' é/"}, "\\u003C\\u0026\\u003E\\u0022\\u0027\\u0020\\u00E9\\/"),
        ("{{ v|e('css') }}", {"v": "a b"}, "a\\20 b"),
        ("{{ v|e('html_attr') }}", {"v": "<a b>"}, "<a b>"),
        ("{{ []|first is same as(false) ? 'false' }}", {}, "false"),
        ("{{ [{'id':1,'n':'a'},{'id':2,'n':'b'}]|column('n', 'id')|json_encode }}", {}, '{"1":"a","2":"b"}'),
        (
            "{{ v|url_encode }}",
            {"v": {"a": "x y", "b": [1, 2], "c": None, "d": False}},
            "a=x%20y&b%5B0%5D=1&b%5B1%5D=2&d=0",
        ),
        ("{{ cycle(['a', 'b', 'c'], v) }}", {"v": -1}, ""),
        ("{{ cycle(['a', 'b', 'c'], v) }}", {"v": 4}, "b"),
        ("{{ v is odd ? 'odd' : 'even' }}", {"v": "3"}, "odd"),
        ("{{ v is odd ? 'odd' : 'even' }}", {"v": -3}, "odd"),
    ],
)
def test_twig_filter_results(template: str, context: dict[str, Any], expected: str) -> None:
    assert render(template, context) == expected


# --------------------------------------------------------------------------- escaping and entities


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        # a parenthesised literal is still a literal: printed unescaped, so its entities are decoded
        ("{{ ('a &amp; b') }}", {}, "a & b"),
        ("{{ (true ? '&lt;b&gt;' : x) }}", {"x": 1}, "<b>"),
        # nl2br/spaceless pre-escape data but not literals
        ("{{ '&amp;'|nl2br }}", {}, "&"),
        ("{{ '&eacute;'|spaceless }}", {}, "é"),
        # a value stored by {% set x = ... %} is a plain string again: |raw/|e do not stick to it
        ("{% set s = x|e %}{{ s }}", {"x": "&amp;"}, "&amp;amp;"),
        ("{% set s = x|raw %}{{ s }}", {"x": "&amp;"}, "&amp;"),
        ("{% set s = '&amp;'|raw %}{{ s }}", {}, "&amp;"),
        # ... while a captured block stays safe
        ("{% set s %}<i>{{ x }}</i>{% endset %}{{ s }}", {"x": "&amp;"}, "<i>&amp;</i>"),
        # {% apply %} prints body|filters, auto-escaped unless the last filter is safe
        ("{% apply upper %}&#39;{{ x }}{% endapply %}", {"x": "&amp;"}, "&#39;&AMP;AMP;"),
        ("{% apply upper %}hello {{ x }}{% endapply %}", {"x": "<b>w</b>"}, "HELLO &LT;B&GT;W&LT;/B&GT;"),
        ('{% apply e %}"q"{{ x }}{% endapply %}', {"x": '"y"'}, '"q"&quot;y&quot;'),
        ("{% apply raw %}&amp;{{ x }}{% endapply %}", {"x": "&amp;"}, "&&amp;"),
        # auto-escaping uses htmlspecialchars entities (&quot; and &#039;)
        ("{% set s %}{{ x }}{% endset %}{{ s|upper }}", {"x": "\"y\" 'z'"}, "&QUOT;Y&QUOT; &#039;Z&#039;"),
        ("{{ x|e|upper }}", {"x": "it's"}, "IT&#039;S"),
    ],
)
def test_escaping_like_twig(template: str, context: dict[str, Any], expected: str) -> None:
    assert render(template, context) == expected


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        # PHP's bitwise operators work byte by byte on two strings
        ("{{ (a b-or b)|json_encode }}", {"a": "", "b": "1"}, '"1"'),
        ("{{ (a b-and b)|json_encode }}", {"a": "", "b": "1"}, '""'),
        ("{{ a b-or b }}", {"a": 5, "b": "2"}, "7"),
        # json_encode of INF/NAN is false: prints nothing
        ("{{ (a ** b)|json_encode }}", {"a": 0, "b": -1}, ""),
    ],
)
def test_operators_like_php(template: str, context: dict[str, Any], expected: str) -> None:
    assert render(template, context) == expected


@pytest.mark.parametrize(
    "template",
    [
        # Twig: 'The "defined" test only works with simple variables' (a syntax error)
        "{{ x|upper is defined }}",
        "{{ (a ~ b) is not defined }}",
        "{{ x|default('D') is defined }}",
        "{{ x|lower ?? 'none' }}",
        "{{ (a + 1) ?? 0 }}",
    ],
)
def test_defined_test_needs_a_variable(template: str) -> None:
    assert fails(template, {"x": "v", "a": 1, "b": 2})


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ("{{ x.y ?? 'n' }}", {"x": {"y": None}}, "n"),
        ("{{ (x) ?? 'n' }}", {}, "n"),
        ("{{ x['k'] is defined ? 'd' : 'u' }}", {"x": {"k": 1}}, "d"),
        ("{{ [1] is defined ? 'd' : 'u' }}", {}, "d"),
        ("{{ 'lit' ?? 'n' }}", {}, "lit"),
        ("{{ v|date('Y') == 1970 ? 'epoch' : 'now' }}", {"v": True}, "epoch"),
        ("{{ v|date('Y') == 1970 ? 'epoch' : 'now' }}", {"v": False}, "now"),
    ],
)
def test_defined_and_null_coalescing_on_variables(
    template: str, context: dict[str, Any], expected: str
) -> None:
    assert render(template, context) == expected


# constant() and json_encode's flags and depth: Twig 3.5.1 on PHP 8.2.36, observed 2026-12-01.
@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        ('{{ constant("DATE_ATOM") }}', {}, "Y-m-d\\TH:i:sP"),
        ('{{ constant("\\\\DateTimeInterface::RFC3339_EXTENDED") }}', {}, "Y-m-d\\TH:i:s.vP"),
        ('{{ constant("datetime::RFC7231") }}', {}, "D, d M Y H:i:s \\G\\M\\T"),
        (
            '{{ constant("M_PI") }}|{{ constant("PHP_FLOAT_EPSILON") }}|{{ constant("E_ALL") }}'
            '|{{ constant("true") }}|{{ constant("PHP_EOL") }}|',
            {},
            "3.1415926535898|2.2204460492503E-16|32767|1|\n|",
        ),
        (
            '{{ 1 is constant("JSON_HEX_TAG") ? "y" : "n" }}'
            '{{ "1" is constant("JSON_HEX_TAG") ? "y" : "n" }}',
            {},
            "yn",
        ),
        ('{{ "now"|date(constant("DATE_ATOM"))|length }}', {}, "25"),
        (
            '{{ x|json_encode("64") }}|{{ x|json_encode(64.0) }}|{{ x|json_encode(true) }}',
            {"x": ["a/b"]},
            '["a/b"]|["a/b"]|["a\\/b"]',
        ),
        (
            "{{ x|json_encode(0, 1) }}|{{ x|json_encode(0, 2) }}|{{ y|json_encode(0, 1) }}",
            {"x": [[1]], "y": [1]},
            "|[[1]]|[1]",
        ),
        ("{{ x|json_encode(0, 0) }}|{{ 1|json_encode(0, 0) }}", {"x": [1]}, "|1"),
        (
            "{{ x|json_encode(1 b-or 2 b-or 4 b-or 8) }}",
            {"x": ['<a href="x">&\'</a>', 'a\\"b']},
            '["\\u003Ca href=\\u0022x\\u0022\\u003E\\u0026\\u0027\\u003C\\/a\\u003E","a\\\\\\u0022b"]',
        ),
        ("{{ x|json_encode(256) }}", {"x": ["é\u2028x"]}, '["é\\u2028x"]'),
        ("{{ x|json_encode(256 b-or 2048) }}", {"x": ["é\u2028x"]}, '["é\u2028x"]'),
        (
            "{{ x|json_encode(1024) }}|{{ x|json_encode }}",
            {"x": [3.0, 1.5, 1e20, 0.1, -0.0, 1e-7, 123456789.0]},
            "[3.0,1.5,1.0e+20,0.1,-0.0,1.0e-7,123456789.0]|[3,1.5,1.0e+20,0.1,-0,1.0e-7,123456789]",
        ),
        (
            "{{ x|json_encode(32) }}",
            {"x": ["12", "1.5", "1e3", " 5", "0x1A", "abc", "-3", "007", "1.0", "9999999999999999999"]},
            '[12,1.5,1000,5,"0x1A","abc",-3,7,1,1.0e+19]',
        ),
        (
            "{{ x|json_encode(128 b-or 16) }}",
            {"x": [[], {"a": []}, [1]]},
            '{\n    "0": {},\n    "1": {\n        "a": {}\n    },\n    "2": {\n        "0": 1\n    }\n}',
        ),
        (
            "{{ x|json_encode(constant('JSON_PRETTY_PRINT') b-or constant('JSON_UNESCAPED_SLASHES')"
            " b-or constant('JSON_UNESCAPED_UNICODE')) }}",
            {"x": {"url": "https://a/b", "n": "Zoë", "l": [1, {"k": None}], "e": {}}},
            '{\n    "url": "https://a/b",\n    "n": "Zoë",\n    "l": [\n        1,\n        {\n'
            '            "k": null\n        }\n    ],\n    "e": []\n}',
        ),
        ("{{ x|json_encode(512) }}|{{ x|json_encode(1.5) }}", {"x": {"a": "<"}}, '{"a":"<"}|{"a":"\\u003C"}'),
    ],
)
def test_constant_and_json_encode_flags_like_twig(
    template: str, context: dict[str, Any], expected: str
) -> None:
    assert render(template, context) == expected


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ('{{ constant("NOPE") }}', {}),
        ('{{ constant("PHP_OS") }}', {}),  # the machine's constants are not offered (sandbox)
        ('{{ constant("DateTime::NOPE") }}', {}),
        ('{{ constant("ATOM", d) }}', {"d": {"a": 1}}),  # data holds no objects
        ('{{ 1 is constant("NOPE") }}', {}),
        ('{{ x|json_encode("abc") }}', {"x": [1]}),
        ("{{ x|json_encode([]) }}", {"x": [1]}),
        ("{{ x|json_encode(4194304, 1) }}", {"x": [[1]]}),  # THROW_ON_ERROR: too deep is an error
    ],
)
def test_constant_and_json_encode_errors_like_twig(template: str, context: dict[str, Any]) -> None:
    assert fails(template, context)
