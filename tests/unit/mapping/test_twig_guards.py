"""A template that is one ``{% if %}`` between texts has a guard (``twig.guards``): its condition, as a
template of its own. Where the guard is false, the compiled rule prints the texts without the
memo's lookup, so the guard must be false only where the render prints exactly those texts."""

from __future__ import annotations

import functools
import random
from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine, compiler
from openconnector_core.mapping.interpreter import MappingInterpreter
from openconnector_core.twig.compiler import compile_template
from openconnector_core.twig.limits import end_budget, start_budget
from tests.support.mapping_pairs import CONDITIONS, SEED, SUB_MAPPINGS, VARIABLES, data, outcome, template

XXLLNC_STATUS = (
    "{% if instance.milestone|default %}{% set data = {'milestone': instance.milestone} %}"
    "{{ executeMapping(4, data)|json_encode }}{% endif %}"
)
XXLLNC_ROWS = (
    "[{% set index=0 %}{% if documents.result.instance.rows|default %}"
    "{% for d in documents.result.instance.rows %}"
    "{% if index != 0 %},{% endif %}{{ executeMapping(7, d)|json_encode }}{% set index=index+1 %}"
    "{% endfor %}{% endif %}]"
)


@pytest.mark.parametrize(
    ("text", "texts"),
    [
        (XXLLNC_STATUS, ()),
        (XXLLNC_ROWS, ("[", "]")),
        ("a{% set n = 'x' %}{% if b is null %}{{ b }}{% else %}{% endif %}", None),  # else of its own
        ("{% if a %}{% if b %}x{% else %}y{% endif %}{% endif %}!", ("!",)),  # an inner else is fine
        ("{% if a %}x{% elseif b %}y{% endif %}", None),
        ("{% set n = 0 %}{% if n == 0 %}x{% endif %}", None),  # the condition reads what is set before
        ("{% set n = a %}{% if b %}x{% endif %}", None),  # a set that is not a literal
        ("{{ a }}{% if b %}x{% endif %}", None),  # printed before
        ("{% if b %}x{% endif %}{{ a }}", None),  # printed after
        ("{% if b %}x{% endif %}{% if a %}y{% endif %}", None),
        ("{% if max(a, 1) %}x{% endif %}", None),  # a function call
        ("{% if a|default('x') %}x{% endif %}", None),  # a filter's arguments
        ("{% if loop %}x{% endif %}", None),
        ("{% if _context.a %}x{% endif %}", None),
        ('{% if "#{a}" %}x{% endif %}', None),  # interpolation
        ("{% if a %}{% set s %}y{% endset %}{{ s }}{% endif %}]", ("]",)),  # a captured set inside
        ("{% if a %}{% for i in a %}{% else %}e{% endfor %}{% endif %}", ()),  # a for's else inside
        ("[ {% if a %}{%- for i in a %}{% endfor %}{% endif %}]", None),  # whitespace control
        ("{% if a %}\nx{% endif %}", None),  # the if eats the newline after it
        ("{% if a %}x{% endif %}\n]", None),  # and so does the endif
        ("\n{% if a %}x{% endif %}]", ("\n", "]")),
    ],
)
def test_which_templates_have_a_guard(text: str, texts: tuple[str, ...] | None) -> None:
    compiled = compile_template(text)
    assert compiled is not None
    assert (compiled.guard.texts if compiled.guard is not None else None) == texts


def test_a_guard_is_the_if_tag_and_the_template_without_it() -> None:
    compiled = compile_template(XXLLNC_ROWS)
    assert compiled is not None and compiled.guard is not None
    condition, body, texts = compiled.guard.condition, compiled.guard.body, compiled.guard.texts
    assert condition == "{% if documents.result.instance.rows|default %}1{% endif %}"
    assert (
        body
        == XXLLNC_ROWS.replace("{% if documents.result.instance.rows|default %}", "")[: -len("{% endif %}]")]
        + "]"
    )
    assert texts == ("[", "]")


def _outcome(function: Any, given: Any, functions: Any) -> tuple[str, Any]:
    budget, token = start_budget()
    try:
        return "ok", function(given, functions)
    except Exception as error:
        return f"error {type(error).__name__}", str(error)
    finally:
        end_budget(token)
        del budget


def _joined(outcome: tuple[str, Any]) -> tuple[str, Any]:
    """A render's output as text (the chunks may fall differently without the if)."""
    kind, value = outcome
    return (kind, "".join(map(str, value))) if kind == "ok" else outcome


def _guarded(rng: random.Random) -> str:
    """Mostly the guarded shape; sometimes what must not have a guard (an else of its own, a condition
    reading what is set before it, a print before or after)."""
    names = [*VARIABLES, "index", "k", "max(a, 1)"]
    failing = "{v} matches '/[/'"  # an invalid pattern: the condition fails
    condition = (failing if rng.random() < 0.05 else rng.choice(CONDITIONS)).format(
        v=rng.choice(names), w=rng.choice(names)
    )
    before = rng.choice(["", "[", "{% set index = 0 %}[", "x{% set k = 'v' %}", "{{ a }}", "{% set k = a %}"])
    after = rng.choice(["", "]", "&amp;", "y]", "{{ b }}"])
    otherwise = rng.choice(["", "", "", "{% else %}e", "{% elseif b %}f"])
    opening = "{%- if " if rng.random() < 0.05 else "\n{% if " if rng.random() < 0.05 else "{% if "
    closing = "%}\n" if rng.random() < 0.05 else "-%} " if rng.random() < 0.05 else "%}"
    return f"{before}{opening}{condition} {closing}{template(rng, 1)}{otherwise}{{% endif %}}{after}"


def test_where_the_guard_is_false_the_render_prints_its_texts() -> None:
    # Given templates of the guarded shape (random bodies and conditions) and random data
    rng = random.Random(SEED + 41)
    functions = MappingEngine(resolver=SUB_MAPPINGS.get).renderer.functions
    seen = {"false": 0, "true": 0, "error": 0}
    for _ in range(2000):
        text = _guarded(rng)
        compiled = compile_template(text)
        if compiled is None or compiled.guard is None:
            continue
        condition, body, texts = compiled.guard.condition, compiled.guard.body, compiled.guard.texts
        guard, without = compile_template(condition), compile_template(body)
        assert guard is not None and without is not None, text
        given = data(rng)
        # When the guard is asked
        verdict = _outcome(guard.function, given, None)
        rendered = _outcome(compiled.function, given, functions)
        # Then it fails as the render fails; where it prints nothing the render prints the texts,
        # elsewhere what the template without its if prints
        if verdict[0] != "ok":
            assert rendered == verdict, text
            seen["error"] += 1
        elif not verdict[1]:
            assert rendered == ("ok", list(texts)), text
            seen["false"] += 1
        else:
            assert _joined(rendered) == _joined(_outcome(without.function, given, functions)), text
            seen["true"] += 1
    assert seen["false"] > 120 and seen["true"] > 30 and seen["error"] > 3, seen


@pytest.mark.parametrize("inlined", [True, False], ids=["guard-inlined", "guard-called"])
def test_mappings_with_guarded_templates_run_as_the_interpreter_runs_them(
    inlined: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given rules whose templates are guarded and kept (they loop or call executeMapping), compiled
    # with their guards inlined, or called (as in a mapping too big to inline its templates)
    if not inlined:
        monkeypatch.setattr(compiler, "_Generator", functools.partial(compiler._Generator, inline=False))
    rng = random.Random(SEED + 42)
    engine, interpreter = (
        MappingEngine(resolver=SUB_MAPPINGS.get),
        MappingInterpreter(resolver=SUB_MAPPINGS.get),
    )
    guarded = 0
    for _ in range(1000):
        body = (
            "{{ executeMapping('sub', {'p': a})|json_encode }}"
            if rng.random() < 0.5
            else "{% for i in items %}{{ i|json_encode }}{% endfor %}"
        )
        text = _guarded(rng).replace("{% endif %}", body + "{% endif %}", 1)
        compiled = compile_template(text, True)
        guarded += compiled is not None and compiled.guard is not None
        definition = {
            "name": f"g {inlined}",  # compiled once per way
            "mapping": {"r": text, "s": "a"},
            "cast": {"r": rng.choice(["jsonToArray", "string", "unsetIfValue=="])},
        }
        given = data(rng)
        # When both run it, twice (the second run may answer from the memo)
        # Then they agree
        expected = outcome(interpreter, definition, given, False)
        assert outcome(engine, definition, given, False) == expected, (text, given)
        assert outcome(engine, definition, given, False) == expected, (text, given)
    assert guarded > 100
