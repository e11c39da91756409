"""The whitelist of what compiled templates may contain (defence in depth): the syntax nodes, names,
attributes and subscripts :mod:`.compiler` emits, checked on the generated source before ``compile``
(and on what :mod:`.inline` makes of it)."""

from __future__ import annotations

import ast
import re

from .expressions import Unsupported
from .registry import HELPERS

_NODES = (
    ast.Module,
    ast.FunctionDef,
    ast.arguments,
    ast.arg,
    ast.Assign,
    ast.AugAssign,
    ast.Expr,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Subscript,
    ast.If,
    ast.For,
    ast.Compare,
    ast.BoolOp,
    ast.UnaryOp,
    ast.IfExp,
    ast.Dict,
    ast.List,
    ast.keyword,
    ast.Return,
    ast.Pass,
    ast.Load,
    ast.Store,
    ast.And,
    ast.Or,
    ast.Not,
    ast.Gt,
    ast.NotEq,
    ast.Add,
    ast.Attribute,
    ast.Is,
    ast.NamedExpr,
    ast.Eq,
    ast.Tuple,
    ast.BinOp,
    ast.Sub,
    ast.BitAnd,
    ast.IsNot,
    ast.Slice,
)
_FIXED_NAMES = frozenset(
    {"render", "data", "_c", "_fns", "_out", "_w", "_n", "_s", "_", "_e", "_M", "_size", "_settle", "len"}
    | {"_xj", "_ej", "_pj", "_U", "_context", "type", "dict", "_q", "_qk", "_ak", "_r", "str", "int"}
    | {"_budget", "_items", "_values", "_X", "enumerate", "list", "_sw"}
)
_GENERATED_NAME = re.compile(r"_[bipftgklvxyz][0-9]+|_o[0-9]+_[0-9]+")
_LOOP_BUDGET = re.compile(r"_g[0-9]+")
_BUFFER = re.compile(r"_out|_b[0-9]+")


def check_generated(code: str) -> None:
    """Refuse generated code that steps outside what the compiler emits (defence in depth)."""
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, _NODES):
            raise Unsupported(f"generated {type(node).__name__}")
        if isinstance(node, ast.Attribute):
            if not (
                (
                    node.attr == "append"
                    and isinstance(node.value, ast.Name)
                    and _BUFFER.fullmatch(node.value.id)
                )
                or (node.attr == "join" and isinstance(node.value, ast.Constant) and node.value.value == "")
                or (node.attr == "get" and isinstance(node.value, ast.Name) and node.value.id in ("_c", "_q"))
                or (node.attr == "pop" and isinstance(node.value, ast.Name) and node.value.id == "_c")
                or (
                    node.attr in ("iterations", "tick")
                    and isinstance(node.value, ast.Name)
                    and _LOOP_BUDGET.fullmatch(node.value.id)
                )
            ):
                raise Unsupported("generated attribute")
        elif isinstance(node, ast.Name):
            name = node.id
            if not (name in _FIXED_NAMES or name in HELPERS or _GENERATED_NAME.fullmatch(name)):
                raise Unsupported(f"generated name {name}")
        elif isinstance(node, ast.Subscript) and not (
            isinstance(node.value, ast.Name)
            and (
                node.value.id in ("_c", "_fns")
                or (node.value.id == "_q" and isinstance(node.slice, ast.Constant))  # a list index
                or (node.value.id == "_qk" and isinstance(node.slice, ast.Slice))  # a key's dunder check
            )
        ):
            raise Unsupported("generated subscript")
