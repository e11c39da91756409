"""Compiled templates as statements to inline into a compiled mapping's function (issue 13).

A template that neither loops nor calls functions (most of a mapping's templates: ``{% if x.y|default
%}{{ x.y }}{% endif %}``) is run by the mapping's own code instead of a render call: its compiled
body, with its names renamed so that many templates share one function. A body printing at most one
chunk on every path keeps that chunk (or ``''``) in ``_out`` instead of a list; the caller finishes
it (:meth:`Inliner.statements` says how). The body is the compiled template's, checked by the
compiler's whitelist after the rewrite; the renaming only maps names to names.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .compiler import TEMPLATE_CACHE_SIZE, compile_template
from .escaping import raw_constant
from .expressions import Unsupported
from .limits import MAX_OUTPUT_CHARS
from .rendering import emit
from .whitelist import check_generated

# Names of the render function's output protocol (see compiler._Writer.output).
_OUT, _WRITE, _SIZE, _CHUNK, _TOTAL = "_out", "_w", "_size", "_s", "_n"


@dataclass(frozen=True)
class InlineTemplate:
    body: tuple[ast.stmt, ...]  # the render's statements, its output left in ``_out``
    single: bool  # ``_out`` is the one printed chunk (``''`` if none), else the list of chunks
    namespace: Mapping[str, Any]  # the template's global names (its builtins included)
    locals: frozenset[str]  # the names it assigns (``data`` is its input)


def _name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _writes(statement: ast.stmt) -> ast.expr | None:
    """The chunk of a ``_w(chunk)`` statement."""
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        if _name(call.func, _WRITE) and len(call.args) == 1 and not call.keywords:
            return call.args[0]
    return None


def _most_chunks(statements: list[ast.stmt]) -> int:
    """The most chunks printed on one path through ``statements`` (no loops: see inline_template)."""
    total = 0
    for statement in statements:
        if _writes(statement) is not None:
            total += 1
        elif isinstance(statement, ast.If):
            total += max(_most_chunks(statement.body), _most_chunks(statement.orelse))
    return total


def _is_size_check(statement: ast.stmt) -> bool:
    """``if _n > MAX: _size(_n)``"""
    return (
        isinstance(statement, ast.If)
        and isinstance(statement.test, ast.Compare)
        and _name(statement.test.left, _TOTAL)
    )


def _size_check() -> ast.stmt:
    length = f"len({_OUT})"
    return ast.parse(f"if {length} > {MAX_OUTPUT_CHARS}:\n    {_SIZE}({length})").body[0]


def _single(statements: list[ast.stmt]) -> list[ast.stmt]:
    """The statements with ``_out`` holding the one chunk printed: ``_s = x; _w(_s); _n += len(_s);
    if _n > MAX: _size(_n)`` becomes ``_out = x; if len(_out) > MAX: _size(len(_out))``, and a literal
    chunk's check (of a known length) goes when that length is within the limit."""
    result: list[ast.stmt] = []
    literal = False  # the last chunk written is a literal string
    for statement in statements:
        chunk = _writes(statement)
        if chunk is not None:
            previous = result[-1] if result else None
            if (
                _name(chunk, _CHUNK)
                and isinstance(previous, ast.Assign)
                and len(previous.targets) == 1
                and _name(previous.targets[0], _CHUNK)
            ):
                chunk = previous.value
                result.pop()
            literal = (
                isinstance(chunk, ast.Constant)
                and type(chunk.value) is str
                and len(chunk.value) <= MAX_OUTPUT_CHARS
            )
            result.append(ast.Assign(targets=[ast.Name(_OUT, ast.Store())], value=chunk))
        elif isinstance(statement, ast.AugAssign) and _name(statement.target, _TOTAL):
            continue
        elif isinstance(statement, ast.If) and _name(
            getattr(statement.test, "left", None) or statement, _TOTAL
        ):
            if not literal:
                result.append(_size_check())
        elif isinstance(statement, ast.If):
            statement.body = _single(statement.body) or [ast.Pass()]
            statement.orelse = _single(statement.orelse)
            result.append(statement)
        else:
            result.append(statement)
    return result


class _PrintedLiterals(ast.NodeTransformer):
    """``_e(_raw_const('text'))`` (a printed string literal) as the text it prints: the chunk is
    known when the template compiles (and joined, a chunk is its text)."""

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if _name(node.func, "_e") and len(node.args) == 1 and not node.keywords:
            inner = node.args[0]
            if (
                isinstance(inner, ast.Call)
                and _name(inner.func, "_raw_const")
                and len(inner.args) == 1
                and not inner.keywords
                and isinstance(inner.args[0], ast.Constant)
                and type(inner.args[0].value) is str
            ):
                return ast.copy_location(
                    ast.Constant("".join((emit(raw_constant(inner.args[0].value)),))), node
                )
        return node


def _stripped(function: ast.FunctionDef, single: bool) -> list[ast.stmt]:
    """The render's statements without its ``return``; with ``single``, without the list and count."""
    body = [
        _PrintedLiterals().visit(statement)
        for statement in function.body
        if not isinstance(statement, ast.Return)
    ]
    if not single:
        return body
    kept: list[ast.stmt] = []
    for statement in body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if _name(target, _OUT):
                kept.append(ast.Assign(targets=[target], value=ast.Constant("")))
                continue
            if _name(target, _WRITE) or _name(target, _TOTAL):
                continue
        kept.append(statement)
    return _single(kept)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def inline_template(template_text: str) -> InlineTemplate | None:
    """The template as statements to inline, or ``None`` when it loops, calls functions or does not
    compile (it keeps its render call, or the Jinja renderer)."""
    template = compile_template(template_text)
    if template is None or template.functions:
        return None
    function = ast.parse(template.source).body[0]
    if not isinstance(function, ast.FunctionDef):
        return None
    ending = function.body[-1]
    if any(
        isinstance(node, ast.For | ast.Return)
        for statement in function.body[:-1]
        for node in ast.walk(statement)
    ):
        return None
    single = _most_chunks(function.body) <= 1
    body = _stripped(function, single)
    function.body = [*body, ending]  # what is inlined, as a render function: the whitelist's input
    try:
        check_generated(ast.unparse(ast.fix_missing_locations(function)))
    except Unsupported:  # a rewrite the whitelist refuses: the template keeps its render call
        return None
    assigned = frozenset(
        node.id
        for statement in body
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    )
    used = {node.id for statement in body for node in ast.walk(statement) if isinstance(node, ast.Name)}
    if (single and used & {_WRITE, _TOTAL, _CHUNK}) or "_fns" in used:
        return None  # output written some other way than the writer's: keep the render call
    scope = template.function.__globals__
    namespace = {
        **scope["__builtins__"],
        **{key: value for key, value in scope.items() if key != "__builtins__"},
    }
    if not used - assigned - {"data"} <= namespace.keys():
        return None
    return InlineTemplate(tuple(body), single, namespace, assigned)


class Inliner:
    """Renames inlined templates into one function: each template's locals get its own prefix
    (``_t3_c``), its globals a shared name per object (``_tw_e``; builtins of the host keep theirs),
    collected in :attr:`namespace` for the host function's globals."""

    def __init__(self, host_builtins: Mapping[str, Any]) -> None:
        self.host_builtins = host_builtins
        self.namespace: dict[str, Any] = {}
        self._names: dict[int, str] = {}
        self.count = 0

    def _global(self, name: str, value: Any) -> str:
        if self.host_builtins.get(name, self) is value:
            return name
        known = self._names.get(id(value))
        if known is not None:
            return known
        fresh = f"_tw{name}"
        while fresh in self.namespace:
            fresh = f"{fresh}_"
        self._names[id(value)] = fresh
        self.namespace[fresh] = value
        return fresh

    def statements(self, template: InlineTemplate) -> tuple[list[str], str]:
        """The template's statements (unindented lines) and the name of its output: a ``str`` or
        another printed chunk when ``template.single`` (finish it as ``''.join((out,))``), else the
        list of chunks. The run's time check, the join and the entity decoding are the caller's."""
        self.count += 1
        prefix = f"_t{self.count}"
        rename: Callable[[str], str] = lambda name: (  # noqa: E731
            name
            if name == "data"
            else f"{prefix}{name}"
            if name in template.locals
            else self._global(name, template.namespace[name])
        )

        class Renamer(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.Name:
                return ast.copy_location(ast.Name(rename(node.id), node.ctx), node)

        body = [Renamer().visit(copy.deepcopy(statement)) for statement in template.body]
        module = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
        return ast.unparse(module).splitlines(), rename(_OUT)
