"""``executeMapping(...)|json_encode`` in one walk.

A sub-mapping's result is finished (``&#46;`` decoded, ``0..n-1`` keys as lists), measured against
the run's size and depth limits and normalised for JSON; done one after the other that is three
walks over a tree the sub-mapping has just built. Here it is one walk over the unfinished result,
producing exactly what the three produce; anything out of the ordinary (merging keys, NaN, limits
reached) takes the three steps as they are, so results and errors stay the same.
"""

from __future__ import annotations

import math
from typing import Any

from openconnector_core import php
from openconnector_core.twig.filters import f_json_encode
from openconnector_core.twig.limits import MAX_JSON_DEPTH, MAX_OUTPUT_CHARS, Budget, current_budget
from openconnector_core.twig.rendering import JsonText, LazyJson

from . import paths

_ENCODED_DOT = paths.ENCODED_DOT
_INT_MIN, _INT_MAX = php.INT_MIN, php.INT_MAX


class _Unusual(Exception):
    """Leave this result to the step-by-step path."""


def result_json(
    raw: Any, carry: bool = False, budget: Budget | None = None, lazy: bool = False
) -> str | bool | LazyJson:
    """``f_json_encode(paths.finish_output(raw))`` for a sub-mapping result ``raw`` (a fresh tree);
    ``carry``: as a :class:`JsonText` holding what decoding the text gives, where that is the walked
    tree itself (no floats: they would come back as PHP writes them). ``budget``: the run's. ``lazy``
    (with ``carry``): as a :class:`LazyJson` when its text would have no ``&`` (its strings and keys
    have none, and it holds no carried value, whose strings are not walked)."""
    # expanded size, floats seen, deepest level reached, values carried in this run (see Budget),
    # an "&" or a carried value seen
    state: list[Any] = [0, False, 0, (current_budget() if budget is None else budget).carried, False]
    try:
        normalized = _walk(raw, 1, state)
    except _Unusual:
        return f_json_encode(paths.finish_output(raw))
    if state[0] > MAX_OUTPUT_CHARS:
        return f_json_encode(paths.finish_output(raw))  # raises the size error as the filter does
    if lazy and carry and not state[1] and not state[4]:
        return LazyJson(normalized, state[0], state[2] - 1)
    text = php.encode_normalized(normalized, bool(state[1]))
    if not carry or state[1]:
        return text
    carried = JsonText(text)
    carried.value, carried.size, carried.height = normalized, state[0], state[2] - 1
    return carried


def _walk(node: Any, depth: int, state: list[Any]) -> Any:
    """JSON-shaped ``finish_output(node)``; adds its expanded size (as the limits measure it) to
    ``state[0]``. A carried value (already JSON-shaped, its size known) is taken as it is, and so is
    any array the walk leaves as it was (the tree is fresh: nothing else holds it)."""
    if depth > MAX_JSON_DEPTH:
        raise _Unusual
    if depth > state[2]:
        state[2] = depth
    keys: list[str] | None = None  # the decoded keys, when one held an encoded dot
    listed = True  # finished as a list: a list, or a dict keyed 0..n-1
    size = 1
    if type(node) is dict:
        if not node:
            state[0] += 1
            return []
        items: Any = node.values()
        if next(iter(node)) != "0" or not all(key == str(index) for index, key in enumerate(node)):
            listed = False  # finished as an object: its keys decoded (and counted)
            for key in node:
                if type(key) is not str:
                    raise _Unusual
                size += len(key)
            if "&" in "".join(node):
                state[4] = True
                keys = [key.replace(_ENCODED_DOT, ".") for key in node]
                if len(set(keys)) != len(keys):
                    raise _Unusual  # decoding merged two keys
                size = 1 + sum(map(len, keys))
    elif type(node) is list:
        items = node
    else:
        raise _Unusual
    carried = state[3]
    arrays: list[Any] = []  # the arrays below, as walked (in order)
    changed = False
    for item in items:
        kind = type(item)
        if kind is str:
            size += len(item) + 1
            if "&" in item:
                state[4] = True
        elif kind is dict or kind is list:
            known = carried.get(id(item)) if carried else None
            if known is not None and known[0] is item and depth + 1 + known[2] <= MAX_JSON_DEPTH:
                state[4] = True
                state[0] += known[1]
                if depth + 1 + known[2] > state[2]:
                    state[2] = depth + 1 + known[2]
                arrays.append(item)
            else:
                finished = _walk(item, depth + 1, state)
                if finished is not item:
                    changed = True
                arrays.append(finished)
        elif kind is int or kind is bool or item is None:
            if kind is int and not _INT_MIN <= item <= _INT_MAX:
                raise _Unusual
            size += 1
        elif kind is float:
            if math.isnan(item) or math.isinf(item):
                raise _Unusual
            state[1] = True
            size += 1
        else:
            raise _Unusual
    state[0] += size
    if not changed:
        if not listed and keys is None:
            return node
        if type(node) is list:
            return node
        values = list(items)
    else:
        finished_arrays = iter(arrays)
        values = [
            next(finished_arrays) if type(item) is dict or type(item) is list else item for item in items
        ]
    if listed:
        return values
    if keys is None:
        return dict(zip(node, values, strict=True))
    if keys[0] == "0" and all(key == str(index) for index, key in enumerate(keys)):
        return values
    return dict(zip(keys, values, strict=True))
