"""Dot paths with the semantics of the original's dot-notation library (behaviour reference §3.4).

* read/exists: the whole string as a key first, then a walk over ``.``-separated segments; numeric
  segments index lists; ``null`` counts as existing; nothing exists in an empty container.
* write: always splits on ``.``; a missing or non-array intermediate is replaced by an object.
* delete: whole key first, then the walk; missing intermediates are ignored.

A dict stands for a PHP array with string keys; a list for a PHP array with keys ``0..n-1``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

ENCODED_DOT = "&#46;"
MISSING = object()  # what lookup returns for a path that does not exist
# PHP arrays, as a tuple for isinstance: a ``dict | list`` union is built anew on every call (slower).
_ARRAYS = (dict, list)
_CANONICAL_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def child(container: Any, key: str) -> Any:
    if isinstance(container, dict):
        return container.get(key, MISSING)
    if isinstance(container, list) and _CANONICAL_INDEX.match(key):
        index = int(key)
        if index < len(container):
            return container[index]
    return MISSING


def lookup(data: Any, path: str) -> Any:
    """The value at ``path``, or :data:`MISSING` (test with :func:`found`)."""
    if type(data) is dict:  # the common case, without function calls
        if not data:
            return MISSING
        value = data.get(path, MISSING)
    elif isinstance(data, _ARRAYS) and data:
        value = child(data, path)
    else:
        return MISSING
    if value is not MISSING or "." not in path:
        return value
    return walk(data, path.split("."))


def walk(data: Any, segments: list[str] | tuple[str, ...]) -> Any:
    """The value at a path already split on ``.``, segment by segment (no whole-key match)."""
    current = data
    for segment in segments:
        if type(current) is dict:
            current = current.get(segment, MISSING)
        elif isinstance(current, _ARRAYS):
            current = child(current, segment)
        else:
            return MISSING
        if current is MISSING:
            return MISSING
    return current


def found(value: Any) -> bool:
    return value is not MISSING


def value_at(data: Any, path: str) -> Any:
    """The value at ``path``, ``None`` where there is none (rule and file-rule configuration paths)."""
    value = lookup(data, path)
    return value if value is not MISSING else None


def written(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """:func:`write` into an object that stays an object (``data`` itself where it cannot be)."""
    result = write(data, path, value)
    return result if isinstance(result, dict) else data


def exists(data: Any, path: str) -> bool:
    return lookup(data, path) is not MISSING


def _as_writable_dict(container: dict[str, Any] | list[Any]) -> dict[str, Any]:
    if isinstance(container, dict):
        return container
    return {str(index): item for index, item in enumerate(container)}


def _set_child(container: dict[str, Any] | list[Any], key: str, value: Any) -> dict[str, Any] | list[Any]:
    """Set ``container[key]``; returns the container to keep (a list may have to become a dict)."""
    if isinstance(container, list):
        if _CANONICAL_INDEX.match(key):
            index = int(key)
            if index < len(container):
                container[index] = value
                return container
            if index == len(container):
                container.append(value)
                return container
        container = _as_writable_dict(container)
    container[key] = value
    return container


def write(data: dict[str, Any] | list[Any], path: str, value: Any) -> dict[str, Any] | list[Any]:
    """Write ``value`` at ``path`` (always split on ``.``); returns the (possibly replaced) root."""
    if "." not in path and type(data) is dict:
        data[path] = value
        return data
    segments = path.split(".")
    return _write(data, segments, value)


def write_segments(data: dict[str, Any] | list[Any], segments: tuple[str, ...], value: Any) -> Any:
    """:func:`write` of a path already split on ``.`` (at least two segments)."""
    return _write(data, segments, value)


def _write(
    container: dict[str, Any] | list[Any], segments: list[str] | tuple[str, ...], value: Any
) -> dict[str, Any] | list[Any]:
    key = segments[0]
    if len(segments) == 1:
        return _set_child(container, key, value)
    inner = child(container, key)
    if not isinstance(inner, _ARRAYS):
        inner = {}
    return _set_child(container, key, _write(inner, segments[1:], value))


def _delete_child(container: dict[str, Any] | list[Any], key: str) -> dict[str, Any] | list[Any]:
    if isinstance(container, dict):
        container.pop(key, None)
        return container
    if not _CANONICAL_INDEX.match(key) or int(key) >= len(container):
        return container
    index = int(key)
    if index == len(container) - 1:
        container.pop()
        return container
    # Removing an element other than the last leaves PHP keys that are no longer 0..n-1: an object.
    result = _as_writable_dict(container)
    del result[key]
    return result


def delete(data: dict[str, Any] | list[Any], path: str) -> dict[str, Any] | list[Any]:
    """Delete ``path`` if it exists; returns the (possibly replaced) root."""
    if found(child(data, path)):
        return _delete_child(data, path)
    segments = path.split(".")
    return _delete(data, segments)


def _delete(container: dict[str, Any] | list[Any], segments: list[str]) -> dict[str, Any] | list[Any]:
    if len(segments) == 1:
        return _delete_child(container, segments[0])
    inner = child(container, segments[0])
    if not isinstance(inner, _ARRAYS):
        return container
    new_child = _delete(inner, segments[1:])
    if new_child is not inner:
        container = _set_child(container, segments[0], new_child)
    return container


# --------------------------------------------------------------------------- key encoding


def encode_keys(value: Any, copy: bool, clean: dict[int, Any] | None = None) -> Any:
    """Replace ``.`` in every key by ``&#46;``. With ``copy`` every container is new, otherwise only
    the containers that change are (the rest is shared with the input).

    ``clean`` remembers containers already found to need no change (by id, holding a reference so
    the id stays theirs): sub-mappings of one run receive parts of the same input over and over.
    """
    if isinstance(value, dict):
        if clean is not None and id(value) in clean:
            return value
        changed = copy
        result: dict[str, Any] = {}
        for key, item in value.items():
            new_key = key.replace(".", ENCODED_DOT) if type(key) is str and "." in key else key
            new_item = encode_keys(item, copy, clean)
            if new_key is not key or new_item is not item:
                changed = True
            result[new_key] = new_item
        if changed:
            return result
        if clean is not None:
            clean[id(value)] = value
        return value
    if isinstance(value, list):
        if clean is not None and id(value) in clean:
            return value
        items = [encode_keys(item, copy, clean) for item in value]
        if copy or any(new is not old for new, old in zip(items, value, strict=True)):
            return items
        if clean is not None:
            clean[id(value)] = value
        return value
    return value


def deep_copy(value: Any) -> Any:
    """Copy JSON-like data (faster than ``copy.deepcopy``)."""
    if isinstance(value, dict):
        return {key: deep_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [deep_copy(item) for item in value]
    return value


class KeyedResults(dict[str, Any]):
    """A list-mode run's results by the input's keys: the keys are the input's, never decoded."""


def finish_output(value: Any, finished: Mapping[int, tuple[object, int, int]] | None = None) -> Any:
    """Decode ``&#46;`` in keys and turn dicts whose keys are exactly ``0..n-1`` into lists (PHP arrays).

    ``finished``: arrays known to be finished already (by id, the array first), taken as they are."""
    if finished:
        known = finished.get(id(value))
        if known is not None and known[0] is value:
            return value
    if isinstance(value, dict):
        if (
            value
            and str(next(iter(value))) == "0"
            and all(str(key) == str(index) for index, key in enumerate(value))
        ):
            return [finish_output(item, finished) for item in value.values()]
        keep = type(value) is KeyedResults  # the input's keys, as they were
        return {
            (key.replace(ENCODED_DOT, ".") if not keep and type(key) is str and "&" in key else key): (
                finish_output(item, finished) if isinstance(item, _ARRAYS) else item
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [finish_output(item, finished) if isinstance(item, _ARRAYS) else item for item in value]
    return value
