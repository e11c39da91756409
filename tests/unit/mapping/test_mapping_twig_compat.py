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
