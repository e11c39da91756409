"""Loading the conformance corpora and comparing results by the rules of their README."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from openconnector_core.errors import MappingError

CONFORMANCE_DIR = Path(__file__).resolve().parents[1] / "data" / "conformance"


@cache
def _load(name: str) -> tuple[dict[str, Any], ...]:
    # A missing corpus is an error, not a skip: every case must run.
    path = CONFORMANCE_DIR / f"{name}.json"
    return tuple(json.loads(path.read_text(encoding="utf-8"))["cases"])


def cases(name: str, xfail: dict[str, str] | None = None) -> list[Any]:
    """Every case of ``<name>.json`` as a ``pytest.param`` with the case id; ``xfail`` maps id → reason."""
    loaded = _load(name)
    xfail = xfail or {}
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(strict=True, reason=xfail[case["id"]])] if case["id"] in xfail else [],
        )
        for case in loaded
    ]


def same(expected: Any, actual: Any, empty_either_way: bool = False) -> bool:
    """Numbers by value, booleans never numbers, strings exactly; ``[]`` may be ``{}`` when flagged."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected == actual
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return expected == actual
    if empty_either_way and expected == [] and actual in ([], {}):
        return True
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a, empty_either_way) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and set(expected) == set(actual)
            and all(same(expected[k], actual[k], empty_either_way) for k in expected)
        )
    return type(expected) is type(actual) and expected == actual


def check_mapping_case(engine: Any, case: dict[str, Any]) -> None:
    """Runs a mapping case on ``engine`` twice (the second run may take renders the first one kept):
    it fails, or produces the expected output, both times."""
    list_mode = bool(case.get("list", False))
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
