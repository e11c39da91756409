"""``==`` / ``!=`` against a literal, compiled to Python's own comparison when the other side has the
literal's type, against the interpreter.

Given templates comparing a variable with a string literal without digits, an integer literal, or
the same with the literal on the left (and numeric string literals, which keep PHP's numeric rules),
and values of every PHP type for the variable (missing too),
when the compiled engine and the interpreter render them, then they print the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter
from tests.support.mapping_pairs import outcome

VALUES: list[Any] = ["", "-", "abc", "ABC", "0", "00", "1", "1.0", " 1", "1e0", 0, 1, -1, 1.0, 0.0]
VALUES += [True, False]
VALUES += [None, [], {}, ["-"], {"a": "-"}, "nvt", "0x1"]
TEMPLATES = [
    "{% if x == '-' %}y{% else %}n{% endif %}",
    "{% if x != '' %}y{% else %}n{% endif %}",
    "{% if '-' == x %}y{% else %}n{% endif %}",
    "{% if x == 0 %}y{% else %}n{% endif %}",
    "{% if 0 != x %}y{% else %}n{% endif %}",
    "{% if x == 'abc' or x != 1 %}y{% else %}n{% endif %}",
    "{{ x == 'nvt' ? 'a' : 'b' }}{{ (x != -1) ? 'c' : 'd' }}",
    "{% if missing == '' %}y{% endif %}{% if missing != 0 %}z{% endif %}",
    "{% if x == '1' %}y{% endif %}{% if x != '1.0' %}z{% endif %}",  # numeric: stays with _eq/_ne
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_compared_with_a_literal_as_the_interpreter(template: str) -> None:
    engine, interpreter = MappingEngine(), MappingInterpreter()
    mapping = {"name": "eq", "mapping": {"r": template}}
    for value in VALUES:
        given = {"x": value}
        assert outcome(engine, mapping, given, False) == outcome(interpreter, mapping, given, False), value
