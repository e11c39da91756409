"""Every case of ``shared/conformance/mapping.json`` through ``MappingEngine.run``.

Comparison rules (conformance/README.md): ``[]`` may be ``{}`` where ``emptyOutputEitherWay`` is set,
numbers compare by value, booleans are never numbers, ``expectedError`` means a ``MappingError``.
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine

from .conftest import load_cases

CASES = load_cases("mapping")

# Cases we believe the corpus gets wrong: kept in the run, strictly expected to fail.
KNOWN_WRONG: dict[str, str] = {}


def conforms(actual: Any, expected: Any, empty_either_way: bool) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return actual == expected
    if isinstance(expected, list):
        if empty_either_way and expected == [] and actual in ({}, []):
            return True
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(conforms(a, e, empty_either_way) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(conforms(actual[key], value, empty_either_way) for key, value in expected.items())
        )
    return type(actual) is type(expected) and actual == expected


def resolver_for(case: dict[str, Any]):
    definitions = case.get("mappings") or {}
    return definitions.get


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = []
        if case["id"] in KNOWN_WRONG:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[case["id"]]))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_mapping_case(case: dict[str, Any]) -> None:
    # Given the case's mapping, input and sub-mapping definitions
    engine = MappingEngine(resolver=resolver_for(case))
    list_mode = bool(case.get("list", False))

    # When the engine runs it / Then it fails or produces the expected output
    if case.get("expectedError"):
        with pytest.raises(MappingError):
            engine.run(case["mapping"], case["input"], list_mode=list_mode)
        return
    actual = engine.run(case["mapping"], case["input"], list_mode=list_mode)
    ok = conforms(actual, case["expected"], bool(case.get("emptyOutputEitherWay")))
    if not ok and case.get("environmentDependent"):
        pytest.xfail(f"environment dependent (iconv tables): got {actual!r}, upstream {case['expected']!r}")
    assert ok, f"\nactual:   {actual!r}\nexpected: {case['expected']!r}"
