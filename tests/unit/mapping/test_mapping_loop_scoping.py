"""Twig's loop scoping, in the compiled engine and the interpreter alike.

Given a template whose loop shadows variables of the template, when it runs, then afterwards the
shadowed variables have their values from before the loop and the loop's own new variables are gone.
"""

from __future__ import annotations

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Twig ends a loop with array_intersect_key($context, $_parent) + $_parent: the loop's
        # variables get their values from before the loop back, new variables go.
        ("{% set item = 'outer' %}{% for item in [1, 2] %}{{ item }}{% endfor %}{{ item }}", "12outer"),
        ("{% set k = 'K' %}{% for k, v in {'a': 1} %}{{ k }}{% set n = 1 %}{% endfor %}{{ k }}{{ n }}", "aK"),
        ("{% for a in [1, 2] %}{% for b in [3] %}{% endfor %}{{ loop.index }}{% endfor %}", "12"),
    ],
)
def test_a_loop_gives_back_the_variables_it_shadowed(template: str, expected: str) -> None:
    mapping = {"mapping": {"x": template}}
    assert MappingEngine().run(mapping, {}) == {"x": expected}
    assert MappingInterpreter().run(mapping, {}) == {"x": expected}
