"""Generated mapping × input pairs for the differential tests of the compiled mappings: inputs with
dotted and encoded keys, entities, numeric strings, floats and nesting; mappings from a pool of
templates (every tag the compiler handles, and some it leaves to Jinja), paths, literals and casts."""

from __future__ import annotations

import json
import random
from typing import Any

from openconnector_core.errors import MappingError

SEED = 20261130
PAIRS = 3000

KEYS = ["a", "b", "c", "name", "items", "value", "n", "0", "1", "#"]
KEYS += ["x.y", "a.b", "a&#46;b", "&#46;", "v&#46;w"]  # dotted and encoded keys
STRINGS = [
    "",
    "0",
    "1",
    "abc",
    "Tom & \"Jerry\" <b>'x'</b>",
    "&amp; &lt;",
    "&eacute;t&#233;",
    "1.5",
    " 42",
    "12abc",
    "null",
    "yes",
    "a\r\nb",
    "é ü ß",
    "a.b",
    "{x}",
    "-",
    "true",
    "a/b",
    "\u2603",
]
SCALARS: list[Any] = [0, 1, -3, 2.5, 3.0, -0.0, 1e20, True, False, None, 2**70]


def value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.18:
        return {rng.choice(KEYS): value(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if depth < 3 and roll < 0.3:
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.65:
        return rng.choice(STRINGS)
    return rng.choice(SCALARS)


def data(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return [value(rng, 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(KEYS): value(rng, 1) for _ in range(rng.randint(0, 6))}


PATHS = ["a", "b", "name", "items.0", "items.1.name", "a.b", "x.y", "a&#46;b", "c.a", "value", "0", "n", "zz"]
VARIABLES = ["a", "b", "name", "items", "n", "value", "c.a", "items[0]", "a.b", "_context['a.b']", "missing"]
FILTERS = [
    "",
    "|default('d')",
    "|default",
    "|upper",
    "|lower",
    "|length",
    "|json_encode",
    "|join(',')",
    "|first",
    "|last",
    "|keys|join('-')",
    "|trim",
    "|split(',')|join('+')",
    "|replace({'a': 'b'})",
    "|url_encode",
    "|b64enc",
    "|slugify",
    "|abs",
    "|round(1)",
    "|number_format(2, ',', '.')",
    "|e",
    "|raw",
    "|merge([1])|json_encode",
    "|capitalize",
    "|title",
    "|reverse|json_encode",
    "|sort|json_encode",
    "|format(1)",
    "|nosuchfilter",
]
CONDITIONS = [
    "{v}",
    "{v}|default",
    "not {v}",
    "{v} == 'abc'",
    "{v} != 0",
    "{v} is null",
    "{v} is defined",
    "{v} is iterable",
    "{v} is empty",
    "{v} in ['abc', 1]",
    "'a' in {v}",
    "{v} > 1",
    "{v} and {w}",
    "{v} or {w}",
    "{v} ~ 'x' == 'abcx'",
    "{v} matches '/^a/'",
    "{v} starts with 'a'",
]
EXPRESSIONS = [
    "{v}",
    "{v} ~ '-' ~ {w}",
    "{v} + 1",
    "{v} * 2",
    "{v} // 2",
    "{v} % 3",
    "{v} ?: 'none'",
    "{v} ?? 'unset'",
    "{v} ? 'yes' : 'no'",
    "[{v}, {w}]|json_encode",
    "{{'k': {v}}}|json_encode",
    "'lit&amp;' ~ {v}",
    '"#{{{v}}}!"',
    "max(1, 2)",
    "range(1, 3)|join",
    "attribute({v}, 'a')",
    "{v}.a",
    "{v}[1:2]",
    "{v} b-and 3",
    "-{v}",
    "'x'",
    "5",
    "true",
    "{v} is same as(1)",
    "executeMapping('sub', {{'p': {v}}})|json_encode",
    "executeMapping('subList', {v}, true)|json_encode",
    "executeMapping({{'mapping': {{'z': 'p'}}}}, {{'p': {v}}})|json_encode",
    "nosuchfunction()",
]


def expression(rng: random.Random) -> str:
    text = rng.choice(EXPRESSIONS).format(v=rng.choice(VARIABLES), w=rng.choice(VARIABLES))
    return text + (rng.choice(FILTERS) if rng.random() < 0.5 else "")


def template(rng: random.Random, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.35:
            parts.append("{{ " + expression(rng) + " }}")
        elif roll < 0.5:
            parts.append(rng.choice(["x", "&amp;", " - ", "[", ",", "]", "a\r\nb", "&#39;", "{", "&am"]))
        elif roll < 0.62 and depth < 2:
            condition = rng.choice(CONDITIONS).format(v=rng.choice(VARIABLES), w=rng.choice(VARIABLES))
            otherwise = "{% else %}" + template(rng, depth + 1) if rng.random() < 0.5 else ""
            elseif = "{% elseif " + rng.choice(VARIABLES) + " %}e" if rng.random() < 0.3 else ""
            parts.append(f"{{% if {condition} %}}{template(rng, depth + 1)}{elseif}{otherwise}{{% endif %}}")
        elif roll < 0.74 and depth < 2:
            names = rng.choice(["k, item", "item"])
            otherwise = "{% else %}none" if rng.random() < 0.3 else ""
            body = "{{ loop.index }}:{{ item|json_encode }}" + (
                template(rng, depth + 1) if rng.random() < 0.4 else ""
            )
            parts.append(f"{{% for {names} in {rng.choice(VARIABLES)} %}}{body}{otherwise}{{% endfor %}}")
        elif roll < 0.84:
            parts.append("{% set s = " + expression(rng) + " %}{{ s }}")
        elif roll < 0.9:
            parts.append("{% set s %}<" + template(rng, depth + 1) + ">{% endset %}{{ s|upper }}")
        elif roll < 0.93:
            parts.append("{% apply upper %}" + template(rng, depth + 1) + "{% endapply %}")
        elif roll < 0.97:
            parts.append("{{ [1, 2]|map(x => x * 2)|join }}")
        elif roll < 0.985:
            parts.append("{% raw %}{{ a }}{% endraw %}")
        else:
            parts.append(rng.choice(["{{ a ", "{% if a %}", "{% endfor %}", "{{ 1 + }}"]))
    return "".join(parts)


CASTS = [
    "string",
    "bool",
    "?bool",
    "int",
    "float",
    "array",
    "url",
    "rawurl",
    "html",
    "htmlDecode",
    "base64",
    "json",
    "jsonToArray",
    "utf8",
    "nullStringToNull",
    "coordinateStringToArray",
    "keyCantBeValue",
    "unsetIfValue==",
    "unsetIfValue==abc",
    "unsetIfValue==a",
    "setNullIfValue==",
    "setNullIfValue==0",
    "countValue:items",
    "moneyStringToInt",
    "intToMoneyString",
    "unknownCast",
    "int,string",
    "jsonToArray,unsetIfValue==",
]
TARGETS = ["t", "u", "a", "x.y", "x.z", "items.0", "items.5", "deep.a.b", "#", "n", "v.w", "b"]


def spec(rng: random.Random, templates: list[str]) -> Any:
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(PATHS)
    if roll < 0.75:
        return rng.choice(templates)
    if roll < 0.85:
        return rng.choice(["literal text", "Tom &amp; Jerry", "a.b.c", "instance.subject", ""])
    if roll < 0.9:
        return rng.choice([{"k": "v"}, ["a", "b"], ["name"], {"k": ["nested"]}, []])
    if roll < 0.995:
        return rng.choice([False, True, 0, 1.5, -2])
    return None


def mapping(rng: random.Random, templates: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = {"name": rng.choice(["gen", "", "Tom & co"])}
    targets = TARGETS if rng.random() < 0.97 else [*TARGETS, "12"]  # a digit-only key is an error
    result["mapping"] = {rng.choice(targets): spec(rng, templates) for _ in range(rng.randint(0, 6))}
    if rng.random() < 0.3:
        result["passThrough"] = rng.choice([True, 1, "1", False])
    if rng.random() < 0.3:
        result["unset"] = [rng.choice(TARGETS + PATHS) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.7:
        result["cast"] = {
            rng.choice(TARGETS + PATHS): rng.choice(CASTS)
            if rng.random() < 0.85
            else [rng.choice(CASTS), rng.choice(CASTS)]
            for _ in range(rng.randint(1, 4))
        }
    return result


SUB_MAPPINGS: dict[str, dict[str, Any]] = {
    "sub": {
        "name": "sub",
        "mapping": {"q": "p", "r": "{{ p|json_encode }}", "s.t": "p.a"},
        "cast": {"r": "jsonToArray"},
    },
    "subList": {"name": "subList", "mapping": {"v": "value", "w": "{{ value }}"}},
}


def strict(result: Any) -> str:
    return json.dumps(result, default=lambda other: f"<{type(other).__name__}:{other!r}>")


def outcome(engine: Any, definition: dict[str, Any], given: Any, list_mode: bool) -> str:
    try:
        return "ok " + strict(engine.run(definition, given, list_mode=list_mode))
    except MappingError as error:
        return "error " + error.message
