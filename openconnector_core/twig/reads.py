"""Which variables a compiled template reads: its output depends on the render's data only through
them (``mapping.memo`` keys a kept render by their values instead of by all the data).

Found in the generated code: every use of the context ``_c`` must be a read of a named variable
(``_c.get('x', …)``, ``_a(_c, 'x', …)``, ``_c['x']``) or a write (``_c['x'] = …``, ``_c.pop('x', …)``,
``_set(_c, 'x', …)``). Anything else — ``_context``, ``loop.parent`` (a copy of the whole context), a
computed name — reads an unknown part of the data: ``None``.
"""

from __future__ import annotations

import ast


def variables_read(code: str) -> frozenset[str] | None:
    """The names of the variables the render function in ``code`` reads, or ``None`` if unknown."""
    body = ast.parse(code).body[0]
    if not isinstance(body, ast.FunctionDef) or not body.body:
        return None
    statements = body.body[1:]  # the first binds _c to the data (or its context)
    names: set[str] = set()
    parents: dict[ast.AST, ast.AST] = {}
    for statement in statements:
        for node in ast.walk(statement):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
    for statement in statements:
        for node in ast.walk(statement):
            if not isinstance(node, ast.Name) or node.id not in ("_c", "data"):
                continue
            if node.id == "data" or not isinstance(node.ctx, ast.Load):
                return None
            use = _use(node, parents)
            if use is None:
                return None
            if use:
                names.add(use)
    return frozenset(names)


def _use(node: ast.Name, parents: dict[ast.AST, ast.AST]) -> str | None:
    """The variable a use of ``_c`` reads, ``""`` for a write, ``None`` for anything else."""
    parent = parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.attr in ("get", "pop"):
        call = parents.get(parent)
        if isinstance(call, ast.Call) and call.func is parent and call.args:
            key = _constant(call.args[0])
            if key is not None:
                return key if parent.attr == "get" else ""
        return None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        key = _constant(parent.slice)
        if key is None:
            return None
        return "" if isinstance(parent.ctx, ast.Store) else key
    if isinstance(parent, ast.Call) and parent.args and parent.args[0] is node and len(parent.args) > 1:
        key = _constant(parent.args[1])
        if isinstance(parent.func, ast.Name) and key is not None:
            if parent.func.id == "_a":
                return key
            if parent.func.id == "_set":
                return ""
    return None


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and type(node.value) is str else None
