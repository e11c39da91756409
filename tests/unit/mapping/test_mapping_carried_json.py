"""Printed sub-mapping results carried to ``jsonToArray`` as values, against the interpreter.

Given generated rules whose template prints ``executeMapping(...)|json_encode`` between ``[``, ``,``
and ``]`` (and sometimes something else: spaces, other prints, trailing commas, nothing), with a lone
``jsonToArray`` cast or casts and unsets that also read the text, and sub-mappings whose results hold
floats, ``&``, empty arrays, numeric keys and lists,
when the compiled engine (which skips the text where only the cast reads it) and the interpreter run
them, then outputs and errors are the same.
"""

from __future__ import annotations

import random
from typing import Any

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.compiler import _decoded_targets
from openconnector_core.mapping.interpreter import MappingInterpreter
from tests.support.mapping_pairs import outcome

SUBS: dict[str, dict[str, Any]] = {
    "plain": {"name": "plain", "mapping": {"a": "p", "b.c": "q", "n": "{{ 1 + 1 }}"}, "cast": {"n": "int"}},
    "float": {"name": "float", "mapping": {"f": "p"}, "cast": {"f": "float"}},
    "amp": {"name": "amp", "mapping": {"t": "Tom &amp; Jerry", "p": "p"}},
    "empty": {"name": "empty", "mapping": {"a": "nothing.here"}},
    "numbered": {"name": "numbered", "mapping": {"0": "p", "1": "q"}},
    "listed": {"name": "listed", "mapping": {"items": "list"}, "cast": {"items": "jsonToArray"}},
    "deep": {
        "name": "deep",
        "mapping": {"x": "[{{ executeMapping('plain', _context)|json_encode }}]"},
        "cast": {"x": "jsonToArray"},
    },
}
PRINTS = [
    "{{ executeMapping('plain', data)|json_encode }}",
    "{{ executeMapping('float', data)|json_encode }}",
    "{{ executeMapping('amp', data)|json_encode }}",
    "{{ executeMapping('empty', data)|json_encode }}",
    "{{ executeMapping('numbered', data)|json_encode }}",
    "{{ executeMapping('listed', data)|json_encode }}",
    "{{ executeMapping('deep', data)|json_encode }}",
    "{{ executeMapping('plain', data.list, true)|json_encode }}",
    "{{ executeMapping('nosuch', data)|json_encode }}",
]


def _template(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(PRINTS)
    if roll < 0.45:  # a loop joined by commas, as the xxllnc mappings do
        body = rng.choice(PRINTS).replace("data", "item")
        return f"[{{% for item in items %}}{{% if not loop.first %}},{{% endif %}}{body}{{% endfor %}}]"
    parts = ["["] if rng.random() < 0.9 else []
    for index in range(rng.randint(0, 3)):
        if index and rng.random() < 0.9:
            parts.append(rng.choice([",", "{% if true %},{% endif %}"]))
        parts.append(rng.choice([*PRINTS, *PRINTS, " ", "{{ data|json_encode }}", "1", "&amp;"]))
    if rng.random() < 0.15:  # a trailing comma, printed on its own
        parts.append("{% if true %},{% endif %}")
    if rng.random() < 0.9:
        parts.append("]")
    return "".join(parts)


def _mapping(rng: random.Random) -> dict[str, Any]:
    definition: dict[str, Any] = {"name": "carried", "mapping": {"r": _template(rng), "s": "p"}}
    cast = rng.choice([{"r": "jsonToArray"}] * 6 + [{"r": "jsonToArray,unsetIfValue=="}, {"r": "string"}])
    extra = rng.random()
    if extra < 0.1:
        cast = {**cast, "r.0": "unsetIfValue=="}
    elif extra < 0.2:
        definition["unset"] = ["r.0"]
    elif extra < 0.25:
        definition["mapping"]["r.1"] = "p"
    elif extra < 0.3:
        cast = {**cast, "s": "countValue:r"}
    definition["cast"] = cast
    return definition


def _data(rng: random.Random) -> dict[str, Any]:
    p: Any = rng.choice([1, 2.5, 3.0, "a&b", "x", None, [], {"k": "v"}])
    record = {"p": p, "q": rng.choice(["q", 7, True]), "list": [{"p": 1}, {"p": "two"}]}
    return {"data": record, "items": [record] * rng.randint(0, 3), "p": p}


def test_carried_values_equal_the_parsed_text() -> None:
    rng = random.Random(1313)
    engine = MappingEngine(resolver=SUBS.get)
    interpreter = MappingInterpreter(resolver=SUBS.get)
    differences, carried = [], 0
    for index in range(1500):
        definition, given = _mapping(rng), _data(rng)
        carried += "r" in _decoded_targets(definition["mapping"], definition.get("unset"), definition["cast"])
        expected = outcome(interpreter, definition, given, False)
        actual = outcome(engine, definition, given, False)
        if actual != expected:
            differences.append(f"pair {index}: {definition!r} on {given!r}\n  {expected}\n  {actual}")
    assert not differences, f"{len(differences)} differ:\n" + "\n".join(differences[:5])
    assert carried > 700  # most pairs take the carried path; the rest check the text path is kept


def test_only_a_lone_json_to_array_with_nothing_around_it_is_carried() -> None:
    rules = {"r": "{{ x }}", "s": "y"}
    assert _decoded_targets(rules, [], {"r": "jsonToArray"}) == {"r"}
    assert _decoded_targets(rules, ["r.0"], {"r": "jsonToArray"}) == set()
    assert _decoded_targets(rules, [], {"r": "jsonToArray", "r.a": "int"}) == set()
    assert _decoded_targets(rules, [], {"r": "jsonToArray,unsetIfValue=="}) == set()
    assert _decoded_targets(rules, [], {"r": "jsonToArray", "s": "countValue:r"}) == set()
    assert _decoded_targets({**rules, "r.b": "y"}, [], {"r": "jsonToArray"}) == set()
    assert _decoded_targets({"a.r": "{{ x }}"}, [], {"a.r": "jsonToArray", "a": "unsetIfValue=="}) == set()


def test_carried_values_count_towards_the_size_of_what_holds_them() -> None:
    # Given a sub-mapping holding two carried lists of 3,000,000 characters each (each under the
    # limit on its own, together over it), printed by its parent
    subs: dict[str, dict[str, Any]] = {
        "big": {"mapping": {"s": "p"}},
        "pair": {
            "mapping": {
                "a": "[{% for i in items %}{% if not loop.first %},{% endif %}"
                "{{ executeMapping('big', i)|json_encode }}{% endfor %}]",
                "b": "[{% for i in items %}{% if not loop.first %},{% endif %}"
                "{{ executeMapping('big', i)|json_encode }}{% endfor %}]",
            },
            "cast": {"a": "jsonToArray", "b": "jsonToArray"},
        },
    }
    parent = {
        "mapping": {"r": "{{ executeMapping('pair', _context)|json_encode }}"},
        "cast": {"r": "jsonToArray"},
    }
    given = {"items": [{"p": "x" * 100_000} for _ in range(30)]}

    # When both engines run it / Then both refuse it on the size limit, with the same message
    expected = outcome(MappingInterpreter(resolver=subs.get), parent, given, False)
    assert expected.startswith("error ") and "exceeds" in expected
    assert outcome(MappingEngine(resolver=subs.get), parent, given, False) == expected


def test_a_printed_sub_mapping_whose_argument_its_if_tested_still_carries() -> None:
    # {% if x|default %}{{ executeMapping(5, x)|json_encode }}{% endif %} (the xxllnc zaaktype rule)
    # reads x once for both: the print must still carry its value (no JSON parse, no walk after)
    from openconnector_core.twig.compiler import compile_template

    compiled = compile_template("{% if a.b|default %}{{ executeMapping(5, a.b)|json_encode }}{% endif %}")
    assert compiled is not None and "_pj(" in compiled.source and "_p1" in compiled.source
