"""PHP's DateTime, DateTimeZone and DateInterval objects in templates: what Twig's ``date()`` and
``|date_modify`` return, their whitelisted methods, PHP's mutation of a DateTime, and the sandbox
refusing everything else. Expected values observed on PHP 8.2.36 with Twig 3.5.1, 2026-12-01 (a
default Twig environment, UTC); the compiled engine and the Jinja interpreter must both give them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter

RENDERERS = [pytest.param(MappingEngine, id="engine"), pytest.param(MappingInterpreter, id="interpreter")]


def run(renderer: Any, template: str, start: str) -> Any:
    return renderer().run({"name": "t", "mapping": {"r": template}}, {"s": start})["r"]


OBSERVED = [
    ("{{ date(s).format('Y') }}", "2024-01-31", "2024"),
    ("{{ date(s).diff(date('2024-03-01')).days }}", "2024-01-31", "30"),
    ("{{ date(s).diff(date('2024-03-01')).format('%y %m %d %a %R') }}", "2024-01-31", "0 0 30 30 +"),
    (
        "{{ date('2024-03-01').diff(date(s)).format('%R%a %r%d|%Y-%M-%D %H:%I:%S.%F %f %%|%x') }}",
        "2024-01-31 10:20:30",
        "-29 -0|00-01-00 13:39:30.000000 0 %|%x",
    ),
    (
        "{{ date(s).getTimestamp() }} {{ date(s).timestamp }} {{ date(s).timestamp() }}",
        "2024-01-31",
        "1706659200 1706659200 1706659200",
    ),
    (
        "{{ date(s).offset }} {{ date(s).getOffset() }} {{ date(s, 'Europe/Amsterdam').getOffset() }}",
        "2024-07-01",
        "0 0 7200",
    ),
    (
        "{{ date(s, 'Europe/Amsterdam').getTimezone().getName() }} {{ date(s).timezone().name }}",
        "2024-07-01",
        "Europe/Amsterdam UTC",
    ),
    ("{{ date(s).modify('+1 month').format('Y-m-d') }}", "2024-01-31", "2024-03-02"),
    (
        "{% set d = date(s) %}{% set x = d.modify('+1 day') %}{{ d.format('Y-m-d') }} {{ x is same as(d) ? 'same' : 'other' }}",  # noqa: E501
        "2024-01-31",
        "2024-02-01 same",
    ),
    (
        "{% set d = date(s) %}{{ date(d).modify('+1 day').format('Y-m-d') }} {{ (d|date_modify('+2 days')).format('Y-m-d') }} {{ d.format('Y-m-d') }}",  # noqa: E501
        "2024-01-31",
        "2024-02-01 2024-02-02 2024-01-31",
    ),
    (
        "{% set d = date(s) %}{% for i in 1..3 %}{{ d.modify('+1 month').format('m-d') }},{% endfor %}",
        "2024-01-31",
        "03-02,04-02,05-02,",
    ),
    (
        "{{ date(s).setDate(2024, 2, 30).format('Y-m-d') }} {{ date(s).setTime(25, 61).format('Y-m-d H:i:s') }}",  # noqa: E501
        "2024-01-31",
        "2024-03-01 2024-02-01 02:01:00",
    ),
    (
        "{{ date(s).setTimezone(date(s, 'Asia/Tokyo').getTimezone()).format('c') }}",
        "2024-01-31",
        "2024-01-31T09:00:00+09:00",
    ),
    (
        "{{ date(s, 'Europe/Amsterdam').diff(date('2024-03-31 04:00', 'Europe/Amsterdam')).format('%d %h %i') }}",  # noqa: E501
        "2024-03-31 01:00",
        "0 3 0",
    ),
    (
        "{{ date(s, 'Europe/Amsterdam').diff(date('2024-10-27 03:30', 'Europe/Amsterdam')).format('%d %h %i') }}",  # noqa: E501
        "2024-10-27 01:30",
        "0 2 0",
    ),
    ("{{ date(s).diff(date('2025-02-28'), true).format('%R %y %m %d %a') }}", "2024-02-29", "+ 0 11 30 365"),
    ("{{ date(s).modify('nonsense') ? 'y' : 'n' }}", "2024-01-31", "n"),
    ("{{ date(s).foo() }}|{{ date(s).replace() }}|{{ date(s).diff(date(s)).days() }}", "2024-01-31", "||"),
    (
        "{{ date(s)|json_encode }} {{ date(s).diff(date('2024-02-01 12:30'))|json_encode }}",
        "2024-01-31",
        '{"date":"2024-01-31 00:00:00.000000","timezone_type":3,"timezone":"UTC"} {"y":0,"m":0,"d":1,"h":12,"i":30,"s":0,"f":0,"invert":0,"days":1,"from_string":false}',  # noqa: E501
    ),
    ("{{ attribute(date(s), 'format', ['d/m']) }} {{ date(s).FORMAT('Y') }}", "2024-01-31", "31/01 2024"),
]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(("template", "start", "expected"), OBSERVED)
def test_date_objects_behave_as_in_php(renderer: Any, template: str, start: str, expected: str) -> None:
    assert run(renderer, template, start) == expected


ERRORS = [
    ("{{ date(s).format() }}", "2024-01-31", "DateTime::format() expects exactly 1 argument, 0 given"),
    ("{{ date(s).setTime(1) }}", "2024-01-31", "DateTime::setTime() expects at least 2 arguments, 1 given"),
    (
        "{{ date(s).diff(s) }}",
        "2024-01-31",
        "DateTime::diff(): Argument #1 ($targetObject) must be of type DateTimeInterface, string given",
    ),
    (
        "{{ date(s).setTimezone('UTC') }}",
        "2024-01-31",
        "DateTime::setTimezone(): Argument #1 ($timezone) must be of type DateTimeZone, string given",
    ),
    ("{{ date(s) ~ '' }}", "2024-01-31", "Object of class DateTime could not be converted to string"),
    (
        "{{ date(s).diff(date(s)) }}",
        "2024-01-31",
        "Object of class DateInterval could not be converted to string",
    ),
]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(("template", "start", "message"), ERRORS)
def test_date_object_errors_are_phps(renderer: Any, template: str, start: str, message: str) -> None:
    with pytest.raises(MappingError, match=re.escape(message)):
        run(renderer, template, start)


# PHP's non-strict Twig reads an unknown property as null; the sandbox refuses reading anything but
# the whitelisted members (as it did before DateTime had methods), and Python names in any form.
@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize(
    "template",
    [
        "{{ date(s).__class__ }}",
        "{{ date(s).__reduce__() }}",
        "{{ date(s).__toString() }}",
        "{{ date(s).tzinfo }}",
        "{{ date(s).replace }}",
        "{{ date(s).astimezone }}",
        "{{ date(s).strftime }}",
        "{{ date(s).moment }}",
        "{{ date(s).getTimezone().zone }}",
        "{{ date(s).diff(date(s)).interval }}",
        "{{ date(s).diff(date(s)).__dict__ }}",
        "{{ attribute(date(s), '__class__', []) }}",
        "{{ attribute(date(s), '__init__', [1]) }}",
        "{{ date(s).add(date(s).diff(date(s))) }}",
        "{{ date(s).setTimestamp(5) }}",
    ],
)
def test_other_members_are_refused(renderer: Any, template: str) -> None:
    with pytest.raises(MappingError):
        run(renderer, template, "2024-01-31")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_python_methods_called_on_a_date_are_null_as_unknown_php_methods(renderer: Any) -> None:
    template = "{{ date(s).replace(2000) }}{{ date(s).astimezone() }}{{ date(s).strftime('%Y') }}"
    assert run(renderer, template, "2024-01-31") == ""
    assert run(renderer, "{{ date(s).timestamp() }}", "2024-01-31") == "1706659200"  # getTimestamp()
