"""The run's budget reaches everything a mapping does: source calls made from templates, big replace
maps, sorting and searching big arrays, and the whole output of a list-mode run. Each limit ends in
a ``MappingError`` naming it (a 400 through the API)."""

from __future__ import annotations

import random
import re
import time
from typing import Any

import pytest

from openconnector_core import deadline
from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine
from openconnector_core.twig.filters import _strtr_by_length, strtr
from openconnector_core.twig.limits import MAX_LIST_OUTPUT_CHARS, Budget


def test_call_source_runs_under_the_mapping_runs_deadline() -> None:
    # Given a callSource that notes the deadline it runs under
    seen: list[float | None] = []

    def call_source(*_arguments: Any) -> str:
        seen.append(deadline.remaining())
        return "body"

    engine = MappingEngine(functions={"callSource": call_source}, time_budget_seconds=0.5)

    # When a mapping calls it (once per item in list mode too)
    engine.run({"mapping": {"x": "{{ callSource('s', '/e') }}"}}, {"a": 1})
    engine.run({"mapping": {"x": "{{ callSource('s', '/e') }}"}}, [{"a": 1}, {"a": 2}], list_mode=True)

    # Then every call saw what was left of the run's 0.5 s, and nothing is left set afterwards
    assert len(seen) == 3
    assert all(remaining is not None and 0 < remaining <= 0.5 for remaining in seen)
    assert deadline.current() is None


def test_a_source_call_that_uses_up_the_budget_ends_the_run_naming_the_limit() -> None:
    # Given a callSource that takes all the time it is given (as the call engine may)
    def slow_call(*_arguments: Any) -> str:
        time.sleep((deadline.remaining() or 0) + 0.01)
        return "late"

    engine = MappingEngine(functions={"callSource": slow_call}, time_budget_seconds=0.2)

    # When the mapping runs / Then it fails on its time budget instead of going on
    with pytest.raises(MappingError, match="time budget"):
        engine.run({"mapping": {"x": "{{ callSource('s', '/e') }}", "y": "{{ callSource('s', '/f') }}"}}, {})


def test_a_big_replace_map_cannot_outlast_the_budget() -> None:
    # Given a replace map of 200,000 keys and a long text (under the output limit)
    table = {f"k{index}x": "y" for index in range(200_000)}
    data = {"m": table, "t": "k1x abc " * 500_000}  # 5x what a lightly loaded machine scans in 0.3 s
    engine = MappingEngine(time_budget_seconds=0.3)

    # When a template applies it / Then the run ends on its time budget
    with pytest.raises(MappingError, match="time budget"):
        engine.run({"mapping": {"x": "{{ t|replace(m) }}"}}, data)


def test_replacing_by_key_length_is_strtr(budget: Budget) -> None:
    # Given random texts and maps with overlapping keys of several lengths
    rng = random.Random(7)
    for _ in range(300):
        keys = {
            "".join(rng.choice("abc") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(2, 9))
        }
        pairs = {key: rng.choice(["", "X", "YY", key[::-1]]) for key in keys}
        text = "".join(rng.choice("abcd") for _ in range(rng.randint(0, 60)))
        # When replaced by the scan / Then it is what the longest-first alternation gives
        pattern = re.compile("|".join(re.escape(key) for key in sorted(pairs, key=len, reverse=True)))
        expected = pattern.sub(lambda match, table=pairs: table[match.group(0)], text)
        assert _strtr_by_length(text, pairs, budget) == expected
    assert strtr("abc", {"a": "1", "ab": "2"}) == "2c"


@pytest.mark.parametrize(
    ("template", "size"),
    [
        ("{{ big|sort|join }}", 60_000),  # under the size compared arrays may have
        ("{% for i in range(1, 60) %}{% if 'absent' in big %}x{% endif %}{% endfor %}", 300_000),
    ],
    ids=["sort", "in"],
)
def test_filters_on_big_arrays_respect_the_budget(template: str, size: int) -> None:
    # Given a big array of strings
    rng = random.Random(3)
    big = [f"{rng.random():.9f}" for _ in range(size)]
    engine = MappingEngine(time_budget_seconds=0.3)

    # When a template sorts or searches it over and over / Then the run ends on its time budget
    with pytest.raises(MappingError, match="time budget"):
        engine.run({"mapping": {"x": template}}, {"big": big})


def test_list_mode_output_is_capped_as_a_whole() -> None:
    # Given items that each map to 2 M characters (well within one run's limits)
    text = "x" * 2_000_000
    items = [{"v": text} for _ in range(12)]
    engine = MappingEngine()

    # When mapped in list mode / Then the whole output's cap names itself
    with pytest.raises(MappingError, match=f"list-mode output exceeds {MAX_LIST_OUTPUT_CHARS} characters"):
        engine.run({"mapping": {"a": "v"}}, items, list_mode=True)

    # and a list under the cap maps as before
    assert len(engine.run({"mapping": {"a": "v"}}, items[:5], list_mode=True)) == 5
