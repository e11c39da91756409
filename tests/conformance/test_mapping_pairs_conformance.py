"""Every case of ``tests/data/original/mapping-pairs.json`` through ``MappingEngine.run``: generated
mapping × input pairs whose expected values come from running the original engine
(``benchmarks/original/conformance.py``). Compared by the conformance corpus' rules."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine

from ._cases import check_mapping_case

PAIRS = Path(__file__).resolve().parents[1] / "data" / "original" / "mapping-pairs.json"

# Where we differ from the original on purpose: kept in the run, strictly expected to fail.
KNOWN_DIFFERENT: dict[str, str] = {}


@cache
def _loaded() -> dict[str, Any]:
    return json.loads(PAIRS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _cases() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENT[case["id"]])]
            if case["id"] in KNOWN_DIFFERENT
            else [],
        )
        for case in _loaded()["cases"]
    ]


@pytest.mark.parametrize("case", _cases())
def test_generated_pair(case: dict[str, Any]) -> None:
    # Given a generated mapping and input, and the original's result for them
    engine = MappingEngine(resolver=_loaded()["mappings"].get)

    # When the engine runs it, twice / Then it fails or produces the original's output, both times
    check_mapping_case(engine, case)
