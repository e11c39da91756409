"""Templates inlined into the compiled mapping's function (twig.inline) against the same templates run
by their render call: the same output (types included) and the same errors, rule prefix included."""

from __future__ import annotations

import random
from typing import Any

import pytest

from openconnector_core.errors import MappingError
from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping import compiler as mapping_compiler
from openconnector_core.twig import inline
from openconnector_core.twig.limits import MAX_OUTPUT_CHARS
from tests.support.mapping_pairs import data, mapping, outcome, template

SIMPLE = [
    "{% if a.b|default %}{{ a.b }}{% endif %}",
    "{% if a == 'x' %}{{ 'yes' }}{% elseif a is null %}{{ 'null' }}{% else %}{{ 'no' }}{% endif %}",
    "P{{ a }}W",
    "{{ a }}",
    "{{ 5 }}",
    "{{ 'Tom &amp; co' }}",
    "{% set n = a %}{{ n }}-{{ n }}",
    "{% set t %}<{{ a }}>{% endset %}{{ t }}",
    "{% if a %}{% endif %}",
    "{{ a.0 }}{{ a[b] }}",
]


def _run_both(definition: dict[str, Any], given: Any) -> tuple[str, str, str]:
    """(outcome inlined, outcome with render calls, the inlined mapping's source)."""
    mapping_compiler._CACHE.items.clear()
    inlined = outcome(MappingEngine(), definition, given, False)
    source = mapping_compiler.compiled(definition).source
    original = mapping_compiler.inline_template
    mapping_compiler.inline_template = lambda text: None  # type: ignore[assignment]
    try:
        mapping_compiler._CACHE.items.clear()
        called = outcome(MappingEngine(), definition, given, False)
    finally:
        mapping_compiler.inline_template = original  # type: ignore[assignment]
        mapping_compiler._CACHE.items.clear()
    return inlined, called, source


VALUES: list[Any] = [
    None,
    "",
    "0",
    "x",
    'say "hi" & <b>',
    "a&amp;b",
    5,
    2.5,
    True,
    [1, "two"],
    {"b": "deep", "0": "zero"},
]


@pytest.mark.parametrize("text", SIMPLE)
def test_simple_templates_are_inlined_and_agree(text: str) -> None:
    # Given a template that neither loops nor calls functions, when a mapping uses it
    for value in VALUES:
        definition = {"name": "inl", "mapping": {"out": text}}
        inlined, called, source = _run_both(definition, {"a": value, "b": "b"})
        # then it runs inline, with the output of its render call
        assert "_t1_" in source
        assert inlined == called


def test_inlined_output_is_a_plain_string() -> None:
    # Given printed values that escape to Markup (a number, a literal), when inlined, then the rule's
    # value is an exact str, as the join of the render's chunks gives it
    result = MappingEngine().run({"mapping": {"n": "{{ a }}", "l": "{{ 'x' }}", "m": "x{{ a }}"}}, {"a": 5})
    assert result == {"n": "5", "l": "x", "m": "x5"}
    assert all(type(value) is str for value in result.values())


def test_loops_and_functions_are_not_inlined() -> None:
    assert inline.inline_template("{% for x in a %}{{ x }}{% endfor %}") is None
    assert inline.inline_template("{{ executeMapping('sub', a)|json_encode }}") is None
    assert inline.inline_template("{% if a %}{{ a }}{% endif %}") is not None


def test_one_chunk_keeps_no_list_and_more_chunks_keep_one() -> None:
    single = inline.inline_template("{% if a %}{{ a }}{% else %}none{% endif %}")
    several = inline.inline_template("P{{ a }}W")
    assert single is not None and single.single
    assert several is not None and not several.single


def test_output_over_the_limit_fails_with_the_rule_prefix() -> None:
    # Given a printed value over the output limit, when inlined, then the error is the render's
    definition = {"name": "big", "mapping": {"one": "{{ a }}", "two": "{{ a }}{{ a }}"}}
    half = "x" * (MAX_OUTPUT_CHARS // 2 + 1)
    for given in ({"a": "x" * (MAX_OUTPUT_CHARS + 1)}, {"a": half}):
        inlined, called, _ = _run_both(definition, given)
        assert inlined == called
        assert inlined.startswith("error Error for mapping: big, key: ")
        assert f"exceeds {MAX_OUTPUT_CHARS} characters" in inlined


def test_time_budget_is_checked_by_inlined_templates() -> None:
    # Given a run whose budget is spent, when an inlined template finishes, then it stops the run
    engine = MappingEngine(time_budget_seconds=-1.0)
    with pytest.raises(MappingError) as raised:
        engine.run({"name": "slow", "mapping": {"x": "{{ a }}"}}, {"a": "1"})
    assert raised.value.message.startswith("Error for mapping: slow, key: x, value: {{ a }}")
    assert "time budget" in raised.value.message


def test_mapping_too_deep_with_templates_inlined_compiles_without(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a mapping whose function does not compile with its templates inlined (too deep for the
    # Python compiler), when compiled, then it is compiled with render calls instead
    real_compile = compile

    def refusing(source: str, *arguments: Any) -> Any:
        if "_t1_" in source:
            raise RecursionError("too deep")
        return real_compile(source, *arguments)

    monkeypatch.setattr(mapping_compiler, "compile", refusing, raising=False)
    mapping_compiler._CACHE.items.clear()
    try:
        definition = {"mapping": {"x": "{% if a %}{{ a }}{% endif %}"}}
        compiled = mapping_compiler.compiled(definition)
        assert "_t1_" not in compiled.source
        assert MappingEngine().run({"mapping": {"x": "{% if a %}{{ a }}{% endif %}"}}, {"a": "y"}) == {
            "x": "y"
        }
    finally:
        mapping_compiler._CACHE.items.clear()


def test_random_mappings_inlined_agree_with_render_calls() -> None:
    # Given generated mappings × inputs, when run inlined and with render calls, then they agree
    rng = random.Random(1313)
    templates = [template(rng) for _ in range(60)]
    inlined_seen = 0
    for _ in range(300):
        definition = mapping(rng, templates)
        given = data(rng)
        inlined, called, source = _run_both(definition, given)
        inlined_seen += "_t1_" in source
        assert inlined == called, (definition, given)
    assert inlined_seen > 30
