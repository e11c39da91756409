"""Which variables a compiled template reads (``twig.reads``): the memo keys a kept render by their
values, so a render must not depend on any other part of its data."""

from __future__ import annotations

import random
from typing import Any

from openconnector_core.mapping import MappingEngine
from openconnector_core.twig.compiler import compile_template
from openconnector_core.twig.limits import end_budget, start_budget
from openconnector_core.twig.reads import variables_read
from tests.support.mapping_pairs import KEYS, SEED, SUB_MAPPINGS, data, template, value


def _render(text: str, given: Any, functions: Any) -> str:
    compiled = compile_template(text)
    assert compiled is not None
    budget, token = start_budget()
    try:
        return "".join(compiled.function(given, functions))
    except Exception as error:
        return f"error {type(error).__name__}: {error}"
    finally:
        end_budget(token)
        del budget


def test_a_render_depends_only_on_the_variables_it_reads() -> None:
    # Given generated templates and data, and the variables each compiled template reads
    rng = random.Random(SEED + 11)
    functions = MappingEngine(resolver=SUB_MAPPINGS.get).renderer.functions
    checked = 0
    for _ in range(1500):
        text = template(rng)
        compiled = compile_template(text)
        given = data(rng)
        if compiled is None or compiled.reads is None or type(given) is not dict:
            continue
        # When every other variable changes (values replaced, some removed, some added)
        other = {name: item for name, item in given.items() if name in compiled.reads}
        for name in KEYS:
            if name not in compiled.reads and rng.random() < 0.7:
                other[name] = value(rng, 1)
        # Then the output (or error) is the same
        assert _render(text, other, functions) == _render(text, given, functions), text
        checked += 1
    assert checked > 500


def test_what_reads_the_whole_context_has_no_read_set() -> None:
    for text in (
        "{% for i in [1] %}{{ executeMapping('x', _context)|json_encode }}{% endfor %}",
        "{% for i in [1, 2] %}{{ loop.parent|json_encode }}{% endfor %}",
        "{% for k in ['a', 'b'] %}{{ attribute(_context, k) }}{% endfor %}",
    ):
        compiled = compile_template(text)
        assert compiled is None or compiled.reads is None, text
    compiled = compile_template("{% for e in list %}{% if e.n == name %}{{ e.id }}{% endif %}{% endfor %}")
    assert compiled is not None and compiled.reads == {"list", "name", "e"}


def test_generated_code_outside_the_known_shapes_reads_unknown() -> None:
    code = "def render(data, _fns):\n    _c = data\n    _out = []\n    _w = _out.append\n    _w(str(_c))\n"
    assert variables_read(code) is None
    assert variables_read("def render(data, _fns):\n    _c = data\n    x = data\n") is None
