"""``executeMapping(...)|json_encode`` from a template, the engine's one-step path (engine._kept_json):
the same results, errors and limits whichever way the sub-mapping is named, in a run or outside one."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine, paths
from openconnector_core.mapping import engine as engine_module
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.mapping.results import result_json
from openconnector_core.php import json_decode
from openconnector_core.twig.filters import f_json_encode
from openconnector_core.twig.limits import (
    Budget,
    DepthExceededError,
    LimitExceededError,
    check_expanded_size,
)
from openconnector_core.twig.rendering import JsonText

SUB = {"id": "sub", "version": "1", "name": "sub", "mapping": {"n": "k", "m": "a.b"}}
DAG_MAP = "{% set l = 1 %}{% for i in 1..60 %}{% set l = {'a': l, 'b': l} %}{% endfor %}"


class _NotAMapping:
    """What a resolver should never give: something with ``get`` that is not a Mapping."""

    def get(self, key: str, default: Any = None) -> Any:
        return {"name": "odd", "mapping": {"n": "k"}}.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in ("name", "mapping")

    def __getitem__(self, key: str) -> Any:
        return self.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(("name", "mapping"))


def run(template: str, data: Any = None, store: dict[str, Any] | None = None) -> Any:
    engine = MappingEngine(resolver=(store or {"sub": SUB, "7": SUB}).get)
    definition = {"name": "m", "mapping": {"r": template}, "cast": {"r": "jsonToArray"}}
    return engine.run(definition, {"d": {"k": "v", "a": {"b": [1]}}} if data is None else data)


@pytest.mark.parametrize("reference", ["'sub'", "7", "{'name': 'i', 'mapping': {'n': 'k'}}"])
@pytest.mark.parametrize("list_mode", ["", ", true"])
def test_shared_sub_arrays_are_refused_however_the_sub_mapping_is_named(
    reference: str, list_mode: str
) -> None:
    # Given data whose sub-arrays share one another (2**60 leaves in 60 arrays)
    started = time.perf_counter()
    # When it is given to a sub-mapping / Then the call refuses it, quickly, naming the limit
    with pytest.raises(MappingError, match="a template value exceeds 5000000 characters"):
        run(DAG_MAP + f"{{{{ executeMapping({reference}, l{list_mode})|json_encode }}}}")
    assert time.perf_counter() - started < 1


def test_sub_mappings_named_each_way_give_what_the_interpreter_gives() -> None:
    store = {"sub": SUB, "7": SUB}
    definition = {
        "name": "m",
        "mapping": {
            "r": "[{{ executeMapping('sub', d)|json_encode }},{{ executeMapping(7, d, true)|json_encode }},"
            "{{ executeMapping({'mapping': {'x': 'a'}}, d, 0)|json_encode }}]",
            "s": "{{ executeMapping(7, d.a.b, 1)|json_encode }}",
        },
        "cast": {"r": "jsonToArray"},
    }
    given = {"d": {"k": "v", "a": {"b": [1, {"k": 2}]}}}
    expected = MappingInterpreter(resolver=store.get).run(definition, given)
    engine = MappingEngine(resolver=store.get)
    assert [engine.run(definition, given) for _ in range(3)] == [expected] * 3


@pytest.mark.parametrize("reference", ["'self'", "5"])
def test_a_sub_mapping_calling_itself_stops_at_the_depth_limit(reference: str) -> None:
    recursive = {
        "id": "self",
        "name": "self",
        "mapping": {"r": "{{ executeMapping('self', _context)|json_encode }}"},
    }
    with pytest.raises(
        MappingError, match=r"^Error for mapping: m, key: r, value: .*nested deeper than 16 levels"
    ):
        run(
            f"{{{{ executeMapping({reference}, d)|json_encode }}}}",
            {"d": {"x": 1}},
            {"self": recursive, "5": recursive},
        )


def test_what_a_resolver_gives_that_is_not_a_mapping_is_refused_by_the_call() -> None:
    with pytest.raises(MappingError, match=r"executeMapping: mapping '.*' not found"):
        run("{{ executeMapping('odd', d)|json_encode }}", store={"odd": _NotAMapping()})


def test_outside_a_run_the_one_step_call_gives_what_the_call_gives() -> None:
    # Given an engine's one-step function called outside any run (each step then has its own budget)
    engine = MappingEngine(resolver={"sub": SUB}.get)
    printed = engine._execute_json_value("sub", {"k": 1, "a": {"b": 2}})
    # Then it is the JSON of the call, carrying its value
    assert isinstance(printed, JsonText)
    assert (printed, printed.value) == ('{"n":1,"m":2}', {"n": 1, "m": 2})
    assert engine._execute_json({"mapping": {"x": "k"}}, {"k": [1]}) == '{"x":[1]}'
    with pytest.raises(MappingError, match="executeMapping: mapping 'nope' not found"):
        engine._execute_json("nope", {})


def test_an_engine_keeps_a_bounded_number_of_compiled_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "CACHE_SIZE", 4)
    engine = MappingEngine()
    for index in range(10):
        definition = {
            "mapping": {
                "r": f"{{{{ executeMapping({{'mapping': {{'x': 'k'}}, 'n': {index}}}, d)|json_encode }}}}"
            }
        }
        assert engine.run(definition, {"d": {"k": index}}) == {"r": f'{{"x":{index}}}'}
    assert 0 < len(engine._functions) <= 4


def _tree(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.25:  # keys that finish as a list, keep their place, or decode
        keys = rng.choice([["0", "1", "2"], ["a", "b"], ["a&#46;b", "c"], ["0", "1&#46;"], ["x"]])
        return {key: _tree(rng, depth + 1) for key in keys[: rng.randint(0, len(keys))]}
    if depth < 4 and roll < 0.45:
        return [_tree(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice(["s", "&", "a/b", 1, 0, True, None, ""])


def test_a_carried_result_is_what_decoding_its_text_gives_with_its_size_and_height() -> None:
    # Given generated sub-mapping results, some holding values carried from other calls
    rng = random.Random(233)
    budget = Budget(deadline=time.monotonic() + 60)
    for _ in range(2000):
        raw = {"k": _tree(rng), "l": [_tree(rng), _tree(rng)]}
        carried = {"c": ["v"]}
        budget.carried[id(carried)] = (carried, 5, 1)
        raw[rng.choice(["k", "c"])] = carried
        # When encoded in one walk, carrying its value
        printed = result_json(raw, True, budget)
        # Then its text is the three steps', and its value what decoding the text gives
        assert printed == f_json_encode(paths.finish_output(json.loads(json.dumps(raw))))
        assert isinstance(printed, JsonText)
        assert printed.value == json_decode(printed)
        # And its size and height are what the limits measure
        check_expanded_size(printed.value, printed.size, printed.height + 1, Budget(deadline=budget.deadline))
        with pytest.raises(LimitExceededError, match="exceeds"):
            check_expanded_size(printed.value, printed.size - 1, budget=Budget(deadline=budget.deadline))
        with pytest.raises(DepthExceededError):
            check_expanded_size(
                printed.value, depth_limit=printed.height, budget=Budget(deadline=budget.deadline)
            )
