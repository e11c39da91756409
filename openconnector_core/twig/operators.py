"""Twig operators with PHP semantics: truthiness, ``==``, ``<=>``, ``~``, ``in``, ``..``, ``matches``,
``starts with``, bitwise operators."""

from __future__ import annotations

import re
from typing import Any

from openconnector_core import php

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
    """Twig ``range`` / ``..``: inclusive, numbers or single letters; refuses huge ranges.
    Twig 3.5's ``range`` is PHP's ``range($low, $high, $step = 1)``: one argument is an error."""
    if high is MISSING:
        raise TwigRuntimeError(f"range() expects at least 2 arguments, {int(low is not MISSING)} given")
    if low is MISSING:
        raise TwigRuntimeError('Value for argument "low" is required for function "range".')
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
    return compare(left, right) > 0


def less_equal(left: Any, right: Any) -> bool:
    return compare(left, right) <= 0


def greater_equal(left: Any, right: Any) -> bool:
    return compare(left, right) >= 0
