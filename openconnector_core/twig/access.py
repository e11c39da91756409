"""Reading data in templates: Twig's ``_context``, attribute and item access with PHP array
semantics (never Python attributes of data), slices, and the array helpers the filters share."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError

from openconnector_core import php
from openconnector_core.php import date_objects
from openconnector_core.php.objects import PhpObject

UNDEFINED = Undefined()
MISSING = object()
CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


_SCALARS = (str, int, float, bool, Undefined)  # what Twig reads as null attributes of


class TwigContext(dict[str, Any]):
    """Twig's ``_context``: missing names are ``Undefined`` instead of a KeyError."""

    __slots__ = ()

    def __missing__(self, key: str) -> Any:
        return UNDEFINED


class TwigRuntimeError(RuntimeError):
    """An error the original's Twig would raise at render time (bad filter argument, ...)."""


def php_key(key: Any) -> str:
    """A PHP array key as our dict key (``true`` → ``"1"``, ``1.7`` → ``"1"``, ``null`` → ``""``)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "1" if key else ""
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return str(php.to_int(key))
    if php.is_null(key):
        return ""
    raise TwigRuntimeError(f"Illegal offset type {php.php_type(key)}")


# --------------------------------------------------------------------------- attribute access


def attribute_path(obj: Any, *keys: Any) -> Any:
    """``obj.a.b[c]``: :func:`attribute` for each key in turn."""
    for key in keys:
        kind = type(obj)
        if (kind is dict or kind is TwigContext) and type(key) is str:  # attribute(), inlined
            obj = obj.get(key, MISSING)
            if obj is MISSING:
                if key[:2] == "__":
                    _refuse_dunder(key)
                obj = UNDEFINED
        elif obj is UNDEFINED or obj is None:  # null stays null (a dunder key is still refused)
            if type(key) is str and key[:2] == "__":
                _refuse_dunder(key)
            obj = UNDEFINED
        else:
            obj = attribute(obj, key)
    return obj


def _refuse_dunder(key: Any) -> None:
    # Only Python's special names (``__class__``): data keys such as SharePoint's ``__metadata`` may
    # be missing, and are then null as in Twig.
    if type(key) is str and key[:2] == "__" and key[-2:] == "__" and len(key) > 4:
        raise SecurityError(f"access to attribute {key!r} is unsafe")


def attribute(obj: Any, key: Any, *_arguments: Any) -> Any:
    """``obj.key`` / ``obj[key]`` with PHP array semantics; never reaches Python attributes of data."""
    kind = type(obj)
    if kind is dict or kind is TwigContext:
        value = obj.get(key if type(key) is str else php_key(key), MISSING)
        if value is MISSING:
            _refuse_dunder(key)
            return UNDEFINED
        return value
    if kind is list:
        if type(key) is not int and (
            isinstance(key, bool | float) or (isinstance(key, str) and CANONICAL_INT.match(key))
        ):
            key = int(key)
        if type(key) is int and 0 <= key < len(obj):
            return obj[key]
        _refuse_dunder(key)
        return UNDEFINED
    if obj is None or obj is UNDEFINED or isinstance(obj, _SCALARS):
        _refuse_dunder(key)  # Twig yields null here; Python internals are refused loudly
        return UNDEFINED
    if isinstance(obj, php.ARRAYS):
        return attribute(dict(obj) if isinstance(obj, dict) else list(obj), key)
    if isinstance(key, str) and key.startswith("_"):
        raise SecurityError(f"access to attribute {key!r} of {type(obj).__name__!r} object is unsafe")
    if isinstance(obj, PhpObject):
        value = date_objects.read_member(obj, key)
        if value is not date_objects.ABSENT:
            return value
    raise SecurityError(f"access to attribute {key!r} of {type(obj).__name__!r} object is not allowed")


_SAFE_METHODS: dict[type, frozenset[str]] = {
    str: frozenset(
        {"upper", "lower", "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "title"}
    ),
    dict: frozenset({"items", "keys", "values", "get"}),
}


def call_method(obj: Any, name: Any, *arguments: Any) -> Any:
    """``obj.name(args)``: a data key for arrays (Twig), or a small whitelist of Python methods (Jinja)."""
    if isinstance(obj, dict) and php_key(name) in obj:
        return obj[php_key(name)]
    for kind, methods in _SAFE_METHODS.items():
        if isinstance(obj, kind) and name in methods:
            result = getattr(obj, str(name))(*arguments)
            return list(result) if kind is dict and name != "get" else result
    if isinstance(name, str) and name.startswith("_"):
        raise SecurityError(f"access to attribute {name!r} of {type(obj).__name__!r} object is unsafe")
    if isinstance(obj, PhpObject):  # DateTime & co.: their whitelisted PHP methods
        value = date_objects.call_member(obj, name, *arguments)
        return UNDEFINED if value is date_objects.ABSENT else value
    return UNDEFINED


def slice_value(value: Any, start: Any, length: Any = None, preserve_keys: bool = False) -> Any:
    """Twig ``slice`` / ``[start:length]`` (``array_slice`` / ``mb_substr``)."""
    start_index = 0 if php.is_null(start) else php.to_int(start)
    count = None if php.is_null(length) else php.to_int(length)
    if isinstance(value, php.ARRAYS):
        items = list(pairs_of(value))
        size = len(items)
        begin = max(0, size + start_index) if start_index < 0 else min(start_index, size)
        if count is None:
            end = size
        elif count < 0:
            end = max(begin, size + count)
        else:
            end = min(size, begin + count)
        chosen = items[begin:end]
        return rebuild(chosen, preserve_keys)
    text = php.to_string(value)
    size = len(text)
    begin = max(0, size + start_index) if start_index < 0 else min(start_index, size)
    if count is None:
        return text[begin:]
    end = max(begin, size + count) if count < 0 else begin + count
    return text[begin:end]


def pairs_of(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        yield from ((str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        yield from ((str(index), item) for index, item in enumerate(value))


def rebuild(pairs: list[tuple[str, Any]], preserve_keys: bool) -> dict[str, Any] | list[Any]:
    """An array from key/value pairs; numeric keys are renumbered unless ``preserve_keys``."""
    if preserve_keys:
        result = dict(pairs)
        return listify(result)
    renumbered: dict[str, Any] = {}
    next_index = 0
    for key, item in pairs:
        if CANONICAL_INT.match(key):
            renumbered[str(next_index)] = item
            next_index += 1
        else:
            renumbered[key] = item
    return listify(renumbered)


def listify(value: dict[str, Any]) -> dict[str, Any] | list[Any]:
    if all(key == str(index) for index, key in enumerate(value)):
        return list(value.values())
    return value


def values_of(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return []


def key_value(key: str) -> Any:
    return int(key) if CANONICAL_INT.match(key) else key


def globals_attribute(obj: Any, name: Any, arguments: Any = None) -> Any:
    """Twig's ``attribute(obj, name, arguments)``: on a PHP object (a ``DateTime``), a property first,
    then the method called with ``arguments``."""
    if isinstance(obj, PhpObject) and isinstance(arguments, php.ARRAYS) and arguments:
        _refuse_dunder(name)
        value = date_objects.read_property(obj, name)
        return call_method(obj, name, *values_of(arguments)) if value is date_objects.ABSENT else value
    return attribute(obj, name)
