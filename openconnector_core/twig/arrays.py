"""Twig's array filters: ``keys``, ``first``, ``last``, ``reverse``, ``merge``, ``column``, ``map``,
``filter``, ``reduce``, ``sort``, ``batch``."""

from __future__ import annotations

import functools
from typing import Any

from openconnector_core import php

from .access import (
    CANONICAL_INT,
    TwigRuntimeError,
    globals_attribute,
    key_value,
    listify,
    pairs_of,
    php_key,
    rebuild,
    values_of,
)
from .filters import require_array
from .limits import check_items, current_budget
from .operators import check_compared, truthy


def f_keys(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [int(key) if CANONICAL_INT.match(str(key)) else key for key in value]
    if isinstance(value, list):
        return list(range(len(value)))
    return []


def f_first(value: Any) -> Any:
    if isinstance(value, php.ARRAYS):
        values = values_of(value)
        return values[0] if values else False  # PHP reset() of an empty array
    text = php.to_string(value)
    return text[:1]


def f_last(value: Any) -> Any:
    if isinstance(value, php.ARRAYS):
        values = values_of(value)
        return values[-1] if values else False
    text = php.to_string(value)
    return text[-1:]


def f_reverse(value: Any, preserve_keys: bool = False) -> Any:
    if isinstance(value, php.ARRAYS):
        return rebuild(list(pairs_of(value))[::-1], preserve_keys)
    return php.to_string(value)[::-1]


def f_merge(arr1: Any, arr2: Any) -> Any:
    for position, operand in enumerate((arr1, arr2), 1):
        if not isinstance(operand, php.ARRAYS):
            raise TwigRuntimeError(
                f'The merge filter only works with arrays or "Traversable", got "{php.php_type(operand)}" '
                f"for argument {position}."
            )
    check_items(len(arr1) + len(arr2))
    if isinstance(arr1, list) and isinstance(arr2, list):
        return arr1 + arr2
    return rebuild([*pairs_of(arr1), *pairs_of(arr2)], preserve_keys=False)


def f_column(value: Any, name: Any, index: Any = None) -> Any:
    require_array(
        value, 'The column filter only works with arrays or "Traversable", got "{}" as first argument.'
    )
    key = php_key(name)
    rows = [row for row in map(_row, values_of(value)) if key in row]
    if php.is_null(index):
        return [row[key] for row in rows]
    index_key = php_key(index)
    keyed: dict[str, Any] = {}
    next_index = 0
    for row in rows:
        if index_key in row and not isinstance(row[index_key], php.ARRAYS):
            row_key = php_key(row[index_key])
        else:
            row_key = str(next_index)
        keyed[row_key] = row[key]
        if CANONICAL_INT.match(row_key):
            next_index = max(next_index, int(row_key) + 1)
    return listify(keyed)


def _row(item: Any) -> dict[str, Any]:
    """A row of ``array_column`` by its keys (a list's are its indexes); not an array: no keys."""
    if isinstance(item, dict):
        return item
    return {str(index): cell for index, cell in enumerate(item)} if isinstance(item, list) else {}


def _call(arrow: Any, *arguments: Any) -> Any:
    if not callable(arrow):
        raise TwigRuntimeError("The callback passed to a filter must be an arrow function")
    return arrow(*arguments)


def f_map(value: Any, arrow: Any = None, attribute: Any = None) -> Any:
    if arrow is None and attribute is not None:
        return [globals_attribute(item, attribute) for item in values_of(value)]
    pairs = [(key, _call(arrow, item, key_value(key))) for key, item in pairs_of(value)]
    return listify(dict(pairs))


def f_filter(value: Any, arrow: Any) -> Any:
    require_array(value, 'The "filter" filter expects an array or "Traversable", got "{}".')
    pairs = [(key, item) for key, item in pairs_of(value) if truthy(_call(arrow, item, key_value(key)))]
    return listify(dict(pairs))


def f_find(value: Any, arrow: Any) -> Any:
    """Twig 3.11's ``find``: the first value the arrow holds true for, else null."""
    require_array(value, 'The "find" filter expects an array or "Traversable", got "{}".')
    for key, item in pairs_of(value):
        if truthy(_call(arrow, item, key_value(key))):
            return item
    return None


def f_reduce(value: Any, arrow: Any, initial: Any = None) -> Any:
    require_array(
        value, 'The "reduce" filter only works with arrays or "Traversable", got "{}" as first argument.'
    )
    carry = initial
    for key, item in pairs_of(value):
        carry = _call(arrow, carry, item, key_value(key))
    return carry


def f_sort(value: Any, arrow: Any = None) -> Any:
    require_array(value, 'The sort filter only works with arrays or "Traversable", got "{}".')
    pairs: list[tuple[str, Any]] = list(pairs_of(value))
    if arrow is None:
        check_compared(value)

    budget = current_budget()
    compared = 0

    def by_value(a: tuple[str, Any], b: tuple[str, Any]) -> int:
        nonlocal compared
        compared += 1
        if compared & 0x3FF == 0:  # n log n comparisons of PHP values: mind the clock
            budget.check_time()
        return php.compare(a[1], b[1]) if arrow is None else php.to_int(_call(arrow, a[1], b[1]))

    ordered = sorted(pairs, key=functools.cmp_to_key(by_value))
    return listify(dict(ordered))


def f_batch(value: Any, size: Any, fill: Any = None, preserve_keys: bool = True) -> list[Any]:
    require_array(value, 'The "batch" filter expects an array or "Traversable", got "{}".')
    chunk_size = php.to_int(size)
    if chunk_size < 1:
        raise TwigRuntimeError("The batch size must be greater than zero")
    pairs = list(pairs_of(value))
    chunks = [pairs[index : index + chunk_size] for index in range(0, len(pairs), chunk_size)]
    if chunks and not php.is_null(fill) and len(chunks[-1]) < chunk_size:
        last = chunks[-1]
        check_items(chunk_size)
        current_budget().tick(chunk_size - len(last))
        # PHP appends ($chunk[] = $fill): after the chunk's largest integer key, else at 0
        numbers = [int(key) for key, _ in last if CANONICAL_INT.match(key)]
        next_index = max(numbers) + 1 if numbers else 0
        while len(last) < chunk_size:
            last.append((str(next_index), fill))
            next_index += 1
    return [listify(dict(chunk)) if preserve_keys else [item for _, item in chunk] for chunk in chunks]
