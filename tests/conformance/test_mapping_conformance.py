"""Every case of ``tests/data/conformance/mapping.json`` through ``MappingEngine.run``.

Comparison rules (conformance/README.md): ``[]`` may be ``{}`` where ``emptyOutputEitherWay`` is set,
numbers compare by value, booleans are never numbers, ``expectedError`` means a ``MappingError``.
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine

from ._cases import cases, check_mapping_case

# Cases we believe the corpus gets wrong: kept in the run, strictly expected to fail.
KNOWN_WRONG: dict[str, str] = {}


def resolver_for(case: dict[str, Any]):
    definitions = case.get("mappings") or {}
    return definitions.get


@pytest.mark.parametrize("case", cases("mapping", KNOWN_WRONG))
def test_mapping_case(case: dict[str, Any]) -> None:
    # Given the case's mapping, input and sub-mapping definitions
    engine = MappingEngine(resolver=resolver_for(case))

    # When the engine runs it, twice / Then it fails or produces the expected output, both times
    check_mapping_case(engine, case)
