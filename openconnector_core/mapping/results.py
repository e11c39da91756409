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
from openconnector_core.twig.limits import MAX_JSON_DEPTH, MAX_OUTPUT_CHARS

from . import paths

_ENCODED_DOT = paths.ENCODED_DOT


class _Unusual(Exception):
    """Leave this result to the step-by-step path."""


def result_json(raw: Any) -> str | bool:
    """``f_json_encode(paths.finish_output(raw))`` for a sub-mapping result ``raw`` (a fresh tree)."""
    state = [0, False]  # expanded size, floats seen
    try:
        normalized = _walk(raw, 1, state)
    except _Unusual:
        return f_json_encode(paths.finish_output(raw))
    if state[0] > MAX_OUTPUT_CHARS:
        return f_json_encode(paths.finish_output(raw))  # raises the size error as the filter does
    return php.encode_normalized(normalized, bool(state[1]))


def _walk(node: Any, depth: int, state: list[Any]) -> Any:
    """JSON-shaped ``finish_output(node)``; adds its expanded size (as the limits measure it) to
    ``state[0]``."""
    if depth > MAX_JSON_DEPTH:
        raise _Unusual
    size = 1
    if type(node) is dict:
        if node and next(iter(node)) == "0" and all(key == str(index) for index, key in enumerate(node)):
            items = list(node.values())  # finished as a list
        else:
            if not all(type(key) is str for key in node):
                raise _Unusual
            keys = [key.replace(_ENCODED_DOT, ".") if "&" in key else key for key in node]
            if len(set(keys)) != len(keys):
                raise _Unusual  # decoding merged two keys
            size += sum(map(len, keys))
            values = [_item(value, depth, state) for value in node.values()]
            state[0] += (
                size
                + sum(len(v) + 1 for v in node.values() if type(v) is str)
                + sum(
                    1
                    for v in node.values()
                    if type(v) is not str and type(v) is not dict and type(v) is not list
                )
            )
            if not keys:
                return []
            if keys[0] == "0" and all(key == str(index) for index, key in enumerate(keys)):
                return values
            return dict(zip(keys, values, strict=True))
    elif type(node) is list:
        items = node
    else:
        raise _Unusual
    values = [_item(item, depth, state) for item in items]
    state[0] += (
        size
        + sum(len(v) + 1 for v in items if type(v) is str)
        + sum(1 for v in items if type(v) is not str and type(v) is not dict and type(v) is not list)
    )
    return values


def _item(value: Any, depth: int, state: list[Any]) -> Any:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        if kind is int and not php.INT_MIN <= value <= php.INT_MAX:
            raise _Unusual
        return value
    if kind is dict or kind is list:
        return _walk(value, depth + 1, state)
    if kind is float:
        if math.isnan(value) or math.isinf(value):
            raise _Unusual
        state[1] = True
        return value
    raise _Unusual
