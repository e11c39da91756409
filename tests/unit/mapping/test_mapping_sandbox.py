"""User templates cannot reach Python internals and every run is bounded (time, loops, size, depth)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine

RECURSIVE = {
    "self": {"name": "self", "mapping": {"x": "{{ executeMapping('self', _context)|json_encode }}"}},
    "ping": {"name": "ping", "mapping": {"x": "{{ executeMapping('pong', _context)|json_encode }}"}},
    "pong": {"name": "pong", "mapping": {"x": "{{ executeMapping('ping', _context)|json_encode }}"}},
}


def run_template(template: str, data: dict[str, Any] | None = None) -> Any:
    engine = MappingEngine(resolver=RECURSIVE.get)
    return engine.run({"name": "attack", "mapping": {"r": template}}, data or {"a": {"k": "v"}})


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ a.__class__ }}",
        "{{ _context.__class__.__base__ }}",
        "{{ a|attr('__class__') }}",
        "{{ date('now').__class__ }}",
        "{{ [1]|map(x => x.__class__)|join }}",
        "{{ lipsum.__globals__ }}",
        "{{ self.__init__ }}",
        "{% include '/etc/passwd' %}",
        "{% import 'x' as y %}",
        "{{ range.__self__ }}",
        "{{ executeMapping.__globals__ }}",
    ],
)
def test_python_internals_are_refused(template: str) -> None:
    with pytest.raises(MappingError):
        run_template(template)


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(0, 10**9) %}x{% endfor %}",
        "{% for i in 1..1000000000 %}x{% endfor %}",
        "{% for i in range(1, 50000) %}{% for j in range(1, 50000) %}{% endfor %}{% endfor %}",
        "{% set s = 'xxxxxxxxxx' %}{% for i in range(1, 40) %}{% set s = s ~ s %}{% endfor %}",
        "{% for i in range(1, 99999) %}{{ '%01000d'|format(1) }}{% endfor %}",
        "{{ executeMapping('self', _context) }}",
        "{{ executeMapping('ping', _context) }}",
    ],
)
def test_runaway_templates_fail_fast(template: str) -> None:
    started = time.perf_counter()
    with pytest.raises(MappingError):
        run_template(template)
    assert time.perf_counter() - started < 1.0


def test_recursion_error_names_the_mapping_and_key() -> None:
    with pytest.raises(
        MappingError, match=r"^Error for mapping: attack, key: r, value: .*nested deeper than 16"
    ):
        run_template("{{ executeMapping('self', _context) }}")


def test_huge_power_overflows_to_infinity_instead_of_hanging() -> None:
    assert run_template("{{ 2 ** 100000000 }}") == {"r": "INF"}


def test_no_environment_or_file_access_functions_exist() -> None:
    for name in ("dump", "source", "include", "template_from_string"):
        with pytest.raises(MappingError, match=f'Unknown "{name}" function'):
            run_template("{{ " + name + "('x') }}")


def test_in_list_mode_every_item_gets_its_own_budget() -> None:
    # Given a list whose items together loop more often than one run may (200 x 2,000 > 200,000)
    mapping = {"name": "items", "mapping": {"n": "{% for i in 1..2000 %}{% endfor %}{{ value }}"}}
    items = list(range(200))

    # When it runs in list mode / Then every item is a run of its own
    result = MappingEngine().run(mapping, items, list_mode=True)
    assert len(result) == 200

    # And the same work inside one run is refused
    with pytest.raises(MappingError, match="loop iterations"):
        MappingEngine().run(
            {"mapping": {"n": "{% for i in 1..2000 %}{% for j in 1..200 %}{% endfor %}{% endfor %}"}}, {}
        )


def test_time_budget_is_configurable() -> None:
    slow = {"mapping": {"n": "{% for i in 1..90000 %}{{ i|json_encode }}{% endfor %}"}}
    with pytest.raises(MappingError, match="time budget"):
        MappingEngine(time_budget_seconds=0.001).run(slow, {})


def test_a_stored_sub_mapping_is_looked_up_once_per_run() -> None:
    # Given a resolver that counts its lookups
    lookups: list[str] = []

    def resolver(reference: str) -> dict:
        lookups.append(reference)
        return {"mapping": {"n": "name"}}

    engine = MappingEngine(resolver=resolver)
    parent = {"mapping": {"child": "{{ executeMapping('child', _context)|json_encode }}"}}

    # When a list run maps three items, each calling the sub-mapping
    engine.run(parent, [{"name": "a"}, {"name": "b"}, {"name": "c"}], list_mode=True)
    # Then it was looked up once; a new run looks it up again (it may have changed)
    assert lookups == ["child"]
    engine.run(parent, {"name": "d"})
    assert lookups == ["child", "child"]
