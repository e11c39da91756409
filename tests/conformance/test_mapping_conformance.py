"""Every case of ``tests/data/conformance/mapping.json`` through ``MappingEngine.run``.

Comparison rules (conformance/README.md): ``[]`` may be ``{}`` where ``emptyOutputEitherWay`` is set,
numbers compare by value, booleans are never numbers, ``expectedError`` means a ``MappingError``.
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine

from ._cases import cases, same

# Cases we believe the corpus gets wrong: kept in the run, strictly expected to fail.
KNOWN_WRONG: dict[str, str] = {}


def resolver_for(case: dict[str, Any]):
    definitions = case.get("mappings") or {}
    return definitions.get


@pytest.mark.parametrize("case", cases("mapping", KNOWN_WRONG))
def test_mapping_case(case: dict[str, Any]) -> None:
    # Given the case's mapping, input and sub-mapping definitions
    engine = MappingEngine(resolver=resolver_for(case))
    list_mode = bool(case.get("list", False))

    # When the engine runs it, twice (the second run may take renders the first one kept)
    # Then it fails or produces the expected output, both times
    for _ in range(2):
        if case.get("expectedError"):
            with pytest.raises(MappingError):
                engine.run(case["mapping"], case["input"], list_mode=list_mode)
            continue
        actual = engine.run(case["mapping"], case["input"], list_mode=list_mode)
        ok = same(case["expected"], actual, bool(case.get("emptyOutputEitherWay")))
        if not ok and case.get("environmentDependent"):
            pytest.xfail(
                f"environment dependent (iconv tables): got {actual!r}, upstream {case['expected']!r}"
            )
        assert ok, f"\nactual:   {actual!r}\nexpected: {case['expected']!r}"
