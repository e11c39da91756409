"""The Twig expression parser emitting Python (for :mod:`.compiler`) instead of Jinja: helpers, filters
and tests become direct calls to fixed identifiers, functions are looked up in the renderer's table,
variables are read with ``_c.get``, and ``executeMapping(...)|json_encode`` becomes the engine's
one-step function."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from .code import Expr, Translation, jinja_string
from .environment import _environment
from .filters import f_default, f_json_encode
from .lexer import Token
from .parser import ExpressionParser
from .registry import HELPERS


class Unsupported(Exception):
    """The template uses something only the Jinja renderer handles."""


class Names:
    """Identifiers for the filters and tests a template uses (bound when the code is compiled)."""

    def __init__(self) -> None:
        self.bound: dict[str, Any] = {}
        self.functions: set[str] = set()
        self.calls: dict[str, tuple[str, tuple[str, ...]]] = {}  # code of a function call → (name, arguments)
        self.defaults: dict[str, str] = {}  # code of x|default → code of x
        self.fused: set[str] = set()  # codes of executeMapping(...)|json_encode
        self.whole_context = False  # the template reads _context itself
        self.paths: set[str] = set()  # codes of attribute chains on the context, inlined
        self._ids: dict[tuple[str, str], str] = {}

    def bind(self, kind: str, name: str, table: Mapping[str, Any]) -> str:
        key = (kind, name)
        if key not in self._ids:
            function = table.get(name)
            if function is None or getattr(function, "jinja_pass_arg", None) is not None:
                raise Unsupported(f"{kind} {name}")
            identifier = f"_{kind}{len(self._ids)}"
            self._ids[key] = identifier
            self.bound[identifier] = function
        return self._ids[key]


def _inline_path(keys: tuple[str, ...]) -> str | None:
    """``_a(_c, 'k1', 'k2', …)`` as straight look-ups: ``.get`` on plain dicts, :func:`attribute` on
    anything else (what ``_a`` does step by step); ``None`` unless every key is a string literal
    without a leading ``__`` (numbers index lists, dunder keys are refused: both stay with ``_a``)."""
    names = []
    for code in keys:
        try:
            key = ast.literal_eval(code)
        except (ValueError, SyntaxError):
            return None
        if type(key) is not str or key.startswith("__"):
            return None
        names.append(key)
    inline = f"_c.get({names[0]!r}, _U)"  # the context is a dict (a TwigContext)
    for key in names[1:]:
        inline = f"(_q.get({key!r}, _U) if type(_q := {inline}) is dict else _ak(_q, {key!r}))"
    return inline


def _inline_equality(name: str, left: str, right: str) -> str | None:
    """``x == 'text'`` / ``x != 0`` as Python's ``==`` / ``!=`` when ``x`` turns out to have the
    literal's type (PHP compares two integers, or two strings one of which is not numeric — a literal
    without digits — as Python does), ``_eq`` / ``_ne`` otherwise; ``None`` for other operands."""
    for literal, other, literal_first in ((right, left, False), (left, right, True)):
        try:
            value = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            continue
        if type(value) is str and not any(character.isdigit() for character in value):
            kind = "str"
        elif type(value) is int:
            kind = "int"
        else:
            continue
        operator = "==" if name == "_eq" else "!="
        fallback = f"{name}({value!r}, _r)" if literal_first else f"{name}(_r, {value!r})"
        return f"(_r {operator} {value!r} if type(_r := {other}) is {kind} else {fallback})"
    return None


class PythonParser(ExpressionParser):
    def __init__(self, tokens: list[Token], translation: Translation, names: Names) -> None:
        super().__init__(tokens, translation, lambda name: True)
        self.names = names
        self.inline_if_allowed = True

    def sub_parser(self, tokens: list[Token]) -> PythonParser:
        return PythonParser(tokens, self.translation, self.names)

    def h(self, name: str, first: str, *rest: str) -> str:
        if name not in HELPERS:
            raise Unsupported(name)
        if name == "_a" and first == "_c" and rest:
            inline = _inline_path(rest)
            if inline is not None:
                self.names.paths.add(inline)
                return inline
        if (name == "_eq" or name == "_ne") and len(rest) == 1:
            inline = _inline_equality(name, first, rest[0])
            if inline is not None:
                return inline
        return f"{name}({', '.join((first, *rest))})"

    def emit_test(self, subject: str, name: str, arguments: list[str] | None) -> str:
        test = self.names.bind("t", name, _environment(True).tests)
        return f"{test}({', '.join((subject, *(arguments or ())))})"

    def emit_filter(self, value: str, name: str, arguments: list[str]) -> str:
        filters = _environment(True).filters
        call = self.names.calls.get(value)
        fused = name == "json_encode" and filters.get(name) is f_json_encode
        if fused and not arguments and call is not None and call[0] == "executeMapping":
            code = f"_xj({', '.join(('_fns', *call[1]))})"
            self.names.fused.add(code)
            return code
        function = self.names.bind("f", name, filters)
        code = f"{function}({', '.join((value, *arguments))})"
        if name == "default" and not arguments and filters.get(name) is f_default:
            self.names.defaults[code] = value
        return code

    def emit_call(self, name: str, arguments: list[str]) -> str:
        self.names.functions.add(name)
        code = f"_fns[{jinja_string(name)}]({', '.join(arguments)})"
        self.names.calls[code] = (name, tuple(arguments))
        return code

    def truth(self, expr: Expr) -> str:
        # PHP truthiness of x|default is the truthiness of x: the default ('') is falsy, as is every
        # value the filter replaces.
        inner = self.names.defaults.get(expr.code)
        if inner is not None and not expr.boolean:
            return self.h("_t", inner)
        return super().truth(expr)

    def variable(self, key: str) -> str:
        return f"_c.get({key}, _U)"

    def context(self) -> str:
        self.names.whole_context = True
        return "_c"

    def emit_number(self, text: str) -> str:
        if any(c in text for c in ".eE"):
            return repr(float(text))
        return repr(int(text.replace("_", ""), 0))  # as Jinja's lexer reads an integer

    def emit_keyword(self, name: str, value: str) -> str:
        return f"**{{{jinja_string(name)}: {value}}}"

    def parse_arrow(self, params: list[str]) -> Expr:
        raise Unsupported("arrow function")
