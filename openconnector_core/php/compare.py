"""PHP 8 truthiness and comparison: ``==``, ``<=>`` (``zend_compare``) and ``===``."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from jinja2 import Undefined

from .objects import PhpObject, compare_objects
from .values import ARRAYS, PhpTypeError, as_dict, is_null, numeric_string, php_type, to_string

_PLAIN = (bool, int, float, dict, list)  # whose PHP truthiness is Python's
_NUMBERS = (int, float)


def truthy(value: Any) -> bool:
    """PHP boolean conversion: ``""``, ``"0"``, ``0``, ``0.0``, ``null`` and empty arrays are false."""
    kind = type(value)
    if kind is str:
        return value != "" and value != "0"  # type: ignore[no-any-return]
    if value is None:
        return False
    if kind is dict or kind is list or kind is int or kind is bool or kind is float:
        return bool(value)
    if isinstance(value, str):
        return value != "" and value != "0"
    if isinstance(value, _PLAIN):
        return bool(value)
    return not isinstance(value, Undefined)


def is_empty(value: Any) -> bool:
    """PHP ``empty()``."""
    return not truthy(value)


def _compare_numbers(left: int | float, right: int | float) -> int:
    """Two numbers: integers exactly, otherwise both as floats (so NAN compares as 1, like PHP)."""
    if type(left) is int and type(right) is int:
        return (left > right) - (left < right)
    left, right = float(left), float(right)
    return 0 if left == right else (-1 if left < right else 1)


_NUMERIC_START = frozenset("0123456789+-. \t\n\r\v\f")


def _compare_strings(left: str, right: str) -> int:
    """Two strings (``zendi_smart_strcmp``): numerically if both are numeric, else byte-wise.

    Python compares code points, which orders exactly like UTF-8 bytes.
    """
    if left and right and left[0] in _NUMERIC_START and right[0] in _NUMERIC_START:
        left_number = numeric_string(left)
        if left_number is not None:
            right_number = numeric_string(right)
            if right_number is not None:
                result = _compare_numeric_strings(left, left_number, right, right_number)
                if result is not None:
                    return result
    return (left > right) - (left < right)


def _overflow(text: str, number: int | float) -> int:
    """1 or -1 if ``text`` is an integer string beyond 64 bits (read as a float), else 0."""
    if type(number) is float and not any(c in text for c in ".eE"):
        return 1 if number > 0 else -1
    return 0


def _compare_numeric_strings(left: str, left_number: Any, right: str, right_number: Any) -> int | None:
    """PHP's rules for two numeric strings; None where PHP falls back to comparing the text."""
    if type(left_number) is int and type(right_number) is int:
        return (left_number > right_number) - (left_number < right_number)
    left_overflow, right_overflow = _overflow(left, left_number), _overflow(right, right_number)
    if left_overflow and left_overflow == right_overflow and left_number == right_number:
        return None  # both overflowed to the same float: the float would lose the difference
    if type(left_number) is int:
        if right_overflow:
            return -right_overflow
    elif type(right_number) is int:
        if left_overflow:
            return left_overflow
    elif left_number == right_number and math.isinf(left_number):
        return None
    return _compare_numbers(left_number, right_number)


def _compare_number_string(number: int | float, text: str) -> int:
    parsed = numeric_string(text)
    if parsed is None:
        as_text = to_string(number)
        return (as_text > text) - (as_text < text)
    return _compare_numbers(number, parsed)


def compare(left: Any, right: Any) -> int:
    """PHP 8 ``$left <=> $right`` (``zend_compare``), returning -1, 0 or 1.

    Arrays that cannot be compared (a key of one missing in the other) give 1 in both directions.
    """
    left_type, right_type = type(left), type(right)
    if left_type is str:
        if right_type is str:
            return _compare_strings(left, right)
        if right_type is int or right_type is float:
            return -_compare_number_string(right, left)
    elif left_type is int or left_type is float:
        if right_type is int or right_type is float:
            return _compare_numbers(left, right)
        if right_type is str:
            return _compare_number_string(left, right)
    return _compare_other(left, right)


def _compare_other(left: Any, right: Any) -> int:
    if isinstance(left, Undefined):
        left = None
    if isinstance(right, Undefined):
        right = None
    if isinstance(left, str):
        if isinstance(right, str):
            return _compare_strings(left, right)
        if right is None:
            return 0 if left == "" else 1
    elif left is None and isinstance(right, str):
        return 0 if right == "" else -1
    if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
        return int(truthy(left)) - int(truthy(right))
    if isinstance(left, ARRAYS):
        return _compare_arrays(as_dict(left), as_dict(right)) if isinstance(right, ARRAYS) else 1
    if isinstance(right, ARRAYS):
        return -1
    left_is_number, right_is_number = isinstance(left, _NUMBERS), isinstance(right, _NUMBERS)
    if left_is_number and right_is_number:
        return _compare_numbers(left, right)
    if left_is_number and isinstance(right, str):
        return _compare_number_string(left, right)
    if right_is_number and isinstance(left, str):
        return -_compare_number_string(right, left)
    if isinstance(left, PhpObject) or isinstance(right, PhpObject):
        if isinstance(left, _NUMBERS) or isinstance(right, _NUMBERS):  # the object is read as 1
            return compare(
                1 if isinstance(left, PhpObject) else left, 1 if isinstance(right, PhpObject) else right
            )
        return compare_objects(left, right)
    if isinstance(left, datetime) and isinstance(right, datetime):
        return (left > right) - (left < right)
    if isinstance(left, datetime) or isinstance(right, datetime):
        return 0
    raise PhpTypeError(f"Cannot compare {php_type(left)} with {php_type(right)}")


def _compare_arrays(left: dict[str, Any], right: dict[str, Any]) -> int:
    if len(left) != len(right):
        return -1 if len(left) < len(right) else 1
    for key, item in left.items():
        if key not in right:
            return 1
        result = compare(item, right[key])
        if result:
            return result
    return 0


def loose_equals(left: Any, right: Any) -> bool:
    """PHP 8 ``==``."""
    if type(left) is str and type(right) is str:
        return left == right or _compare_strings(left, right) == 0
    if isinstance(left, ARRAYS) and isinstance(right, ARRAYS):
        left_dict, right_dict = as_dict(left), as_dict(right)
        if left_dict.keys() != right_dict.keys():
            return False
        return all(loose_equals(item, right_dict[key]) for key, item in left_dict.items())
    return compare(left, right) == 0


def identical(left: Any, right: Any) -> bool:
    """PHP ``===``: same type (int and float differ) and, for arrays, the same keys in the same order
    with identical values (a list and a dict with keys "0".."n-1" are the same PHP array)."""
    if isinstance(left, ARRAYS) and isinstance(right, ARRAYS):
        if type(left) is list and type(right) is list:
            return len(left) == len(right) and all(map(identical, left, right))
        left_dict, right_dict = as_dict(left), as_dict(right)
        return list(left_dict) == list(right_dict) and all(
            identical(item, right_dict[key]) for key, item in left_dict.items()
        )
    if is_null(left):
        return is_null(right)
    if isinstance(left, str):
        return isinstance(right, str) and left == right
    return type(left) is type(right) and bool(left == right)
