"""The Twig expression parser emitting Python (for :mod:`.compiler`) instead of Jinja: helpers, filters
and tests become direct calls to fixed identifiers, functions are looked up in the renderer's table,
variables are read with ``_c.get``, and ``executeMapping(...)|json_encode`` becomes the engine's
one-step function."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from .code import Expr, Translation, jinja_string
from .environment import _environment
from .filters import f_default, f_json_encode
from .grammar import HELPER
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


_PURE_READ = re.compile(r"_c\.get\('[^'\\]*', _U\)")  # a variable: cannot fail or change anything


def _inline_path(keys: tuple[str, ...]) -> str | None:
    """``_a(_c, 'k1', k2, …)`` as straight look-ups, each step what ``_a`` does for it: ``.get`` on
    plain dicts for string keys, an index into lists for integer keys, :func:`attribute` on anything
    else; a key that is a variable is handed to :func:`attribute` (keys cannot fail, so reading them
    step by step instead of all first changes nothing). ``None`` when the first key is not a string
    literal without a leading ``__``, or a later key is neither a literal nor a variable (dunder keys
    are refused by :func:`attribute`, which they go to)."""
    steps: list[str | int | None] = []  # a literal key, or None for a variable's (its code in keys)
    for code in keys:
        try:
            key = ast.literal_eval(code)
        except (ValueError, SyntaxError):
            if not steps or not _PURE_READ.fullmatch(code):
                return None
            steps.append(None)
            continue
        string = type(key) is str and not key.startswith("__")
        if not (string or (type(key) is int and key >= 0 and steps)):
            return None
        steps.append(key)
    first = steps[0]
    if type(first) is not str:
        return None
    inline = f"_c.get({first!r}, _U)"  # the context is a dict (a TwigContext)
    for code, key in zip(keys[1:], steps[1:], strict=True):
        # an undefined value or null gives undefined under a literal key (not a dunder one): no call
        if type(key) is str:
            inline = (
                f"(_q.get({key!r}, _U) if type(_q := {inline}) is dict"
                f" else _U if _q is _U or _q is None else _ak(_q, {key!r}))"
            )
        elif type(key) is int:
            inline = (
                f"(_q[{key}] if type(_q := {inline}) is list and len(_q) > {key}"
                f" else _U if _q is _U or _q is None else _ak(_q, {key}))"
            )
        else:  # a variable key (a pure read, so read again when needed): undefined stays undefined
            inline = (
                f"(_U if (_q := {inline}) is _U and type(_qk := {code}) is str and _qk[:2] != '__'"
                f" else _ak(_q, {code}))"
            )
    return inline


def _inline_truth(code: str) -> str:
    """PHP truthiness: strings and undefined values (most of what templates test) without a call."""
    return f"(_r != '' and _r != '0' if type(_r := {code}) is str else _r is not _U and _t(_r))"


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
        if name == "_t" and not rest:
            return _inline_truth(first)
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

    def combine(self, operator: str, left: Expr, right: Expr) -> Expr:
        if operator in ("starts with", "ends with"):
            # Twig: is_string($a = L) && is_string($b = R) && …: no R unless L is a string
            test = self.h(HELPER[operator], "_sw", right.code)
            return Expr(f"({test} if {self.h('_is_str', f'(_sw := {left.code})')} else False)", boolean=True)
        return super().combine(operator, left, right)

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

    def emit_keyword(self, name: str, value: str) -> str:
        return f"**{{{jinja_string(name)}: {value}}}"

    def parse_arrow(self, params: list[str]) -> Expr:
        raise Unsupported("arrow function")
