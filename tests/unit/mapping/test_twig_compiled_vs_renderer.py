"""What the template compiler specialises, against the Jinja renderer: ``for`` loops (plain Python
loops, bookkeeping inline), attribute chains inlined step by step (string keys, list indexes,
variables as keys), PHP truthiness inlined, ``{% set %}`` of values that are never strings.

Given templates that lean on each of these (for loops: ``loop.*``, ``loop.parent``, the context after
the loop, for-else, nested and sequential loops, names set inside loops, ``_context``), when the
compiled engine and the interpreter (the Jinja renderer) run them on many inputs, then the outputs or
the errors are identical.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.twig.compiler import compile_template
from tests.support.mapping_pairs import data, outcome

LOOPS = [
    "{% for x in items %}{{ x|json_encode }}{% endfor %}{{ x|json_encode }}",
    "{% for k, v in a %}{{ k }}={{ v|json_encode }};{% endfor %}{{ k ?? 'gone' }}{{ v ?? 'gone' }}",
    "{% for x in items %}{{ loop.index }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}"
    "/{{ loop.length }}{% endfor %}",
    "{% for x in items %}{{ loop.parent|keys|join(',') }}|{% endfor %}",
    "{% for x in items %}{{ loop.parent.a|json_encode }}{% endfor %}",
    "{% for x in items %}{{ loop|keys|join(',') }}{% endfor %}",
    "{% for x in items %}{{ _context|keys|join(',') }}|{% endfor %}{{ _context|keys|join(',') }}",
    "{% for x in items %}{% set n = (n ?? 0) + 1 %}{% set fresh = 1 %}{% endfor %}{{ n ?? 'none' }}"
    "{{ fresh ?? 'none' }}",
    "{% set items = [1, 2] %}{% for items in items %}{% set items = items * 10 %}{{ items }}{% endfor %}"
    "{{ items|json_encode }}",
    "{% for a in items %}{% for b in a %}{{ loop.index }}{{ loop.parent.loop.index ?? '-' }}{% endfor %}"
    "{{ b ?? 'no-b' }}{% endfor %}{{ a|json_encode }}",
    "{% for x in items %}{{ x }}{% else %}empty{% set x = 'set' %}{% endfor %}{{ x ?? 'none' }}",
    "{% for k, v in a %}{% else %}{{ loop.index ?? 'noloop' }}{% endfor %}",
    "{% for x in items %}{% set s %}[{{ x }}]{% endset %}{% endfor %}{{ s ?? 'none' }}",
    "{% for x, x in items %}{{ x }}{% endfor %}{{ x ?? 'none' }}",
    "{% for loop in items %}{{ loop|json_encode }}{% endfor %}{{ loop ?? 'none' }}",
    "{% for x in items %}{% set items = 'changed' %}{{ x }}{% endfor %}{{ items }}",
    "{% for x in name %}{{ x }}{% else %}not iterable{% endfor %}",
    "{% for i in 1..3 %}{% for j in 1..i %}{{ i }}{{ j }}{{ loop.parent.i }}{% endfor %}{% endfor %}",
    "{% set t = 0 %}{% for x in items %}{% for y in items %}{% set t = t + 1 %}{% endfor %}{% endfor %}"
    "{{ t }}",
    "{% for k, v in _context %}{% set k2 = k %}{{ k }}{% endfor %}{{ k2 ?? 'none' }}",
    "{% for x in items %}{{ loop.parent.x ?? 'p' }}{% set x = 5 %}{% endfor %}{% for x in items %}"
    "{{ loop.parent|keys|join }}{% endfor %}",
]

ACCESS = [
    "{{ items.0|json_encode }}{{ items.1.name|json_encode }}{{ items[2]|json_encode }}",
    "{% if items.0 %}yes{% endif %}{% if items.0.a|default %}a{% endif %}{{ items.0.0.0|json_encode }}",
    "{{ a[name]|json_encode }}{{ a[n]|json_encode }}{{ items[n]|json_encode }}{{ a[b.c]|json_encode }}",
    "{{ a.__class__ }}",
    "{{ items.0.__class__ }}",
    "{{ a[name].__x ?? 'none' }}{{ items.5 ?? 'five' }}{{ value.0 is defined ? 'd' : 'u' }}",
    "{% for k, v in a %}{{ a[k]|json_encode }}{{ items[k]|json_encode }}{% endfor %}",
    "{% if a %}A{% endif %}{% if name %}N{% endif %}{% if n %}1{% endif %}{% if not value %}!{% endif %}"
    "{% if missing or b %}M{% endif %}{% if items and a %}&{% endif %}{{ name ? 't' : 'f' }}",
    "{% set s = {'a': name} %}{% set t = [n, a] %}{% set u = n + 1 %}{% set v = 2.5 %}{% set w = null %}"
    "{% set y = a + items %}{{ s|json_encode }}{{ t|json_encode }}{{ u }}{{ v }}{{ w ?? 'null' }}"
    "{{ y|json_encode }}",
]


def _inputs(count: int) -> list[Any]:
    rng = random.Random(1313)
    fixed: list[Any] = [
        {},
        {"items": [1, [2, 3], {"a": 1}], "a": {"k": "v", "x": [1]}, "x": "outer", "n": 5, "loop": "L"},
        {"items": {"p": 1, "q": [2]}, "k": "K", "v": "V", "name": "abc", "fresh": 0},
        {"items": "text", "a": None},
    ]
    return fixed + [data(rng) for _ in range(count)]


@pytest.mark.parametrize("template", LOOPS + ACCESS)
def test_compiled_templates_match_the_renderer(template: str) -> None:
    # Given a template the compiler handles, when both engines run it on many inputs,
    # then the results (or errors) are the same
    assert compile_template(template) is not None
    mapping = {"mapping": {"out": template}}
    engine, interpreter = MappingEngine(), MappingInterpreter()
    for given in _inputs(150):
        expected = outcome(interpreter, mapping, given, False)
        assert outcome(engine, mapping, given, False) == expected, given


def test_loop_bookkeeping_is_only_built_when_read() -> None:
    # Given loops that never read loop.*, or read it but never loop.parent,
    # when compiled, then no loop hash (or context copy for loop.parent) is built
    plain = compile_template("{% for x in items %}{{ x }}{% endfor %}")
    without_parent = compile_template("{% for x in items %}{{ loop.index }}{% endfor %}")
    assert plain is not None and without_parent is not None
    assert "'loop'" not in plain.source and "dict(_c)" not in plain.source
    assert "'index0'" in without_parent.source and "dict(_c)" not in without_parent.source
