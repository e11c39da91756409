"""The code the parser emits: expressions with what the translation needs to know of them, the
translation of a template, and how helpers and string literals are written."""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError


@dataclass
class Expr:
    code: str
    constant: bool = False  # a literal (Twig does not escape printed literals)
    branches: tuple[Expr, Expr] | None = None  # for conditionals: (then, else)
    condition: str = ""
    boolean: bool = False  # the code already yields a Python bool (no truthiness conversion needed)
    path: tuple[str, list[str]] | None = None  # (base code, keys) of an attribute chain
    definable: bool = False  # an array, hash or method call: Twig's "defined" test accepts it


def check_definable(expr: Expr, line: int) -> None:
    """Twig's ``is defined`` (and ``??``, built on it) only takes variables, attributes, literals and
    arrays; anything else (a filter, an operation) is a syntax error."""
    if expr.path is None and not expr.constant and not expr.definable:
        raise TemplateSyntaxError('The "defined" test only works with simple variables.', line)


def truth(expr: Expr) -> str:
    """Code for PHP truthiness of ``expr``."""
    return expr.code if expr.boolean else helper("_t", expr.code)


def helper(name: str, first: str, *rest: str) -> str:
    """A call of a runtime helper, emitted as a Jinja filter: filters are called directly, without
    the sandbox's per-call checks (the helpers are ours; user filters cannot start with ``_``)."""
    return f"({first})|{name}({', '.join(rest)})" if rest else f"({first})|{name}"


@dataclass
class Translation:
    source: str  # Jinja source
    arrows: list[tuple[tuple[str, ...], str]] = field(default_factory=list)  # (params, jinja expression)
    functions: set[str] = field(default_factory=set)  # names of the functions the template calls


def jinja_string(text: str) -> str:
    """A Jinja string literal for ``text`` that never contains delimiters or quotes."""
    out = ["'"]
    for char in text:
        if (char.isalnum() and char.isascii()) or char in " _-.,:;/@!?()[]<>=+*&^$|~`":
            out.append(char)
        elif ord(char) > 0xFFFF:
            out.append(f"\\U{ord(char):08x}")
        else:
            out.append(f"\\u{ord(char):04x}")
    out.append("'")
    return "".join(out)
