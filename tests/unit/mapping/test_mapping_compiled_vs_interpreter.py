"""The compiled mappings against the interpreter on the whole conformance corpus and on the
original's configuration bundles: the same output, types and key order included, or the same error.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.php import dates
from tests.support.mapping_pairs import SCALARS, STRINGS, outcome
from tests.support.upstream_mappings import ALL_MAPPING_FILES, INPUTS, load, zgw_resolver

CORPUS = Path(__file__).parents[2] / "data" / "conformance" / "mapping.json"


def corpus_cases() -> list[Any]:
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["id"]) for case in cases]


@pytest.mark.parametrize("case", corpus_cases())
def test_corpus_case_is_identical(case: dict[str, Any]) -> None:
    # Given a corpus case, when both engines run it, then the results are identical
    resolver = (case.get("mappings") or {}).get
    list_mode = bool(case.get("list", False))
    expected = outcome(MappingInterpreter(resolver=resolver), case["mapping"], case["input"], list_mode)
    actual = outcome(MappingEngine(resolver=resolver), case["mapping"], case["input"], list_mode)
    assert actual == expected


def variants(given: Any, rng: random.Random, count: int) -> list[Any]:
    """The input, and copies with values replaced, keys dropped and types changed at random."""

    def mutate(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: mutate(item) for key, item in value.items() if rng.random() > 0.08}
        if isinstance(value, list):
            return [mutate(item) for item in value if rng.random() > 0.08]
        roll = rng.random()
        if roll < 0.1:
            return rng.choice(STRINGS)
        if roll < 0.15:
            return rng.choice(SCALARS)
        if roll < 0.18:
            return {"nested": value}
        return value

    return [given, *(mutate(given) for _ in range(count))]


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Some mappings print the current time: both engines must see the same one.
    moment = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
    monkeypatch.setattr(dates, "clock", lambda: moment)


@pytest.mark.usefixtures("frozen_clock")
@pytest.mark.parametrize("path", ALL_MAPPING_FILES, ids=lambda path: path.stem)
def test_upstream_mapping_is_identical_on_varied_inputs(path: Path) -> None:
    # Given an upstream mapping, its realistic input and 60 variations of it
    mapping = load(path)
    given, list_mode = INPUTS[path.stem]
    resolver = zgw_resolver()
    interpreted, compiled = MappingInterpreter(resolver=resolver), MappingEngine(resolver=resolver)
    # When both engines run each / Then the outcomes are identical
    for index, variant in enumerate(variants(given, random.Random(path.stem), 60)):
        expected = outcome(interpreted, mapping, variant, list_mode)
        assert outcome(compiled, mapping, variant, list_mode) == expected, f"variant {index}: {variant!r}"
