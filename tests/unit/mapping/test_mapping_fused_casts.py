"""``unsetIfValue==`` casts applied as their rule writes (compiler._fused_casts), against the interpreter.

Given generated mappings whose targets nest (``a``, ``a.b``, ``a.b.c``, …) with ``unsetIfValue==``
casts on targets and on the objects around them in every order, other casts, unset and passThrough,
when the compiled engine (which fuses the casts it can) and the interpreter (which never does) run
them on generated inputs, then they return the same output, key order included, or the same error.
"""

from __future__ import annotations

import random
from typing import Any

from openconnector_core.mapping import MappingEngine, compiler
from openconnector_core.mapping.interpreter import MappingInterpreter
from tests.support.mapping_pairs import outcome

PATHS = ["a", "a.b", "a.c", "a.b.c", "a.b.d", "b", "l.0"]
EMPTYISH: list[Any] = ["", "0", "abc", "v", 0, 1, None, [], {}, {"k": ""}, {"k": "v"}, ["", "0"], False]
SPECS = [
    "in.p",
    "in.q",
    "in.r",
    "missing.path",
    "{{ in.p }}",
    "{% if in.q|default %}{{ in.q }}{% endif %}",
    "{{ in.r|json_encode }}",
    "abc",
    "v",
    "",
    7,
]
CASTS = ["unsetIfValue==", "unsetIfValue==abc", "unsetIfValue==v", "unsetIfValue==0", "unsetIfValue==in.p"]
OTHER_CASTS = ["jsonToArray", "string", "keyCantBeValue", "setNullIfValue==", "unsetIfValue==,string"]


def _mapping(rng: random.Random) -> dict[str, Any]:
    targets = rng.sample(PATHS, rng.randint(1, 3))
    casts: dict[str, Any] = {}
    for path in rng.sample(PATHS, rng.randint(1, 4)):
        casts[path] = rng.choice(CASTS) if rng.random() < 0.8 else rng.choice(OTHER_CASTS)
    definition: dict[str, Any] = {
        "name": "fused",
        "mapping": {target: rng.choice(SPECS) for target in targets},
        "cast": casts,
    }
    if rng.random() < 0.1:
        definition["unset"] = [rng.choice(PATHS)]
    if rng.random() < 0.1:
        definition["passThrough"] = True
    return definition


def _input(rng: random.Random) -> dict[str, Any]:
    given = {"in": {name: rng.choice(EMPTYISH) for name in "pqr" if rng.random() < 0.8}}
    if rng.random() < 0.2:
        given["a"] = rng.choice(EMPTYISH)  # seen by passThrough
    return given


def test_fused_casts_match_the_interpreter() -> None:
    rng = random.Random(20261201)
    compiled = MappingEngine()
    interpreted = MappingInterpreter()
    differences = []
    fused = 0
    for index in range(4000):
        definition = _mapping(rng)
        fused += bool(compiler._Generator(definition).generate().source.count("if not ("))
        given = _input(rng)
        expected = outcome(interpreted, definition, given, False)
        actual = outcome(compiled, definition, given, False)
        if actual != expected:
            differences.append(
                f"{index}: {definition!r} on {given!r}\n  interpreter {expected}\n  compiled {actual}"
            )
    assert not differences, f"{len(differences)} differ:\n" + "\n".join(differences[:5])
    assert fused > 400  # the generator reaches the fused writes


def test_the_idiom_is_fused_and_keeps_the_objects_on_the_way() -> None:
    # Given templates that print nothing, each target unset when empty, and the object around them too
    definition = {
        "name": "m",
        "mapping": {
            "contact.email": "{% if p.email|default %}{{ p.email }}{% endif %}",
            "contact.phone": "{% if p.phone|default %}{{ p.phone }}{% endif %}",
            "naam": "p.name",
        },
        "cast": {
            "contact": "unsetIfValue==",
            "contact.email": "unsetIfValue==",
            "contact.phone": "unsetIfValue==",
        },
    }
    source = compiler._Generator(definition).generate().source
    assert source.count("if not (") >= 2  # the two templated targets are fused
    engine = MappingEngine()
    # Then an empty contact goes, a half-filled one keeps what it has, in the order written
    assert engine.run(definition, {"p": {"name": "Jan"}}) == {"naam": "Jan"}
    assert engine.run(definition, {"p": {"phone": "06", "name": ""}}) == {
        "contact": {"phone": "06"},
        "naam": "",
    }
