"""Twig operators with PHP semantics: truthiness, ``==``, ``<=>``, ``~``, ``in``, ``..``, ``matches``,
``starts with``, bitwise operators."""

from __future__ import annotations

import math
import re
from typing import Any

from openconnector_core import php
from openconnector_core.php.objects import PhpObject

from .access import MISSING, TwigRuntimeError, pairs_of
from .limits import (
    MAX_RANGE,
    LimitExceededError,
    check_expanded_size,
    check_projected_size,
    check_value_size,
    current_budget,
)
from .pcre import pcre_search

truthy = php.truthy  # PHP truthiness (an alias: one call less in every condition)


def is_set(value: Any) -> bool:
    return not php.is_null(value)


MAX_COMPARED_SIZE = 1_000_000


def check_compared(*values: Any) -> None:
    """Arrays are compared element by element, recursively: refuse ones that expand beyond reason
    (shared sub-arrays make ``[l, l]`` doubling cheap to build and exponential to compare)."""
    for value in values:
        if type(value) is dict or type(value) is list:
            check_expanded_size(value, MAX_COMPARED_SIZE)


def loose_equals(left: Any, right: Any) -> bool:
    """PHP ``==``."""
    if (type(left) is dict or type(left) is list) and (type(right) is dict or type(right) is list):
        check_compared(left, right)
    return php.loose_equals(left, right)


def compare(left: Any, right: Any) -> int:
    """PHP ``<=>``."""
    if (type(left) is dict or type(left) is list) and (type(right) is dict or type(right) is list):
        check_compared(left, right)
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
    if isinstance(haystack, php.ARRAYS):
        values = haystack.values() if isinstance(haystack, dict) else haystack
        if isinstance(needle, php.ARRAYS):
            check_compared(needle, haystack)
        elif isinstance(needle, PhpObject):  # Twig: in_array(..., true), the same instance only
            return any(item is needle for item in values)
        if len(haystack) <= 4096:
            return any(php.loose_equals(needle, item) for item in values)
        budget = current_budget()
        for index, item in enumerate(values):
            if index & 0xFFF == 0:
                budget.check_time()
            if php.loose_equals(needle, item):
                return True
        return False
    if isinstance(haystack, str) and isinstance(needle, str | int | float) and not isinstance(needle, bool):
        text = php.to_string(needle)
        return text == "" or text in haystack
    return False


def twig_range(low: Any = MISSING, high: Any = MISSING, step: Any = 1) -> list[Any]:
    """Twig ``range`` / ``..``: PHP 8.2's ``range($low, $high, $step = 1)`` (one argument is an error):
    letters for two non-numeric strings, else floats or ints as PHP converts them; refuses huge ranges."""
    if high is MISSING:
        raise TwigRuntimeError(f"range() expects at least 2 arguments, {int(low is not MISSING)} given")
    if low is MISSING:
        raise TwigRuntimeError('Value for argument "low" is required for function "range".')
    step_is_float = isinstance(step, float) or (
        isinstance(step, str) and type(php.numeric_string(step)) is float
    )
    stride = abs(php.to_float(step))
    if isinstance(low, str) and isinstance(high, str) and low and high:
        kinds = {type(php.numeric_string(low)), type(php.numeric_string(high))}
        if float in kinds or step_is_float:
            return _float_range(php.to_float(low), php.to_float(high), stride)
        if int not in kinds:  # the first bytes' codes
            codes = _int_range(low.encode()[0], high.encode()[0], php.float_to_int(stride))
            return [chr(code) for code in codes]
        return _int_range(php.to_int(low), php.to_int(high), stride)
    if isinstance(low, float) or isinstance(high, float) or step_is_float:
        return _float_range(php.to_float(low), php.to_float(high), stride)
    return _int_range(php.to_int(low), php.to_int(high), stride)


def _range_error() -> TwigRuntimeError:
    return TwigRuntimeError("range(): Argument #3 ($step) must not exceed the specified range")


def _range_size(count: float) -> int:
    if count > MAX_RANGE:
        raise LimitExceededError(f"range of {count:.0f} elements exceeds the limit of {MAX_RANGE}")
    current_budget().tick(int(count))
    return int(count)


def _int_range(low: int, high: int, step: float) -> list[Any]:
    stride = int(step)
    if step <= 0 or stride <= 0 or 0 < abs(high - low) < stride:  # (a step beyond the span too)
        raise _range_error()
    if low == high:
        return [low]
    direction = 1 if high > low else -1
    size = _range_size(abs(high - low) // stride + 1)
    return [low + direction * index * stride for index in range(size)]


def _float_range(low: float, high: float, step: float) -> list[Any]:
    if math.isinf(low) or math.isinf(high):
        raise TwigRuntimeError(f"Invalid range supplied: start={low:.0f} end={high:.0f}")
    if low == high:
        return [low]
    if step <= 0 or abs(high - low) < step:
        raise _range_error()
    direction = 1.0 if high > low else -1.0
    size = _range_size(math.floor(abs(high - low) / step + 1 + 0.5))  # PHP rounds half up
    values = (low + direction * index * step for index in range(size))
    return [value for value in values if (value <= high if direction > 0 else value >= high)]


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
    flags = 0 if "u" in modifiers else re.ASCII  # without /u PCRE's \s, \w, \d and /i are ASCII only
    for modifier in modifiers:
        flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE, "u": 0}.get(
            modifier, 0
        )
    return re.compile(body, flags)


def is_string(value: Any) -> bool:
    return isinstance(value, str)


def starts_with(subject: Any, prefix: Any) -> bool:
    return isinstance(subject, str) and isinstance(prefix, str) and subject.startswith(prefix)


def ends_with(subject: Any, suffix: Any) -> bool:
    return isinstance(subject, str) and isinstance(suffix, str) and subject.endswith(suffix)


def has_some(values: Any, arrow: Any) -> bool:
    return any(truthy(arrow(item, key)) for key, item in pairs_of(values))


def has_every(values: Any, arrow: Any) -> bool:
    return all(truthy(arrow(item, key)) for key, item in pairs_of(values))


def bitwise_and(left: Any, right: Any) -> Any:
    return php.bitwise(left, right, "&")


def bitwise_or(left: Any, right: Any) -> Any:
    return php.bitwise(left, right, "|")


def bitwise_xor(left: Any, right: Any) -> Any:
    return php.bitwise(left, right, "^")


def positive(value: Any) -> int | float:
    return php.to_number(value)


def not_equals(left: Any, right: Any) -> bool:
    return not loose_equals(left, right)


def less(left: Any, right: Any) -> bool:
    return compare(left, right) < 0


def greater(left: Any, right: Any) -> bool:
    # PHP evaluates $a > $b as $b < $a: it differs for arrays that cannot be compared (1 both ways)
    return compare(right, left) < 0


def less_equal(left: Any, right: Any) -> bool:
    return compare(left, right) <= 0


def greater_equal(left: Any, right: Any) -> bool:
    return compare(right, left) <= 0
