"""List filters on objects: equality on top-level and dot-path fields, ``_search`` over strings.

A filter value is compared with the stored value as text (``true``/``false`` for booleans, JSON for
objects); on an array it matches when any element does (``tags=urgent``). ``IS NULL`` and
``IS NOT NULL`` test absence, as for the other resources.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

_MISSING = object()


def path_value(data: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` (``address.city``); a key that itself contains dots is tried whole first."""
    if path in data:
        return data[path]
    head, dot, rest = path.partition(".")
    while dot:
        value = data.get(head, _MISSING)
        if isinstance(value, Mapping):
            return path_value(value, rest)
        if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            found = [path_value(item, rest) for item in value]
            return [item for item in found if item is not _MISSING]
        if value is not _MISSING:
            return _MISSING
        more, dot, rest = rest.partition(".")
        head = f"{head}.{more}"
    return _MISSING


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _equals(value: Any, expected: str) -> bool:
    if value is _MISSING or value is None:
        return False
    if isinstance(value, list):
        return _text(value) == expected or any(_equals(item, expected) for item in value)
    return _text(value) == expected


def _contains_text(value: Any, needle: str) -> bool:
    if isinstance(value, str):
        return needle in value.lower()
    if isinstance(value, Mapping):
        return any(_contains_text(item, needle) for item in value.values())
    if isinstance(value, list):
        return any(_contains_text(item, needle) for item in value)
    return False


def object_matcher(
    filters: Mapping[str, str] | None, search: str | None
) -> Callable[[Mapping[str, Any]], bool]:
    conditions = list((filters or {}).items())
    needle = (search or "").lower()

    def matches(data: Mapping[str, Any]) -> bool:
        for path, expected in conditions:
            value = path_value(data, path)
            marker = expected.strip().upper()
            if marker == "IS NULL":
                if value not in (_MISSING, None, ""):
                    return False
            elif marker == "IS NOT NULL":
                if value in (_MISSING, None, ""):
                    return False
            elif not _equals(value, expected):
                return False
        return not needle or _contains_text(data, needle)

    return matches
