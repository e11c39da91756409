"""Twig-dialect differences found by a differential run against the original, each expected value
observed from real Twig (Twig 3.5.1 on PHP 8.2.36, observed 2026-12-01): no ``raw`` tag, unknown
filters, tests and functions are compile-time errors (in branches that never run too), number
literals as Twig 3.5 lexes them, and ``\\r\\n`` / ``\\r`` in the template source read as ``\\n``.

Every case runs through the compiled mappings (:class:`MappingEngine`) and the interpreter
(:class:`MappingInterpreter`).
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter

RUNNERS = [pytest.param(MappingEngine, id="engine"), pytest.param(MappingInterpreter, id="interpreter")]


def run(runner: type[MappingEngine | MappingInterpreter], template: str, data: dict[str, Any]) -> Any:
    engine = runner(functions={"callSource": lambda *arguments: "called"})
    return engine.run({"name": "t", "mapping": {"r": template}}, data)["r"]


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "data", "expected"),
    [
        ("{% verbatim %}{{ a }}{% endverbatim %}", {"a": 1}, "{{ a }}"),
        ("{%- verbatim -%} {{ a }} {%- endverbatim -%}", {"a": 1}, "{{ a }}"),
        ("{% verbatim %}a{% endraw %}b{% endverbatim %}", {}, "a{% endraw %}b"),
        ("{% verbatim %}a{% raw %}b{% endverbatim %}", {}, "a{% raw %}b"),
        ("{% if false %}{{ a is divisible by(2) }}{% endif %}ok", {}, "ok"),
        ("{% if false %}{{ a|upper|default('x')|json_encode }}{% endif %}ok", {}, "ok"),
        ("{% if false %}{{ callSource('x') }}{% endif %}ok", {}, "ok"),
        ("{{ callSource('x') }}", {}, "called"),
        ("{{ 1e+3 }}", {}, "1000"),
        ("{{ 2.5E-2 }}", {}, "0.025"),
        ("{{ 1e-3 }}", {}, "0.001"),
        ("{{ 1.0E+20 }}", {}, "1.0E+20"),
        ("{{ 1.5 }}", {}, "1.5"),
        ("{{ 010 }}|{{ 007 + 1 }}|{{ 00.5 }}", {}, "10|8|0.5"),
        ("a\r\nb{{ 1 }}", {}, "a\nb1"),
        ("a\rb{{ 1 }}", {}, "a\nb1"),
        ("{{ 'a\r\nb' }}", {}, "a\nb"),
        ('{{ "a\rb" }}', {}, "a\nb"),
        ("{{ 'a\r\n\r\nb'|length }}", {}, "4"),
        ("{{ \"#{'a\r\nb'}\"|length }}", {}, "3"),
        ("{% if true %}\r\nx{% endif %}", {}, "x"),
        ("{# c #}\r\nx", {}, "x"),
        ("{% verbatim %}a\r\nb{% endverbatim %}", {}, "a\nb"),
        ("{{ '\\r' }}|", {}, "\r|"),
        ("{{ a }}\r\n", {"a": "x\r\ny"}, "x\r\ny\n"),
    ],
)
def test_renders_as_twig(
    runner: type[MappingEngine | MappingInterpreter], template: str, data: dict[str, Any], expected: str
) -> None:
    assert run(runner, template, data) == expected


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% raw %}{{ a }}{% endraw %}", 'Unknown "raw" tag'),
        ("x{% raw %}y{% endraw %}", 'Unknown "raw" tag'),
        ("{% if false %}{{ a|nosuchfilter }}{% endif %}ok", 'Unknown "nosuchfilter" filter'),
        ("{% if false %}{{ a is nosuchtest }}{% endif %}ok", 'Unknown "nosuchtest" test'),
        ("{% if false %}{{ a is not nosuchtest }}{% endif %}ok", 'Unknown "nosuchtest" test'),
        ("{% if false %}{{ nosuchfunction() }}{% endif %}ok", 'Unknown "nosuchfunction" function'),
        ("{% if false %}{% set x = a|nosuchfilter %}{% endif %}ok", 'Unknown "nosuchfilter" filter'),
        (
            "{% if false %}{% for x in a|nosuchfilter %}{% endfor %}{% endif %}ok",
            'Unknown "nosuchfilter" filter',
        ),
        (
            "{% if false %}{% apply nosuchfilter %}x{% endapply %}{% endif %}ok",
            'Unknown "nosuchfilter" filter',
        ),
        ('{% if false %}{{ "#{a|nosuchfilter}" }}{% endif %}ok', 'Unknown "nosuchfilter" filter'),
        ("{% if false %}{{ [1]|map(x => x|nosuchfilter) }}{% endif %}ok", 'Unknown "nosuchfilter" filter'),
        ("{{ a|nosuchfilter }}", 'Unknown "nosuchfilter" filter'),
        ("{{ a is nosuchtest }}", 'Unknown "nosuchtest" test'),
        ("{{ a|safe }}", 'Unknown "safe" filter'),
        ("{{ a is string }}", 'Unknown "string" test'),
        ("{{ a|UPPER }}", 'Unknown "UPPER" filter'),
        ("{{ 1e3 }}", 'Unexpected token "e3"'),
        ("{{ 1E3 }}", 'Unexpected token "E3"'),
        ("{{ 1.0e20 }}", 'Unexpected token "e20"'),
        ("{{ 1.5e3 }}", 'Unexpected token "e3"'),
        ("{{ 1_000 }}", 'Unexpected token "_000"'),
        ("{{ 1e }}", 'Unexpected token "e"'),
        ("{{ 1e+ }}", 'Unexpected token "e"'),
    ],
)
def test_fails_as_twig(runner: type[MappingEngine | MappingInterpreter], template: str, message: str) -> None:
    with pytest.raises(MappingError, match=message):
        run(runner, template, {"a": "x"})


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_function_only_the_engine_provides_is_unknown_elsewhere(
    runner: type[MappingEngine | MappingInterpreter],
) -> None:
    template = "{% if false %}{{ callSource('x') }}{% endif %}ok"
    with pytest.raises(MappingError, match='Unknown "callSource" function'):
        runner().run({"name": "t", "mapping": {"r": template}}, {})


@pytest.mark.parametrize("runner", RUNNERS)
def test_the_find_filter_of_twig_3_11(runner: type[MappingEngine | MappingInterpreter]) -> None:
    # Twig 3.11 (the original locks 3.23): the first value the arrow holds true for, else null
    template = (
        "{{ (items|find(i => i.n > 1)).name }}|{{ items|find(i => i.n > 9) is null ? 'none' }}"
        "|{{ {a: 1, b: 5}|find((v, k) => v > 2) }}"
    )
    items = [{"n": 1, "name": "a"}, {"n": 2, "name": "b"}, {"n": 3, "name": "c"}]
    assert run(runner, template, {"items": items}) == "b|none|5"
