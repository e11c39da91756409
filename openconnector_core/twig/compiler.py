"""Twig templates compiled to one Python function each: no Jinja at render time.

The expression parser is the translator's (same operators, same runtime helpers, same PHP
semantics); only the emitted code differs: helpers, filters and tests become direct calls, functions
are looked up in the renderer's table, and the tags (``if``, ``for``, ``set``, ``do``) become Python
statements. Output is escaped and size-checked exactly as the Jinja renderer does it, so both give the
same string or the same error. Tags the compiler does not handle (``apply``, ``filter``, ``with``,
``autoescape``, arrow functions, ...) return ``None``: those templates stay on the sandboxed Jinja
renderer.

The generated source never contains a name, key or string of the template as code: strings become
escaped literals, filters/tests/helpers become fixed identifiers, and the result is checked against a
whitelist of syntax nodes and names before ``compile``.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from jinja2 import TemplateSyntaxError
from markupsafe import Markup

from .access import MISSING, UNDEFINED, attribute
from .code import Expr, Translation, jinja_string
from .environment import _compile
from .expressions import Names, PythonParser, Unsupported
from .guards import guard_of
from .lexer import Segment, Token, TwigLexer
from .limits import MAX_OUTPUT_CHARS, check_output_size, current_budget, extend_running_budget
from .loops import InlineLoop
from .reads import variables_read
from .registry import HELPERS
from .rendering import (
    PythonTemplate,
    context_of,
    emit,
    emit_json,
    execute_json,
    print_json,
    print_json_lazy,
    settle,
)
from .scoping import loop_items, loop_values
from .whitelist import check_generated


def _tokens(segments: list[Segment]) -> Iterator[Token]:
    """Every token of the template, those inside ``#{...}`` of strings included."""
    pending = [token for segment in segments for token in segment.tokens]
    while pending:
        token = pending.pop()
        yield token
        for kind, part in token.parts:
            if kind == "expr" and isinstance(part, list):
                pending.extend(part)


_NUMERIC_HELPERS = frozenset({"_add", "_sub", "_mul", "_div", "_fdiv", "_mod", "_pow", "_neg", "_pos"})


def _never_text(code: str) -> bool:
    """Whether the value of ``code`` is never a string: an array or number literal, or arithmetic
    (PHP's ``+`` of arrays is an array, everything else a number)."""
    node = ast.parse(code, mode="eval").body
    if isinstance(node, ast.Dict | ast.List):
        return True
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float, bool) or node.value is None
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _NUMERIC_HELPERS


def _may_read_loop_parent(tokens: list[Token]) -> bool:
    """Whether ``loop`` is used other than as ``loop.<name>`` with a name other than ``parent`` (or
    ``_context`` is read, which holds ``loop``), in these tokens or strings' ``#{...}`` inside them."""
    for index, token in enumerate(tokens):
        if token.kind == "name" and token.value == "_context":
            return True
        if token.kind == "name" and token.value == "loop":
            following = tokens[index + 1 : index + 3]
            if not (
                len(following) == 2
                and (following[0].kind, following[0].value) == ("punct", ".")
                and following[1].kind == "name"
                and following[1].value != "parent"
            ):
                return True
        for kind, part in token.parts:
            if kind == "expr" and isinstance(part, list) and _may_read_loop_parent(part):
                return True
    return False


_PATH_CODE = re.compile(r"_a\(_c(?:, (?:'[^'\\]*'|[0-9]+))+\)|_c\.get\('[^'\\]*', _U\)")


class _Writer:
    """Python statements with indentation and the output buffer in use (root or a captured block)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.buffers: list[str] = []  # captured {% set %} blocks, innermost last
        self.counter = 0

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def count(self) -> int:
        self.counter += 1
        return self.counter

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{self.count()}"

    def output(self, code: str, length: int | None = None) -> None:
        if self.buffers:  # a captured block is not streamed (as in Jinja), so not size-checked
            self.line(f"{self.buffers[-1]}.append({code})")
            return
        if length is None:
            self.line(f"_s = {code}")
            self.line("_w(_s)")
            self.line("_n += len(_s)")
        else:
            self.line(f"_w({code})")
            self.line(f"_n += {length}")
        self.line(f"if _n > {MAX_OUTPUT_CHARS}:")
        self.line("    _n = _settle(_out)")


class _Compiler:
    def __init__(self, source: str, lazy_json: bool = False) -> None:
        self.source = source
        self.lazy_json = lazy_json  # printed executeMapping(...)|json_encode as LazyJson
        self.names = Names()
        self.translation = Translation(source="")
        self.out = _Writer()
        # (tag, extra) per open block: ("if", ""), ("for", else-flag name), ("set", name), ("block", "")
        self.stack: list[tuple[str, str]] = []  # (tag, extra): a set's name
        self.empty: list[bool] = []  # per open Python block: nothing emitted yet
        # The template changes its variables ({% set %}, {% for %}): it gets a copy of the input.
        self.mutates = False
        self.pure = False
        self.reads_loop = True
        self.reads_loop_parent = True
        self.loops: list[InlineLoop] = []  # the open {% for %} blocks, innermost last
        # Per open {% if %}: (code of the path its condition read, the local holding its value).
        self.known: list[tuple[str, str]] = []

    def compile(self) -> PythonTemplate:
        lexer = TwigLexer(self.source)
        segments = lexer.tokenize()
        names = {token.value for token in _tokens(segments) if token.kind == "name"}
        self.reads_loop = bool(names & {"loop", "_context"})
        self.reads_loop_parent = self.reads_loop and any(
            _may_read_loop_parent(segment.tokens) for segment in segments
        )
        # Without {% set %}, {% for %} or _context the variables never change during a render: the
        # input is read directly, and a path tested by an {% if %} is read once for its body too.
        self.pure = not (names & {"set", "for", "_context", "with", "apply", "filter", "do"})
        for segment in segments:
            if segment.kind in ("text", "raw"):
                self.text(segment)
            elif segment.kind == "var":
                self.print(segment)
            else:
                self.block(segment)
        if self.stack:
            raise Unsupported("unclosed block")
        body = "\n".join(self.out.lines)
        guard = guard_of(lexer.source, segments)  # the source as lexed: its newlines normalized
        code = (
            "def render(data, _fns):\n"
            + (
                "    _c = _context(data)\n"
                if self.mutates or self.names.whole_context
                else "    _c = data if type(data) is dict else _context(data)\n"
            )
            + "    _out = []\n"
            "    _w = _out.append\n"
            "    _n = 0\n"
            f"{body}\n"
            "    return _out\n"
        )
        check_generated(code)
        namespace: dict[str, Any] = {
            "__builtins__": {"len": len},
            **{name: HELPERS[name] for name in HELPERS},
            **self.names.bound,
            "_e": emit,
            "_M": Markup,
            "_size": check_output_size,
            "_xj": execute_json,
            "_ej": emit_json,
            "_pj": print_json_lazy if self.lazy_json else print_json,
            "_settle": settle,
            "_U": UNDEFINED,
            "_ak": attribute,
            "_budget": current_budget,
            "_items": loop_items,
            "_values": loop_values,
            "_X": MISSING,
            "enumerate": enumerate,
            "list": list,
            "_context": context_of,
            "type": type,
            "dict": dict,
            "str": str,
            "int": int,
        }
        exec(compile(code, "<twig>", "exec"), namespace)  # noqa: S102 — generated and checked above
        return PythonTemplate(
            namespace["render"],
            frozenset(self.names.functions),
            code,
            variables_read(code),
            guard,
        )

    # ------------------------------------------------------------------ segments

    def _mark_used(self) -> None:
        if self.empty:
            self.empty[-1] = False

    def text(self, segment: Segment) -> None:
        if segment.text:
            self._mark_used()
            self.out.output(repr(segment.text), len(segment.text))

    def parser(self, segment: Segment) -> PythonParser:
        return PythonParser(segment.tokens, self.translation, self.names)

    def print(self, segment: Segment) -> None:
        parser = self.parser(segment)
        expr = parser.parse_expression()
        parser.expect_end()
        self._mark_used()
        code = self._literals_safe(parser, expr)
        # _pj prints the JSON unescaped (and may carry its value along): what escaping and the
        # render's final decoding give back, except in a captured block, which keeps the escaped text
        fused = code in self.names.fused and code.startswith("_xj(") and not self.out.buffers
        for path, name in self.known:
            if path and path in code:
                code = code.replace(path, name)
        if fused:
            self.out.output(f"_pj({code[len('_xj(') :]}")
        else:
            self.out.output(f"_e({code})")

    def _literals_safe(self, parser: PythonParser, expr: Expr) -> str:
        # Twig's escaper leaves printed literals (and literal branches of ?:) unescaped.
        if expr.constant:
            return parser.h("_raw_const", expr.code)
        if expr.branches is not None:
            then, otherwise = expr.branches
            if then.constant or otherwise.constant:
                return (
                    f"({self._literals_safe(parser, then)} if {expr.condition} "
                    f"else {self._literals_safe(parser, otherwise)})"
                )
        return expr.code

    def block(self, segment: Segment) -> None:
        parser = self.parser(segment)
        tag = parser.advance().value if parser.test("name") else ""
        handler = getattr(self, f"tag_{tag}", None)
        if handler is None:
            raise Unsupported(f"tag {tag}")
        handler(parser)
        parser.expect_end()

    # ------------------------------------------------------------------ tags

    def _open(self, header: str) -> None:
        self.out.line(header)
        self.out.depth += 1
        self.empty.append(True)

    def _close(self) -> None:
        if self.empty.pop():
            self.out.line("pass")
        self.out.depth -= 1

    def _expect_open(self, tag: str) -> tuple[str, str]:
        if not self.stack or self.stack[-1][0] != tag:
            raise Unsupported(f"unexpected end of {tag}")
        return self.stack[-1]

    def tag_if(self, parser: PythonParser) -> None:
        self._mark_used()
        self.stack.append(("if", ""))
        expr = parser.parse_expression()
        tested = parser.names.defaults.get(expr.code, expr.code)
        if self.pure and (tested in parser.names.paths or _PATH_CODE.fullmatch(tested)):
            # {% if a.b|default %}{{ a.b }}{% endif %}: the path is read once, for both.
            name = self.out.fresh("_p")
            self.out.line(f"{name} = {tested}")
            self.known.append((tested, name))
            self._open(f"if {parser.h('_t', name)}:")
            return
        self.known.append(("", ""))
        self._open(f"if {parser.truth(expr)}:")

    def tag_elseif(self, parser: PythonParser) -> None:
        self._expect_open("if")
        self.known[-1] = ("", "")
        condition = parser.truth(parser.parse_expression())
        self._close()
        self._open(f"elif {condition}:")

    tag_elif = tag_elseif

    def tag_else(self, parser: PythonParser) -> None:
        if not self.stack or self.stack[-1][0] not in ("if", "for"):
            raise Unsupported("else")
        if self.stack[-1][0] == "if":
            self._close()
            self.known[-1] = ("", "")
            self._open("else:")
            return
        loop = self.loops[-1]
        if loop.flag:
            raise Unsupported("second else")
        # Jinja's for-else: the flag is set before the loop and cleared at the end of each iteration.
        loop.flag = self.out.fresh("_i")
        self.out.line(f"{loop.flag} = 0")
        self._end_loop(loop)
        self._open(f"if {loop.flag}:")

    def tag_endif(self, parser: PythonParser) -> None:
        self._expect_open("if")
        self.stack.pop()
        self.known.pop()
        self._close()

    def tag_for(self, parser: PythonParser) -> None:
        self.mutates = True
        key_name, value_name, sequence = parser.parse_for_header()
        self._mark_used()
        for name in (key_name, value_name):
            if name:
                self._assigned(name)
        loop = InlineLoop(
            number=self.out.count(),
            header=len(self.out.lines),
            indent="    " * self.out.depth,
            key_name=key_name,
            value_name=value_name,
            with_loop=self.reads_loop,
            with_parent=self.reads_loop_parent,
        )
        if loop.with_loop:
            self._assigned("loop")
        self.loops.append(loop)
        self.stack.append(("for", ""))
        *before, header = loop.head(sequence.code)
        for line in before:
            self.out.line(line)
        self._open(header)
        for line in loop.preamble():
            self.out.line(line)
        self._mark_used()

    def _end_loop(self, loop: InlineLoop) -> None:
        """Close the loop's body: restore the context after it and save what that needs before it."""
        self._close()
        for line in loop.tail():
            self.out.line(line)
        prepared = loop.saves() + ([f"{loop.indent}{loop.flag} = 1"] if loop.flag else [])
        self.out.lines[loop.header : loop.header] = prepared
        loop.in_body = False

    def _assigned(self, name: str) -> None:
        for loop in self.loops:
            loop.assign(name)

    def tag_endfor(self, parser: PythonParser) -> None:
        self._expect_open("for")
        self.stack.pop()
        loop = self.loops.pop()
        if loop.flag:
            self._close()
        else:
            self._end_loop(loop)

    def tag_set(self, parser: PythonParser) -> None:
        self.mutates = True
        names, values = parser.parse_set_header()
        self._mark_used()
        for name in names:
            self._assigned(name)
        if values is not None:
            for name, value in zip(names, values, strict=True):
                if _never_text(value):  # what assign() checks and converts are strings
                    self.out.line(f"_c[{jinja_string(name)}] = {value}")
                else:
                    self.out.line(parser.h("_set", "_c", jinja_string(name), value, "False"))
            return
        buffer = self.out.fresh("_b")
        self.out.line(f"{buffer} = []")
        self.out.buffers.append(buffer)
        self.stack.append(("set", names[0]))

    def tag_endset(self, parser: PythonParser) -> None:
        _, name = self._expect_open("set")
        self.stack.pop()
        buffer = self.out.buffers.pop()
        self.out.line(parser.h("_set", "_c", jinja_string(name), f"_M(''.join({buffer}))", "True"))

    def tag_do(self, parser: PythonParser) -> None:
        self._mark_used()
        self.out.line(parser.parse_expression().code)

    def tag_block(self, parser: PythonParser) -> None:
        parser.expect("name")
        self.stack.append(("block", ""))

    def tag_endblock(self, parser: PythonParser) -> None:
        if parser.test("name"):
            parser.advance()
        self._expect_open("block")
        self.stack.pop()


# ---------------------------------------------------------------------- cache and rendering

TEMPLATE_CACHE_SIZE = 1024


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def compile_template(template_text: str, lazy_json: bool = False) -> PythonTemplate | None:
    """The Python function of a template, or ``None`` when only the Jinja renderer takes it (which
    then also reports its syntax errors, in its words). ``lazy_json``: its printed
    ``executeMapping(...)|json_encode`` may be a LazyJson, for a render only ``finish_value`` reads."""
    try:
        _compile(template_text, True)  # the Jinja renderer must accept it too: same errors, same rules
    except Exception:  # its error is raised again, at render time, by that renderer
        return None
    started = time.monotonic()
    try:
        return _Compiler(template_text, lazy_json).compile()
    except (Unsupported, TemplateSyntaxError, SyntaxError, ValueError, RecursionError):
        return None
    finally:  # compiling is a one-off cost of the process, not the running mapping's
        extend_running_budget(time.monotonic() - started)
