"""Runtime of translated Twig templates: operator helpers with PHP semantics, Twig's variable scoping,
and the Twig filters, tests and functions the original's configurations use.

Everything here receives JSON-like data; dicts are PHP arrays. ``Undefined`` stands for a missing
variable or attribute and behaves like ``null``.
"""

from __future__ import annotations

import base64
import functools
import random as _random
import re
import unicodedata
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from jinja2 import Undefined
from jinja2.sandbox import SecurityError
from markupsafe import Markup, escape

from openconnector_core import php

from . import php_date
from .limits import (
    MAX_RANGE,
    DepthExceededError,
    LimitExceededError,
    check_expanded_size,
    check_items,
    check_projected_size,
    check_value_size,
    current_budget,
)
from .pcre import pcre_search

UNDEFINED = Undefined()
_MISSING = object()
_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


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
        if (kind is dict or kind is TwigContext) and type(key) is str:  # attribute()'s hit, inlined
            value = obj.get(key, _MISSING)
            if value is not _MISSING:
                obj = value
                continue
        obj = attribute(obj, key)
    return obj


def _refuse_dunder(key: Any) -> None:
    if type(key) is str and key[:2] == "__":
        raise SecurityError(f"access to attribute {key!r} is unsafe")


def attribute(obj: Any, key: Any, *_arguments: Any) -> Any:
    """``obj.key`` / ``obj[key]`` with PHP array semantics; never reaches Python attributes of data."""
    kind = type(obj)
    if kind is dict or kind is TwigContext:
        value = obj.get(key if type(key) is str else php_key(key), _MISSING)
        if value is _MISSING:
            _refuse_dunder(key)
            return UNDEFINED
        return value
    if kind is list:
        if type(key) is not int and (
            isinstance(key, bool | float) or (isinstance(key, str) and _CANONICAL_INT.match(key))
        ):
            key = int(key)
        if type(key) is int and 0 <= key < len(obj):
            return obj[key]
        _refuse_dunder(key)
        return UNDEFINED
    if obj is None or obj is UNDEFINED or isinstance(obj, str | int | float | bool | Undefined):
        _refuse_dunder(key)  # Twig yields null here; Python internals are refused loudly
        return UNDEFINED
    if isinstance(obj, dict | list):
        return attribute(dict(obj) if isinstance(obj, dict) else list(obj), key)
    if isinstance(key, str) and key.startswith("_"):
        raise SecurityError(f"access to attribute {key!r} of {type(obj).__name__!r} object is unsafe")
    if isinstance(obj, datetime) and isinstance(key, str) and key in ("timestamp", "getTimestamp"):
        return int(obj.timestamp())
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
    return UNDEFINED


def slice_value(value: Any, start: Any, length: Any = None, preserve_keys: bool = False) -> Any:
    """Twig ``slice`` / ``[start:length]`` (``array_slice`` / ``mb_substr``)."""
    start_index = 0 if php.is_null(start) else php.to_int(start)
    count = None if php.is_null(length) else php.to_int(length)
    if isinstance(value, dict | list):
        items = list(_pairs(value))
        size = len(items)
        begin = max(0, size + start_index) if start_index < 0 else min(start_index, size)
        if count is None:
            end = size
        elif count < 0:
            end = max(begin, size + count)
        else:
            end = min(size, begin + count)
        chosen = items[begin:end]
        return _rebuild(chosen, preserve_keys)
    text = php.to_string(value)
    size = len(text)
    begin = max(0, size + start_index) if start_index < 0 else min(start_index, size)
    if count is None:
        return text[begin:]
    end = max(begin, size + count) if count < 0 else begin + count
    return text[begin:end]


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        yield from ((str(key), item) for key, item in value.items())
    elif isinstance(value, list | tuple):
        yield from ((str(index), item) for index, item in enumerate(value))


def _rebuild(pairs: list[tuple[str, Any]], preserve_keys: bool) -> dict[str, Any] | list[Any]:
    """An array from key/value pairs; numeric keys are renumbered unless ``preserve_keys``."""
    if preserve_keys:
        result = dict(pairs)
        return _listify(result)
    renumbered: dict[str, Any] = {}
    next_index = 0
    for key, item in pairs:
        if _CANONICAL_INT.match(key):
            renumbered[str(next_index)] = item
            next_index += 1
        else:
            renumbered[key] = item
    return _listify(renumbered)


def _listify(value: dict[str, Any]) -> dict[str, Any] | list[Any]:
    if all(key == str(index) for index, key in enumerate(value)):
        return list(value.values())
    return value


# --------------------------------------------------------------------------- operators


def truthy(value: Any) -> bool:
    return php.truthy(value)


def is_set(value: Any) -> bool:
    return not php.is_null(value)


MAX_COMPARED_SIZE = 1_000_000


def _check_compared(*values: Any) -> None:
    """Arrays are compared element by element, recursively: refuse ones that expand beyond reason
    (shared sub-arrays make ``[l, l]`` doubling cheap to build and exponential to compare)."""
    for value in values:
        if type(value) is dict or type(value) is list:
            check_expanded_size(value, MAX_COMPARED_SIZE)


def loose_equals(left: Any, right: Any) -> bool:
    """PHP ``==``."""
    if (type(left) is dict or type(left) is list) and (type(right) is dict or type(right) is list):
        _check_compared(left, right)
    return php.loose_equals(left, right)


def compare(left: Any, right: Any) -> int:
    """PHP ``<=>``."""
    if (type(left) is dict or type(left) is list) and (type(right) is dict or type(right) is list):
        _check_compared(left, right)
    return php.compare(left, right)


def concat(*parts: Any) -> str:
    texts = [php.to_string(part) if type(part) is not str else part for part in parts]
    if len(texts) > 2:
        check_projected_size(sum(map(len, texts)))
    result = "".join(texts)
    check_value_size(result)
    return result


def contains(needle: Any, haystack: Any) -> bool:
    """Twig ``in``: loose membership in arrays, substring for strings."""
    if isinstance(haystack, dict | list):
        values = haystack.values() if isinstance(haystack, dict) else haystack
        if isinstance(needle, dict | list):
            _check_compared(needle, haystack)
        return any(php.loose_equals(needle, item) for item in values)
    if isinstance(haystack, str) and isinstance(needle, str | int | float) and not isinstance(needle, bool):
        text = php.to_string(needle)
        return text == "" or text in haystack
    return False


def twig_range(low: Any, high: Any = None, step: Any = 1) -> list[Any]:
    """Twig ``range`` / ``..``: inclusive, numbers or single letters; refuses huge ranges.
    With one argument it is Jinja's ``range(n)`` (``0 .. n-1``)."""
    if high is None:
        stop = php.to_int(low)
        if stop > MAX_RANGE:
            raise LimitExceededError(f"range of {stop} elements exceeds the limit of {MAX_RANGE}")
        current_budget().tick(max(stop, 0))
        return list(range(stop))
    single_letters = isinstance(low, str) and isinstance(high, str) and len(low) == 1 and len(high) == 1
    if single_letters and not (low.isdigit() and high.isdigit()):
        start, end = ord(low), ord(high)
        stride = abs(php.to_int(step)) or 1
        codes = range(start, end + 1, stride) if start <= end else range(start, end - 1, -stride)
        return [chr(code) for code in codes]
    start_number, end_number = php.to_number(low), php.to_number(high)
    step_number = php.to_number(step)
    if step_number == 0:
        raise TwigRuntimeError("range(): Argument #3 ($step) cannot be 0")
    step_number = abs(step_number)
    count = int(abs(end_number - start_number) // step_number) + 1
    if count > MAX_RANGE:
        raise LimitExceededError(f"range of {count} elements exceeds the limit of {MAX_RANGE}")
    current_budget().tick(count)
    direction = 1 if end_number >= start_number else -1
    use_float = any(isinstance(number, float) for number in (start_number, end_number, step_number))
    values = [start_number + direction * index * step_number for index in range(count)]
    return [float(v) for v in values] if use_float else [int(v) for v in values]


def matches(subject: Any, pattern: Any) -> bool:
    text = php.string_argument(subject, "twig_matches", "#2 ($str)")
    return pcre_search(_pcre(php.to_string(pattern)), str(text))


def _pcre(pattern: str) -> re.Pattern[str]:
    if len(pattern) < 2:
        raise TwigRuntimeError("preg_match(): Empty regular expression")
    delimiter = pattern[0]
    closing = {"(": ")", "{": "}", "[": "]", "<": ">"}.get(delimiter, delimiter)
    end = pattern.rfind(closing)
    if end <= 0:
        raise TwigRuntimeError(f"preg_match(): No ending delimiter '{closing}' found")
    body, modifiers = pattern[1:end], pattern[end + 1 :]
    flags = 0
    for modifier in modifiers:
        flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}.get(
            modifier, 0
        )
    return re.compile(body, flags)


def starts_with(subject: Any, prefix: Any) -> bool:
    return isinstance(subject, str) and isinstance(prefix, str) and subject.startswith(prefix)


def ends_with(subject: Any, suffix: Any) -> bool:
    return isinstance(subject, str) and isinstance(suffix, str) and subject.endswith(suffix)


def has_some(values: Any, arrow: Any) -> bool:
    return any(truthy(arrow(item, key)) for key, item in _pairs(values))


def has_every(values: Any, arrow: Any) -> bool:
    return all(truthy(arrow(item, key)) for key, item in _pairs(values))


def bitwise_and(left: Any, right: Any) -> Any:
    return php.bitwise(left, right, "&")


def bitwise_or(left: Any, right: Any) -> Any:
    return php.bitwise(left, right, "|")


def bitwise_xor(left: Any, right: Any) -> Any:
    return php.bitwise(left, right, "^")


def positive(value: Any) -> int | float:
    return php.to_number(value)


# --------------------------------------------------------------------------- scoping


def assign(context: TwigContext, name: str, value: Any, captured: bool = False) -> str:
    """``{% set %}``: a captured block stays safe markup; an expression's value is stored as a plain
    string (in Twig ``|raw``/``|e`` only decide how the expression they end is printed)."""
    check_value_size(value)
    if not captured and type(value) is Markup:
        value = str(value)
    context[name] = value
    return ""


def for_loop(context: TwigContext, sequence: Any, key_name: str, value_name: str) -> Iterator[None]:
    """Iterate like Twig's ``for``: ``loop.*`` in the context, and afterwards only the variables that
    existed before the loop survive (with their new values)."""
    if isinstance(sequence, dict):
        items: list[tuple[Any, Any]] = list(sequence.items())
    elif isinstance(sequence, list | tuple):
        items = list(enumerate(sequence))
    else:
        items = []  # strings, numbers and null do not iterate in Twig
    parent = dict(context)
    budget = current_budget()
    length = len(items)
    for index, (key, value) in enumerate(items):
        budget.tick()
        if key_name:
            context[key_name] = key
        context[value_name] = value
        context["loop"] = {
            "parent": parent,
            "index0": index,
            "index": index + 1,
            "revindex0": length - index - 1,
            "revindex": length - index,
            "first": index == 0,
            "last": index == length - 1,
            "length": length,
        }
        yield None
    for name in (key_name, value_name, "loop"):
        context.pop(name, None)
    for name in [name for name in context if name not in parent]:
        del context[name]
    for name, value in parent.items():
        context.setdefault(name, value)


def with_scope(context: TwigContext, variables: Any, only: bool) -> Iterator[None]:
    """Twig's ``with``: run the body once with extra variables, then restore the context."""
    if not isinstance(variables, dict | list):
        raise TwigRuntimeError('Variables passed to a "with" tag must be a mapping')
    saved = dict(context)
    if only:
        context.clear()
    context.update(_pairs(variables))
    yield None
    context.clear()
    context.update(saved)


def make_arrow(
    arrows: tuple[Callable[..., Any], ...], index: int, context: TwigContext, functions: dict[str, Any]
) -> Callable[..., Any]:
    return arrows[index](context, functions)


# --------------------------------------------------------------------------- filters


def f_default(value: Any, default: Any = "") -> Any:
    return default if t_empty(value) else value


def f_length(value: Any) -> int:
    if php.is_null(value):
        return 0
    if isinstance(value, dict | list):
        return len(value)
    return len(php.to_string(value))


# Twig's string filters call PHP string functions: an array argument is a TypeError there.


def _text(value: Any, function: str) -> str:
    return str(php.string_argument(value, function))


def _require_array(value: Any, message: str) -> None:
    """Twig's array filters (sort, filter, reduce, column, batch) refuse anything but an array."""
    if not isinstance(value, dict | list):
        raise TwigRuntimeError(message.format(_gettype(value)))


def _gettype(value: Any) -> str:
    """PHP ``gettype()``, as Twig's error messages show it."""
    if php.is_null(value):
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    return "string" if isinstance(value, str) else "array"


def f_upper(value: Any) -> str:
    return _text(value, "mb_strtoupper").upper()


def f_lower(value: Any) -> str:
    return _text(value, "mb_strtolower").lower()


def f_capitalize(value: Any) -> str:
    text = _text(value, "mb_substr")
    return text[:1].upper() + text[1:].lower()


_CASE_IGNORABLE = frozenset("'.:^`\u00a8\u00ad\u00af\u00b4\u00b7\u00b8\u2018\u2019\u2024\u2027")


def _case_ignorable(char: str) -> bool:
    return char in _CASE_IGNORABLE or unicodedata.category(char) in ("Mn", "Me", "Cf", "Lm", "Sk")


def f_title(value: Any) -> str:
    """``mb_convert_case($s, MB_CASE_TITLE)``: a word starts after a character that is neither cased
    nor case-ignorable (so ``they're`` stays one word and ``hello-world`` becomes ``Hello-World``)."""
    text = _text(value, "mb_convert_case")
    if len(text) <= _TITLE_CHUNK:
        return _title_chunk(text, True)[0]
    budget = current_budget()
    chunks: list[str] = []
    title_mode = True
    for start in range(0, len(text), _TITLE_CHUNK):
        budget.check_time()
        chunk, title_mode = _title_chunk(text[start : start + _TITLE_CHUNK], title_mode)
        chunks.append(chunk)
    return "".join(chunks)


_TITLE_CHUNK = 65_536


def _title_chunk(text: str, title_mode: bool) -> tuple[str, bool]:
    out: list[str] = []
    for char in text:
        cased = char.isupper() or char.islower() or char.istitle()
        if title_mode:
            if cased:
                out.append(char.title())
                title_mode = False
            else:
                out.append(char)
        else:
            out.append(char.lower())
            if not cased and not _case_ignorable(char):
                title_mode = True
    return "".join(out), title_mode


def f_trim(value: Any, characters: Any = None, side: str = "both") -> str:
    text = _text(value, "trim")
    chars = " \t\n\r\0\x0b" if php.is_null(characters) else php.to_string(characters)
    if side == "left":
        return text.lstrip(chars)
    if side == "right":
        return text.rstrip(chars)
    if side != "both":
        raise TwigRuntimeError('Trimming side must be "left", "right" or "both".')
    return text.strip(chars)


def _values(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return []


def f_join(value: Any, glue: Any = "", and_: Any = None, **kwargs: Any) -> str:
    if "and" in kwargs:
        and_ = kwargs["and"]
    if isinstance(value, dict | list):
        items = [php.to_string(item) for item in _values(value)]
    else:  # Twig joins (array) $value
        items = [] if php.is_null(value) else [php.to_string(value)]
    separator = php.to_string(glue)
    check_projected_size(sum(map(len, items)) + len(separator) * len(items))
    if php.is_null(and_) or len(items) < 2:
        result = separator.join(items)
    else:
        result = separator.join(items[:-1]) + php.to_string(and_) + items[-1]
    check_value_size(result)
    return result


def f_split(value: Any, delimiter: Any, limit: Any = None) -> list[str]:
    text = str(php.string_argument(value, "explode", "#2 ($string)"))
    separator = php.to_string(delimiter)
    if separator == "":
        size = max(1, php.to_int(limit)) if not php.is_null(limit) else 1
        check_items(len(text) // size)
        return [text[index : index + size] for index in range(0, len(text), size)] or [""]
    if len(text) > 65_536:
        check_items(text.count(separator) + 1)
    if php.is_null(limit):
        return text.split(separator)
    count = php.to_int(limit)
    if count > 0:
        return text.split(separator, count - 1)
    if count == 0:
        return [text]
    parts = text.split(separator)
    return parts[:count]


def strtr(text: str, pairs: dict[str, str]) -> str:
    replacements = {key: value for key, value in pairs.items() if key != ""}
    if not replacements:
        return text
    # An upper bound of the result's length, before building it (C-speed counts).
    growth = 0
    for key, value in replacements.items():
        if len(value) > len(key):
            growth += text.count(key) * (len(value) - len(key))
    check_projected_size(len(text) + growth)
    if len(replacements) == 1:
        ((key, value),) = replacements.items()
        return text.replace(key, value)
    pattern = re.compile("|".join(re.escape(key) for key in sorted(replacements, key=len, reverse=True)))
    budget = current_budget()
    count = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        if count & 0xFFF == 0:
            budget.check_time()
        return replacements[match.group(0)]

    result = pattern.sub(substitute, text)
    check_value_size(result)
    return result


def f_replace(value: Any, search: Any, replacement: Any = _MISSING) -> str:
    text = _text(value, "strtr")
    if replacement is not _MISSING:  # Jinja's replace(old, new)
        old, new = php.to_string(search), php.to_string(replacement)
        if len(new) > len(old):
            count = text.count(old) if old else len(text) + 1
            check_projected_size(len(text) + count * (len(new) - len(old)))
        result = text.replace(old, new)
        check_value_size(result)
        return result
    if not isinstance(search, dict | list):
        raise TwigRuntimeError(
            f'The "replace" filter expects an array as replace values, got "{php.php_type(search)}".'
        )
    return strtr(text, {key: php.to_string(item) for key, item in _pairs(search)})


def f_keys(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [int(key) if _CANONICAL_INT.match(str(key)) else key for key in value]
    if isinstance(value, list):
        return list(range(len(value)))
    return []


def f_first(value: Any) -> Any:
    if isinstance(value, dict | list):
        values = _values(value)
        return values[0] if values else False  # PHP reset() of an empty array
    text = php.to_string(value)
    return text[:1]


def f_last(value: Any) -> Any:
    if isinstance(value, dict | list):
        values = _values(value)
        return values[-1] if values else False
    text = php.to_string(value)
    return text[-1:]


def f_reverse(value: Any, preserve_keys: bool = False) -> Any:
    if isinstance(value, dict | list):
        return _rebuild(list(_pairs(value))[::-1], preserve_keys)
    return php.to_string(value)[::-1]


def f_merge(first: Any, second: Any) -> Any:
    for operand, position in ((first, "first"), (second, "second")):
        if not isinstance(operand, dict | list):
            raise TwigRuntimeError(
                f'The merge filter only works with arrays or "Traversable", got "{php.php_type(operand)}" '
                f"for argument {1 if position == 'first' else 2}."
            )
    check_items(len(first) + len(second))
    if isinstance(first, list) and isinstance(second, list):
        return first + second
    return _rebuild([*_pairs(first), *_pairs(second)], preserve_keys=False)


def f_abs(value: Any) -> int | float:
    """PHP ``abs(int|float $num)``: a string must be numeric as a whole (``"12abc"`` is a TypeError)."""
    if isinstance(value, dict | list) or (isinstance(value, str) and php.numeric_string(value) is None):
        raise php.PhpTypeError(
            f"abs(): Argument #1 ($num) must be of type int|float, {php.php_type(value)} given"
        )
    return abs(php.to_number(value))


def f_round(value: Any, precision: Any = 0, method: str = "common") -> float:
    number = php.to_float(value)
    digits = php.to_int(precision)
    if method == "common":
        return php.php_round(number, digits)
    factor = 10.0**digits
    if method == "ceil":
        return float(-((-number * factor) // 1) / factor)
    if method == "floor":
        return float((number * factor) // 1 / factor)
    raise TwigRuntimeError('The round filter only supports the "common", "ceil", and "floor" methods.')


def f_number_format(value: Any, decimals: Any = 0, decimal_point: Any = ".", thousands: Any = ",") -> str:
    return php.number_format(
        value, php.to_int(decimals), php.to_string(decimal_point), php.to_string(thousands)
    )


def f_json_encode(value: Any, options: Any = None) -> str | bool:
    try:
        check_expanded_size(value)  # shared sub-arrays could expand beyond any memory
    except DepthExceededError:  # PHP's json_encode fails (false) beyond its depth of 512
        return False
    try:
        return php.json_encode(value)
    except ValueError:  # INF/NAN: PHP's json_encode returns false, which prints as ""
        return False


def f_json_decode(value: Any, *_arguments: Any) -> Any:
    if not isinstance(value, str):
        raise TwigRuntimeError(
            f"json_decode(): Argument #1 ($json) must be of type string, {php.php_type(value)} given"
        )
    try:
        decoded = php.json_decode(value)
    except ValueError as error:
        raise TwigRuntimeError("json_decode returned null: the value is not valid JSON") from error
    if not isinstance(decoded, dict | list):  # the original's filter is declared to return an array
        raise php.PhpTypeError(
            f"{{closure}}(): Return value must be of type array, {php.php_type(decoded)} returned"
        )
    return decoded


def f_b64enc(value: Any) -> str:
    if not isinstance(value, str | int | float | bool):
        raise TwigRuntimeError(f"b64enc(): Argument #1 must be of type string, {php.php_type(value)} given")
    return base64.b64encode(php.to_string(value).encode("utf-8")).decode("ascii")


def base64_decode_lenient(text: str) -> str:
    """PHP ``base64_decode`` (non-strict): characters outside the alphabet are skipped."""
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", text)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned).decode("utf-8", "replace")


def f_b64dec(value: Any) -> str:
    if not isinstance(value, str | int | float | bool):
        raise TwigRuntimeError(f"b64dec(): Argument #1 must be of type string, {php.php_type(value)} given")
    return base64_decode_lenient(php.to_string(value))


def f_slugify(value: Any) -> str:
    text = php.to_string(value).lower()
    text = re.sub(r"[\s_]", "-", text)
    text = re.sub(r"[^a-z0-9-]", "", text)
    text = re.sub(r"-+", "-", text)
    return text.strip("-")


def f_raw(value: Any) -> Any:
    if not isinstance(value, str):  # numbers, booleans, null and arrays pass through unchanged
        return value
    return Markup(php.to_string(value))  # noqa: S704 — |raw marks a value safe on purpose


def htmlspecialchars(text: str) -> str:
    """PHP ``htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE)`` (Twig's ``html`` escaper): markupsafe's
    escaping (C speed) with PHP's entities for the quotes."""
    escaped = str(escape(text))
    if "&#3" in escaped:
        escaped = escaped.replace("&#34;", "&quot;").replace("&#39;", "&#039;")
    return escaped


def _pre_escape(value: Any, function: str) -> str:
    """The input of a filter Twig declares ``pre_escape: html``: escaped unless already safe."""
    if isinstance(value, Markup):
        return str(value)
    return htmlspecialchars(_text(value, function))


def _escape_js(match: re.Match[str]) -> str:
    char = match.group(0)
    short = {"\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in short:
        return short[char]
    codepoint = ord(char)
    if codepoint < 0x10000:
        return f"\\u{codepoint:04X}"
    codepoint -= 0x10000
    return f"\\u{0xD800 | (codepoint >> 10):04X}\\u{0xDC00 | (codepoint & 0x3FF):04X}"


def _escape_html_attr(match: re.Match[str]) -> str:
    char = match.group(0)
    codepoint = ord(char)
    if (codepoint <= 0x1F and char not in "\t\n\r") or 0x7F <= codepoint <= 0x9F:
        return "&#xFFFD;"
    if codepoint < 0x80:
        return {34: "&quot;", 38: "&amp;", 60: "&lt;", 62: "&gt;"}.get(codepoint, f"&#x{codepoint:02X};")
    return f"&#x{codepoint:04X};"


_JS_UNSAFE = re.compile(r"[^a-zA-Z0-9,._]")
_CSS_UNSAFE = re.compile(r"[^a-zA-Z0-9]")
_HTML_ATTR_UNSAFE = re.compile(r"[^a-zA-Z0-9,.\-_]")


def f_escape(value: Any, strategy: Any = "html", *_arguments: Any) -> Any:
    """Twig's ``escape``: non-strings are returned as they are; ``js``/``css`` output is not HTML-safe
    (it is auto-escaped once more, which changes nothing as it holds no HTML special characters)."""
    if not isinstance(value, str):
        return value
    result = _escape(str(value), strategy)
    check_value_size(result)
    return result


def _escape(text: str, strategy: Any) -> Any:
    strategy = "html" if php.is_null(strategy) else php.to_string(strategy)
    if strategy == "html":
        return Markup(htmlspecialchars(text))  # noqa: S704 — escaped here
    if strategy == "url":
        return Markup(rawurlencode(text))  # noqa: S704 — already encoded
    if strategy == "js":
        return _JS_UNSAFE.sub(_escape_js, text)
    if strategy == "css":
        return _CSS_UNSAFE.sub(lambda match: f"\\{ord(match.group(0)):X} ", text)
    if strategy == "html_attr":
        return Markup(_HTML_ATTR_UNSAFE.sub(_escape_html_attr, text))  # noqa: S704 — escaped here
    raise TwigRuntimeError(
        f'Invalid escaping strategy "{strategy}" (valid ones: html, js, url, css, html_attr).'
    )


def f_nl2br(value: Any) -> Markup:
    text = _pre_escape(value, "nl2br")
    check_projected_size(len(text) + 6 * (text.count("\n") + text.count("\r")))
    return Markup(re.sub(r"(\r\n|\n\r|\n|\r)", r"<br />\1", text))  # noqa: S704 — input escaped above


def f_striptags(value: Any, allowed: Any = None) -> str:
    text = _text(value, "strip_tags")
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    return re.sub(r"<[^>]*>?", "", text)


def f_spaceless(value: Any) -> Markup:
    text = _pre_escape(value, "trim")
    return Markup(re.sub(r">\s+<", "><", text.strip()))  # noqa: S704 — Twig marks it safe


def _http_build_query(value: Any, prefix: str | None) -> list[str]:
    parts: list[str] = []
    for key, item in _pairs(value):
        name = key if prefix is None else f"{prefix}[{key}]"
        if php.is_null(item):
            continue
        if isinstance(item, dict | list):
            parts.extend(_http_build_query(item, name))
            continue
        text = "1" if item is True else "0" if item is False else php.to_string(item)
        parts.append(f"{rawurlencode(name)}={rawurlencode(text)}")
    return parts


def f_url_encode(value: Any) -> str:
    if isinstance(value, dict | list):  # http_build_query(..., PHP_QUERY_RFC3986)
        check_expanded_size(value)
        return "&".join(_http_build_query(value, None))
    return rawurlencode(php.to_string(value))


_RAWURL_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def rawurlencode(text: str) -> str:
    """PHP ``rawurlencode`` (RFC 3986), its size checked before it is built (3 characters a byte)."""
    data = text.encode("utf-8", "surrogatepass")
    check_projected_size(len(data) + 2 * len(data.translate(None, _RAWURL_SAFE)))
    return urllib.parse.quote_from_bytes(data, safe="-_.~")


def f_column(value: Any, name: Any, index: Any = None) -> Any:
    _require_array(
        value, 'The column filter only works with arrays or "Traversable", got "{}" as first argument.'
    )
    key = php_key(name)
    rows = [item for item in _values(value) if isinstance(item, dict) and key in item]
    if php.is_null(index):
        return [row[key] for row in rows]
    index_key = php_key(index)
    keyed: dict[str, Any] = {}
    next_index = 0
    for row in rows:
        if index_key in row and not isinstance(row[index_key], dict | list):
            row_key = php_key(row[index_key])
        else:
            row_key = str(next_index)
        keyed[row_key] = row[key]
        if _CANONICAL_INT.match(row_key):
            next_index = max(next_index, int(row_key) + 1)
    return _listify(keyed)


def _call(arrow: Any, *arguments: Any) -> Any:
    if not callable(arrow):
        raise TwigRuntimeError("The callback passed to a filter must be an arrow function")
    return arrow(*arguments)


def f_map(value: Any, arrow: Any = None, attribute: Any = None) -> Any:
    if arrow is None and attribute is not None:
        return [globals_attribute(item, attribute) for item in _values(value)]
    pairs = [(key, _call(arrow, item, _key_value(key))) for key, item in _pairs(value)]
    return _listify(dict(pairs))


def f_filter(value: Any, arrow: Any) -> Any:
    _require_array(value, 'The "filter" filter expects an array or "Traversable", got "{}".')
    pairs = [(key, item) for key, item in _pairs(value) if truthy(_call(arrow, item, _key_value(key)))]
    return _listify(dict(pairs))


def f_reduce(value: Any, arrow: Any, initial: Any = None) -> Any:
    _require_array(
        value, 'The "reduce" filter only works with arrays or "Traversable", got "{}" as first argument.'
    )
    carry = initial
    for key, item in _pairs(value):
        carry = _call(arrow, carry, item, _key_value(key))
    return carry


def f_sort(value: Any, arrow: Any = None) -> Any:
    _require_array(value, 'The sort filter only works with arrays or "Traversable", got "{}".')
    pairs: list[tuple[str, Any]] = list(_pairs(value))
    if arrow is None:
        _check_compared(value)

    def by_value(a: tuple[str, Any], b: tuple[str, Any]) -> int:
        return php.compare(a[1], b[1]) if arrow is None else php.to_int(_call(arrow, a[1], b[1]))

    ordered = sorted(pairs, key=functools.cmp_to_key(by_value))
    return _listify(dict(ordered))


def f_batch(value: Any, size: Any, fill: Any = None, preserve_keys: bool = True) -> list[Any]:
    _require_array(value, 'The "batch" filter expects an array or "Traversable", got "{}".')
    chunk_size = php.to_int(size)
    if chunk_size < 1:
        raise TwigRuntimeError("The batch size must be greater than zero")
    pairs = list(_pairs(value))
    chunks = [pairs[index : index + chunk_size] for index in range(0, len(pairs), chunk_size)]
    if chunks and not php.is_null(fill) and len(chunks[-1]) < chunk_size:
        last = chunks[-1]
        check_items(chunk_size)
        current_budget().tick(chunk_size - len(last))
        next_index = len(pairs)
        while len(last) < chunk_size:
            last.append((str(next_index), fill))
            next_index += 1
    return [_listify(dict(chunk)) if preserve_keys else [item for _, item in chunk] for chunk in chunks]


def f_date(value: Any, fmt: Any = None, timezone: Any = None) -> str:
    moment = php_date.parse_date(value, timezone)
    result = php_date.format_date(moment, "F j, Y H:i" if php.is_null(fmt) else php.to_string(fmt))
    check_value_size(result)
    return result


def f_date_modify(value: Any, modifier: Any) -> datetime:
    return php_date.modify(php_date.parse_date(value), php.to_string(modifier))


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?([-+ 0]|'.)*(\d+)?(?:\.(\d+))?([bcdeEfFgGosuxX%])")
MAX_FORMAT_WIDTH = 10_000
MAX_FLOAT_PRECISION = 53


def sprintf(fmt: str, *arguments: Any) -> str:
    """PHP ``sprintf`` for the common conversions."""
    position = 0

    def convert(match: re.Match[str]) -> str:
        nonlocal position
        argnum, _, width_text, precision_text, conversion = match.groups()
        if conversion == "%":
            return "%"
        flags_text = match.group(0)[1 : match.start(3) - match.start() if width_text else None]
        if argnum:
            index = int(argnum) - 1
        else:
            index = position
            position += 1
        if index >= len(arguments):
            raise TwigRuntimeError(f"{len(arguments) + 1} arguments are required, {len(arguments)} given")
        argument = arguments[index]
        width = min(int(width_text), MAX_FORMAT_WIDTH) if width_text else 0
        precision = int(precision_text) if precision_text is not None else None
        if precision is not None and conversion in "eEfFgG":
            precision = min(precision, MAX_FLOAT_PRECISION)  # PHP truncates to 53 digits (a notice)
        left = "-" in (flags_text or "")
        plus = "+" in (flags_text or "")
        pad = "0" if "0" in (flags_text or "").replace(width_text or "", "") else " "
        custom = re.search(r"'(.)", flags_text or "")
        if custom:
            pad = custom.group(1)
        if conversion in "di":
            number = php.to_int(argument)
            text = str(abs(number))
            sign = "-" if number < 0 else ("+" if plus else "")
        elif conversion == "u":
            number = php.to_int(argument)
            text, sign = str(number if number >= 0 else number + 2**64), ""
        elif conversion in "fF":
            number_f = php.to_float(argument)
            text = f"{abs(number_f):.{6 if precision is None else precision}f}"
            sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion in "eE":
            number_f = php.to_float(argument)
            mantissa, exponent = f"{abs(number_f):.{6 if precision is None else precision}e}".split("e")
            text = f"{mantissa}{conversion.lower()}{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent))}"
            sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion in "gG":
            number_f = php.to_float(argument)
            text = f"{abs(number_f):.{precision or 6}{conversion}}"
            sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion == "x":
            text, sign = format(php.to_int(argument) & (2**64 - 1), "x"), ""
        elif conversion == "X":
            text, sign = format(php.to_int(argument) & (2**64 - 1), "X"), ""
        elif conversion == "o":
            text, sign = format(php.to_int(argument) & (2**64 - 1), "o"), ""
        elif conversion == "b":
            text, sign = format(php.to_int(argument) & (2**64 - 1), "b"), ""
        elif conversion == "c":
            return chr(php.to_int(argument) % 256)
        else:
            text, sign = php.to_string(argument), ""
            if precision is not None:
                text = text[:precision]
        body = sign + text
        if len(body) >= width:
            return body
        if left:
            return body + (" " if pad == "0" else pad) * (width - len(body))
        if pad == "0" and conversion not in "sc":
            return sign + "0" * (width - len(body)) + text
        return pad * (width - len(body)) + body

    result = _FORMAT_SPEC.sub(convert, fmt)
    check_value_size(result)
    return result


def f_format(value: Any, *arguments: Any) -> str:
    return sprintf(str(php.string_argument(value, "sprintf", "#1 ($format)")), *arguments)


def f_convert_encoding(value: Any, to: Any = None, source: Any = None) -> str:
    return str(php.string_argument(value, "iconv", "#3 ($string)"))


def _key_value(key: str) -> Any:
    return int(key) if _CANONICAL_INT.match(key) else key


# --------------------------------------------------------------------------- tests


def t_defined(value: Any) -> bool:
    return not isinstance(value, Undefined)


def t_null(value: Any) -> bool:
    return php.is_null(value)


def t_empty(value: Any) -> bool:
    if php.is_null(value) or value is False:
        return True
    if isinstance(value, str | dict | list):
        return len(value) == 0
    return False


def t_iterable(value: Any) -> bool:
    return isinstance(value, dict | list)


def t_even(value: Any) -> bool:
    return php.modulo(value, 2) == 0


def t_odd(value: Any) -> bool:
    return php.modulo(value, 2) != 0


def t_divisibleby(value: Any, divisor: Any) -> bool:
    return php.modulo(value, divisor) == 0


def t_sameas(value: Any, other: Any) -> bool:
    if php.is_null(value) and php.is_null(other):
        return True
    return type(value) is type(other) and value == other


def t_mapping(value: Any) -> bool:
    return isinstance(value, dict) and not all(str(key) == str(index) for index, key in enumerate(value))


def t_sequence(value: Any) -> bool:
    return isinstance(value, list) or (
        isinstance(value, dict) and all(str(key) == str(index) for index, key in enumerate(value))
    )


# --------------------------------------------------------------------------- functions


def fn_date(value: Any = None, timezone: Any = None) -> datetime:
    return php_date.parse_date(value, timezone)


def fn_max(*values: Any) -> Any:
    return _extreme("max", values, 1)


def fn_min(*values: Any) -> Any:
    return _extreme("min", values, -1)


def _extreme(name: str, values: tuple[Any, ...], sign: int) -> Any:
    """PHP ``max()`` (sign 1) / ``min()`` (sign -1): of one array's values, or of the arguments."""
    if len(values) == 1 and not isinstance(values[0], dict | list):
        raise php.PhpTypeError(
            f"{name}(): Argument #1 ($value) must be of type array, {php.php_type(values[0])} given"
        )
    candidates = (
        _values(values[0]) if len(values) == 1 and isinstance(values[0], dict | list) else list(values)
    )
    if not candidates:
        raise TwigRuntimeError(f"{name}(): Argument #1 ($value) must contain at least one element")
    _check_compared(candidates)
    best = candidates[0]
    for candidate in candidates[1:]:
        if php.compare(candidate, best) * sign > 0:
            best = candidate
    return best


def fn_cycle(values: Any, position: Any) -> Any:
    """``$values[$position % count($values)]``: a negative position finds no element."""
    if not isinstance(values, dict | list):
        return values
    index = php.modulo(position, len(values))
    return attribute(values, index)


def fn_random(values: Any = None, maximum: Any = None) -> Any:
    if php.is_null(values):
        return _random.randint(0, 2**31 - 1)
    if isinstance(values, dict | list):
        items = _values(values)
        return _random.choice(items) if items else UNDEFINED
    if isinstance(values, str):
        return _random.choice(values) if values else ""
    low, high = (0, php.to_int(values)) if php.is_null(maximum) else (php.to_int(values), php.to_int(maximum))
    return _random.randint(min(low, high), max(low, high))


def fn_generate_uuid() -> str:
    return str(uuid.uuid4())


def globals_attribute(obj: Any, name: Any, arguments: Any = None) -> Any:
    return attribute(obj, name)


def raw_constant(value: Any) -> Markup:
    # Twig prints template literals unescaped; they are the template author's text, not data.
    return Markup(php.to_string(value))  # noqa: S704


FILTERS: dict[str, Callable[..., Any]] = {
    "default": f_default,
    "length": f_length,
    "count": f_length,
    "upper": f_upper,
    "lower": f_lower,
    "capitalize": f_capitalize,
    "title": f_title,
    "trim": f_trim,
    "join": f_join,
    "split": f_split,
    "replace": f_replace,
    "keys": f_keys,
    "first": f_first,
    "last": f_last,
    "reverse": f_reverse,
    "slice": slice_value,
    "merge": f_merge,
    "abs": f_abs,
    "round": f_round,
    "number_format": f_number_format,
    "json_encode": f_json_encode,
    "json_decode": f_json_decode,
    "b64enc": f_b64enc,
    "b64dec": f_b64dec,
    "slugify": f_slugify,
    "raw": f_raw,
    "e": f_escape,
    "escape": f_escape,
    "nl2br": f_nl2br,
    "striptags": f_striptags,
    "spaceless": f_spaceless,
    "url_encode": f_url_encode,
    "column": f_column,
    "map": f_map,
    "filter": f_filter,
    "reduce": f_reduce,
    "sort": f_sort,
    "batch": f_batch,
    "date": f_date,
    "date_modify": f_date_modify,
    "format": f_format,
    "convert_encoding": f_convert_encoding,
}

TESTS: dict[str, Callable[..., bool]] = {
    "defined": t_defined,
    "twig_null": t_null,
    "none": t_null,
    "empty": t_empty,
    "iterable": t_iterable,
    "even": t_even,
    "odd": t_odd,
    "divisibleby": t_divisibleby,
    "sameas": t_sameas,
    "mapping": t_mapping,
    "sequence": t_sequence,
}

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "range": twig_range,
    "date": fn_date,
    "attribute": globals_attribute,
    "max": fn_max,
    "min": fn_min,
    "cycle": fn_cycle,
    "random": fn_random,
    "generateUuid": fn_generate_uuid,
}

HELPERS: dict[str, Callable[..., Any]] = {
    "_a": attribute_path,
    "_method": call_method,
    "_slice": slice_value,
    "_t": truthy,
    "_isset": is_set,
    "_cat": concat,
    "_eq": loose_equals,
    "_ne": lambda left, right: not loose_equals(left, right),
    "_cmp": compare,
    "_lt": lambda left, right: compare(left, right) < 0,
    "_gt": lambda left, right: compare(left, right) > 0,
    "_le": lambda left, right: compare(left, right) <= 0,
    "_ge": lambda left, right: compare(left, right) >= 0,
    "_in": contains,
    "_matches": matches,
    "_starts": starts_with,
    "_ends": ends_with,
    "_has_some": has_some,
    "_has_every": has_every,
    "_rng": twig_range,
    "_add": php.add,
    "_sub": php.subtract,
    "_mul": php.multiply,
    "_div": php.divide,
    "_fdiv": php.floor_divide,
    "_mod": php.modulo,
    "_pow": php.power,
    "_neg": php.negate,
    "_pos": positive,
    "_band": bitwise_and,
    "_bor": bitwise_or,
    "_bxor": bitwise_xor,
    "_set": assign,
    "_for": for_loop,
    "_with": with_scope,
    "_arrow": make_arrow,
    "_key": php_key,
    "_raw_const": raw_constant,
}
