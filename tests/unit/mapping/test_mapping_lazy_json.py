"""A printed sub-mapping result whose text is made only when read (rendering.LazyJson).

Given sub-mapping results made lazily, when anything reads them (the render's join, its writer's
count past the limit, the memo and its replay, the one-step printed call), then it reads what the
eager :class:`JsonText` gives; and :func:`finish_value` takes their values without making a text.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.results import result_json
from openconnector_core.twig import rendering
from openconnector_core.twig.limits import (
    MAX_OUTPUT_CHARS,
    Budget,
    LimitExceededError,
    check_output_size,
    end_budget,
    start_budget,
)
from openconnector_core.twig.rendering import JsonText, LazyJson, finish, finish_value, settle

STRINGS = ["s", "a/b", "", "\x7f", "\x01\n\t", "é", "😀", "\ud800", '"\\', "<b>", "x" * 40]


def _tree(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.25:
        keys = rng.choice([["0", "1"], ["a", "b/c"], ["😀", ""], ["x"]])
        return {key: _tree(rng, depth + 1) for key in keys[: rng.randint(0, len(keys))]}
    if depth < 4 and roll < 0.45:
        return [_tree(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice([*STRINGS, 1, 0, -(2**63), 2**63 - 1, True, False, None])


def _budget() -> Budget:
    return Budget(deadline=time.monotonic() + 60)


@contextmanager
def running() -> Iterator[Budget]:
    budget, token = start_budget(60)
    try:
        yield budget
    finally:
        end_budget(token)


def test_a_lazy_result_makes_the_eager_text_and_counts_at_least_its_length() -> None:
    rng = random.Random(17)
    for _ in range(3000):
        raw = {"k": _tree(rng), "l": [_tree(rng)]}
        eager = result_json(json.loads(json.dumps(raw)), True, _budget())
        lazy = result_json(raw, True, _budget(), lazy=True)
        assert type(lazy) is LazyJson and type(eager) is JsonText
        text = lazy.text()
        assert (text, text.value, text.size, text.height) == (eager, eager.value, eager.size, eager.height)
        assert len(lazy) >= len(text)


@pytest.mark.parametrize(
    "raw",
    [{"t": "Tom & Jerry"}, {"a&b": 1}, {"f": 1.5}, {"n": float("nan")}, {"x": [1]}],
)
def test_what_the_lazy_form_cannot_hold_is_given_as_before(raw: dict[str, Any]) -> None:
    budget = _budget()
    if "x" in raw:  # a carried value (its strings are not walked)
        budget.carried[id(raw["x"])] = (raw["x"], 2, 0)
    lazy = result_json(raw, True, budget, lazy=True)
    assert type(lazy) is not LazyJson
    assert lazy == result_json(raw, True, budget)


def _lazy(value: Any) -> LazyJson:
    made = result_json(value, True, _budget(), lazy=True)
    assert type(made) is LazyJson
    return made


def test_finish_value_takes_the_values_without_making_a_text(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _lazy({"a": "x"}), _lazy({"b": [1, 2]})
    eager = JsonText(first.text())
    eager.value, eager.size, eager.height = {"a": "x"}, first.size, first.height
    monkeypatch.setattr(LazyJson, "text", lambda self: pytest.fail("a text was made"))
    with running() as budget:
        value = finish_value(["[", first, ",", second, ",", eager, "]"])
        assert value == [{"a": "x"}, {"b": [1, 2]}, {"a": "x"}]
        assert value[0] is first.value and budget.carried[id(value)][0] is value
        assert finish_value([second]) is second.value


def test_any_other_reading_of_the_chunks_makes_the_text() -> None:
    printed = _lazy({"a": "x/y"})
    with running():
        assert finish(["[", printed, ",", printed, "]"]) == '[{"a":"x\\/y"},{"a":"x\\/y"}]'
        assert finish_value(["[", printed, " ]"]) == '[{"a":"x\\/y"} ]'  # not J-only: finished as text
        assert finish_value(["[", printed, ",", "]"]) == '[{"a":"x\\/y"},]'
        assert finish_value([printed, ","]) == '{"a":"x\\/y"},'
        assert finish_value(["[", printed, printed, "]"]) == '[{"a":"x\\/y"}{"a":"x\\/y"}]'


def _render(printed: Callable[[int], Any], count: int, lazy: bool) -> list[Any]:
    """The writer of a compiled template printing ``[J,J,...]``: counting lengths and checking them
    (``_size(_n)``), or for lazy prints settling past the limit (``_n = _settle(_out)``)."""
    out: list[Any] = []
    total = 0

    def write(chunk: Any) -> None:
        nonlocal total
        out.append(chunk)
        total += len(chunk)
        if total > MAX_OUTPUT_CHARS:
            if lazy:
                total = settle(out)
            else:
                check_output_size(total)

    write("[")
    for index in range(count):
        if index:
            write(",")
        write(printed(index))
    write("]")
    return out


@pytest.mark.parametrize("count", [2, 24, 25, 40])
def test_the_writer_refuses_exactly_where_the_texts_pass_the_limit(count: int) -> None:
    # Given results of about 200,000 characters: each counts 24 times that until settled
    values = [{"v": str(index % 10) * 200_000} for index in range(count)]
    made: list[int] = []

    def lazily(index: int) -> LazyJson:
        made.append(index)
        return _lazy(values[index])

    def eagerly(index: int) -> str:
        made.append(index)
        return _lazy(values[index]).text()

    outcomes = []
    for printer, lazy in ((eagerly, False), (lazily, True)):
        made.clear()
        try:
            chunks = _render(printer, count, lazy)
        except LimitExceededError as error:
            outcomes.append(("refused", str(error), list(made)))
        else:
            with running():
                outcomes.append(("rendered", finish(chunks), list(made)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == ("refused" if count * (200_008 + 1) + 1 > MAX_OUTPUT_CHARS else "rendered")


def test_print_json_lazy_without_the_engine_prints_as_print_json() -> None:
    functions = {"executeMapping": lambda reference, data: {"r": reference, "d": data}}
    for data in ("&", "y"):
        printed = rendering.print_json_lazy(functions, "x", data)
        assert printed == rendering.print_json(functions, "x", data)
    assert printed == '{"r":"x","d":"y"}'


SUB = {"name": "sub", "mapping": {"n": "k", "m": "a.b", "s": "{{ 'a/b' }}"}}


def test_the_engine_prints_lazily_keeps_and_replays_the_same() -> None:
    # Given an engine whose sub-mapping results are kept (mapping.memo)
    engine = MappingEngine(resolver={"sub": SUB}.get)
    functions = engine._runtime.functions
    seen = []
    with running():
        for _ in range(80):  # computed, then kept and replayed
            printed = rendering.print_json_lazy(functions, "sub", {"k": 1, "a": {"b": [2]}})
            assert type(printed) is LazyJson
            seen.append((printed.text(), printed.value, printed.size, printed.height, id(printed.value)))
            value = engine._execute_json_value("sub", {"k": 1, "a": {"b": [2]}})
            assert type(value) is JsonText and value == printed.text()
        printed = rendering.print_json_lazy(functions, "sub", {"k": "&", "a": {}})
        assert printed == rendering.print_json(functions, "sub", {"k": "&", "a": {}})  # escaped
    assert engine._runtime.memo.hits > 0
    assert all(entry[:4] == seen[0][:4] for entry in seen)
    assert seen[0][:2] == ('{"n":1,"m":[2],"s":"a\\/b"}', {"n": 1, "m": [2], "s": "a/b"})
