"""Mapping rules as the original runs them, found by a differential run against it (upstream
MappingService on PHP 8.2.36 with Twig 3.5.1, 2026-12-01); every expected value was observed there.
Both the compiled engine and the interpreter are held to them."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter

ENGINES = [MappingEngine, MappingInterpreter]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # the input's keys are the output's, an encoded dot in them too (PHP keeps them as they are)
        ({"a&#46;b": 1, "a.b": 2}, {"a&#46;b": {"n": 1}, "a.b": {"n": 2}}),
        ({"0": 1, "1": 2}, [{"n": 1}, {"n": 2}]),
        ([1, 2], [{"n": 1}, {"n": 2}]),
    ],
)
def test_list_mode_keeps_the_input_keys(engine: Any, data: Any, expected: Any) -> None:
    assert engine().run({"name": "m", "mapping": {"n": "value"}}, data, list_mode=True) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_a_list_mode_sub_mapping_keeps_the_input_keys(engine: Any) -> None:
    sub = {"name": "m", "mapping": {"n": "value"}}
    mapping = {"name": "s", "mapping": {"x": '{{ executeMapping("m", d, true)|json_encode }}'}}
    result = engine(resolver={"m": sub}.get).run(mapping, {"d": {"a&#46;b": 1, "a.b": 2}})
    assert result == {"x": '{"a&#46;b":{"n":1},"a.b":{"n":2}}'}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("rules", "data", "expected"),
    [
        # a rule reads the input, never what a rule before it wrote into the passed-through output
        ({"a": "literal", "b": "a"}, {"x": 1}, {"x": 1, "a": "literal", "b": "a"}),
        ({"a.q": "literal", "b": "a"}, {"a": {"z": 1}}, {"a": {"z": 1, "q": "literal"}, "b": {"z": 1}}),
        ({"a": "x", "b": "a"}, {"x": {"k": 1}}, {"x": {"k": 1}, "a": {"k": 1}, "b": "a"}),
    ],
)
def test_pass_through_rules_read_the_input(engine: Any, rules: Any, data: Any, expected: Any) -> None:
    assert engine().run({"name": "m", "mapping": rules, "passThrough": True}, data) == expected


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("rules", "data", "expected"),
    [
        # true, false and floats are read at the integer they convert to, else at their text
        ({"n": False, "m": True}, {"0": "zero", "1": "one"}, {"n": "zero", "m": "one"}),
        ({"n": 1.5}, {"1": "one"}, {"n": "one"}),
        ({"n": 1.5}, {"1": {"5": "nested"}}, {"n": {"5": "nested"}}),
        ({"n": -1.5, "f": 2.0}, {"-1": "minus one", "2": "two"}, {"n": "minus one", "f": "two"}),
        ({"n": False}, {"": "empty key"}, {"n": None}),  # a path found, but only strings are read
        ({"n": 1e20}, {"a": 1}, {"n": "1.0E+20"}),
        ({"n": True}, [["x"], ["y"]], {"n": ["y"]}),
        # a literal array on an empty input is written as it is, nested arrays too
        ({"t": {"k": ["nested"]}}, {}, {"t": {"k": ["nested"]}}),
    ],
)
def test_scalar_and_literal_specs_read_as_the_original(
    engine: Any, rules: Any, data: Any, expected: Any
) -> None:
    assert engine().run({"name": "m", "mapping": rules}, data) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_false_spec_in_list_mode_reads_a_scalar_item(engine: Any) -> None:
    mapping = {"name": "m", "mapping": {"flag": False, "v": "value"}}
    assert engine().run(mapping, ["a", "b"], list_mode=True) == [
        {"flag": "a", "v": "a"},
        {"flag": "b", "v": "b"},
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_line_ends_of_literals_and_templates_are_read_as_twig_reads_them(engine: Any) -> None:
    rules = {"r": "a\r\nb", "s": "{{ v }}\r\nc\rd", "t": "x\ry &amp;"}
    assert engine().run({"name": "m", "mapping": rules}, {"v": 1}) == {
        "r": "a\nb",
        "s": "1\nc\nd",
        "t": "x\ny &",
    }
