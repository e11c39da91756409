"""The compiled mappings against the interpreter on thousands of generated mapping × input pairs.

Given a seeded generator of inputs (dotted keys, encoded keys, entities, numeric strings, floats,
nesting) and of mappings built from a pool of templates, paths, literals and casts,
when the production engine (compiled) and the reference interpreter both run each pair,
then they return the same output (types, key order and all) or fail with the same message.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from openconnector_core.mapping import REVISION_KEY, MappingEngine, compiler, paths
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.mapping.results import result_json
from openconnector_core.twig.filters import f_json_encode
from openconnector_core.twig.limits import LimitExceededError
from tests.support.mapping_pairs import PAIRS, SEED, SUB_MAPPINGS, data, mapping, outcome, template, value


def test_compiled_mappings_match_the_interpreter_on_generated_pairs() -> None:
    rng = random.Random(SEED)
    templates = [template(rng) for _ in range(160)]
    compiled = MappingEngine(resolver=SUB_MAPPINGS.get)
    interpreted = MappingInterpreter(resolver=SUB_MAPPINGS.get)
    differences: list[str] = []
    for index in range(PAIRS):
        definition = mapping(rng, templates)
        given = data(rng)
        list_mode = rng.random() < 0.08
        expected = outcome(interpreted, definition, given, list_mode)
        actual = outcome(compiled, definition, given, list_mode)
        if actual != expected:
            differences.append(
                f"pair {index}: mapping={definition!r} input={given!r} list={list_mode}\n"
                f"  interpreter: {expected}\n  compiled:    {actual}"
            )
    assert not differences, f"{len(differences)} of {PAIRS} differ:\n" + "\n".join(differences[:5])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_generator_reaches_both_outcomes(seed: int) -> None:
    # The pairs cover successes and errors alike (a generator that only fails proves nothing).
    rng = random.Random(seed)
    templates = [template(rng) for _ in range(40)]
    engine = MappingEngine(resolver=SUB_MAPPINGS.get)
    outcomes = {outcome(engine, mapping(rng, templates), data(rng), False)[:2] for _ in range(200)}
    assert outcomes == {"ok", "er"}


@pytest.mark.usefixtures("budget")
def test_sub_mapping_json_in_one_walk_equals_the_three_steps() -> None:
    # Given generated sub-mapping results (encoded keys, floats, big numbers, nesting)
    rng = random.Random(SEED + 1)
    for _ in range(3000):
        raw = value(rng)
        if not isinstance(raw, dict | list):
            raw = {"k": raw}
        # When encoded in one walk / Then it is what finish_output + json_encode give
        try:
            expected: Any = f_json_encode(paths.finish_output(raw))
        except LimitExceededError as error:
            expected = error
        try:
            actual: Any = result_json(raw)
        except LimitExceededError as error:
            actual = error
        assert repr(actual) == repr(expected), raw


def test_an_edited_definition_with_a_stored_id_is_never_served_stale() -> None:
    # Given a stored mapping, and the same mapping edited (same id, version and update time)
    stored = {"id": "m1", "uuid": "m1", "version": "0.0.1", "updated": "2026-11-30", "mapping": {"x": "a"}}
    edited = {**stored, "mapping": {"x": "b"}}
    engine = MappingEngine(resolver={"m1": stored}.get)

    # When both run, directly and as a sub-mapping / Then each gives its own result
    assert engine.run(stored, {"a": 1, "b": 2}) == {"x": 1}
    assert engine.run(edited, {"a": 1, "b": 2}) == {"x": 2}
    sub = {
        "mapping": {"s": "{{ executeMapping('m1', {'a': 1, 'b': 2})|json_encode }}"},
        "cast": {"s": "jsonToArray"},
    }
    assert engine.run(sub, {}) == {"s": {"x": 1}}


def test_a_stored_mapping_run_directly_is_known_by_id_version_and_revision() -> None:
    # Given a stored mapping run directly as the store returned it (as a synchronization runs it)
    first = {"id": "m4", "version": "0.0.1", "updated": "t1", REVISION_KEY: '"1"', "mapping": {"x": "a"}}
    engine = MappingEngine()
    assert engine.run(first, {"a": 1, "b": 2}, stored=True) == {"x": 1}
    hits, misses, _ = compiler.cache_info()

    # When it is read again (a fresh dict; a field the store sets differs) / Then its compiled
    # function is found by id, version and revision, without reading its text
    again = {**json.loads(json.dumps(first)), "dateModified": "read again"}
    assert engine.run(again, {"a": 1, "b": 2}, stored=True) == {"x": 1}
    assert compiler.cache_info()[:2] == (hits + 1, misses)

    # When it is saved again (a new revision) / Then the new definition runs
    second = {**first, REVISION_KEY: '"2"', "mapping": {"x": "b"}}
    assert engine.run(second, {"a": 1, "b": 2}, stored=True) == {"x": 2}


def test_an_updated_stored_mapping_is_compiled_again() -> None:
    # Given a stored mapping run once through the resolver, then updated (new version)
    store = {"m2": {"id": "m2", "version": "0.0.1", "updated": "t1", "mapping": {"x": "a"}}}
    engine = MappingEngine(resolver=store.get)
    sub = {
        "mapping": {"s": "{{ executeMapping('m2', {'a': 1, 'b': 2})|json_encode }}"},
        "cast": {"s": "jsonToArray"},
    }
    assert engine.run(sub, {}) == {"s": {"x": 1}}
    store["m2"] = {"id": "m2", "version": "0.0.2", "updated": "t2", "mapping": {"x": "b"}}

    # When it runs again / Then the new definition is used
    assert engine.run(sub, {}) == {"s": {"x": 2}}


def test_a_stored_mapping_saved_twice_in_one_second_is_compiled_again() -> None:
    # Given a stored mapping, saved again within the same second with the same version: only the
    # store's revision (set by the resolver) tells the two apart
    first = {"id": "m3", "version": "0.0.1", "updated": "t1", REVISION_KEY: '"1"', "mapping": {"x": "a"}}
    store = {"m3": first}
    engine = MappingEngine(resolver=store.get)
    sub = {
        "mapping": {"s": "{{ executeMapping('m3', {'a': 1, 'b': 2})|json_encode }}"},
        "cast": {"s": "jsonToArray"},
    }
    assert engine.run(sub, {}) == {"s": {"x": 1}}
    store["m3"] = {**first, REVISION_KEY: '"2"', "mapping": {"x": "b"}}

    # When it runs again / Then the new definition is used
    assert engine.run(sub, {}) == {"s": {"x": 2}}
