"""JSON-logic conditions with the semantics of jwadhams/json-logic-php 1.5.1 on PHP 8.

The original evaluates conditions with that PHP library; its results follow from PHP itself (loose
``==``, ``(string)`` of floats, ``array_sum``, byte-wise ``substr``, ...). No Python package
reproduces that (see docs/adr/0004-json-logic-evaluator.md), so this is a small purpose-written
evaluator. Values are JSON-shaped: ``None``, ``bool``, ``int``, ``float``, ``str``, ``list`` and
``dict`` (a PHP array: an empty ``dict`` is the same as an empty ``list``). Evaluation never touches
attributes of Python objects, there is no operator that reaches Python code, and nesting is bounded.

``evaluate`` returns the raw result; ``passes`` turns it into pass/fail with one of the four
acceptance predicates the original applies in different places (see docs/conditions.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

from openconnector_core import deadline, php
from openconnector_core.errors import ConditionError
from openconnector_core.php import compare, is_array, loose_equals

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_STRING_LENGTH",
    "PassMode",
    "evaluate",
    "is_truthy_jsonlogic",
    "is_truthy_php",
    "passes",
]

PassMode = Literal["endpoint", "rule", "synchronization-action", "synchronization"]

MAX_DEPTH = 100
MAX_STRING_LENGTH = 1_000_000
"""Characters a ``cat`` may build (a ``reduce`` that doubles a string reaches any size otherwise)."""
MAX_ITEMS = 100_000
"""Elements a ``merge`` may build."""
TIME_BUDGET_SECONDS = 1.0
"""One evaluation, like one mapping run; an enclosing deadline (``openconnector_core.deadline``) that
ends earlier wins."""
_CHECK_EVERY = 1024  # steps between clock reads

_budget = threading.local()

# --------------------------------------------------------------------------- JSON-logic on PHP values

is_truthy_php = php.truthy  # PHP's ``(bool)`` cast (and so ``$value == true``)


def is_truthy_jsonlogic(value: Any) -> bool:
    """json-logic-php's ``truthy``: like PHP, except that the string ``"0"`` is true (as in JS)."""
    if isinstance(value, str) and value == "0":
        return True
    return php.truthy(value)


def _entries(array: list[Any] | dict[Any, Any]) -> list[tuple[Any, Any]]:
    if isinstance(array, list):
        return list(enumerate(array))
    return [(php.array_key(k), v) for k, v in array.items()]


def _from_entries(entries: list[tuple[Any, Any]]) -> list[Any] | dict[str, Any]:
    """A PHP array back to JSON shape: keys exactly 0..n-1 in order make a list, else an object."""
    if all(type(key) is int and key == i for i, (key, _) in enumerate(entries)):
        return [value for _, value in entries]
    return {str(key): value for key, value in entries}


def _values(array: list[Any] | dict[Any, Any]) -> list[Any]:
    return array if isinstance(array, list) else list(array.values())


# --------------------------------------------------------------------------- arithmetic


def _op_add(*args: Any) -> int | float:
    # array_sum(): arrays are skipped, non-numeric strings count as 0.
    total: int | float = 0
    for value in args:
        if is_array(value):
            continue
        if isinstance(value, str):
            number, _ = php.numeric_prefix(value)
            value = 0 if number is None else number
        total = php.add(total, value)
    return total


def _op_sub(a: Any, b: Any = None) -> int | float:
    if b is None:  # {"-": [5, null]} is unary in the original
        return php.negate(a)
    return php.subtract(a, b)


def _op_mul(*args: Any) -> int | float:
    product: int | float = 1
    for value in args:
        product = php.multiply(product, value)
    return product


# --------------------------------------------------------------------------- other operators


def _op_lt(a: Any, b: Any, c: Any = None) -> bool:
    if c is None:
        return compare(a, b) < 0
    return compare(a, b) < 0 and compare(b, c) < 0


def _op_le(a: Any, b: Any, c: Any = None) -> bool:
    if c is None:
        return compare(a, b) <= 0
    return compare(a, b) <= 0 and compare(b, c) <= 0


def _op_in(a: Any, b: Any) -> bool:
    if is_array(b):
        return any(loose_equals(a, item) for item in _values(b))
    if isinstance(b, str):
        return php.string_argument(a, "strpos", "#2 ($needle)") in b
    return False


def _minmax(args: tuple[Any, ...], sign: int) -> Any:
    if not args:
        raise ConditionError("min()/max(): Argument #1 ($value) must contain at least one element")
    best = args[0]
    for value in args[1:]:
        if compare(best, value) * sign < 0:
            best = value
    return best


def _op_merge(*args: Any) -> list[Any] | dict[str, Any]:
    # array_merge((array)$a, (array)$b): integer keys renumbered, string keys overwrite.
    if sum(len(value) if is_array(value) else 1 for value in args) > MAX_ITEMS:
        raise ConditionError(f"JSON-logic size limit: merge would build an array over {MAX_ITEMS} elements")
    merged: dict[Any, Any] = {}
    position = 0
    for value in args:
        if value is None:
            continue
        for key, item in _entries(value) if is_array(value) else [(0, value)]:
            if isinstance(key, int):
                merged[position] = item
                position += 1
            else:
                merged[key] = item
    return _from_entries(list(merged.items()))


def _int_param(value: Any, name: str) -> int:
    """Coercive ``int`` parameter of a PHP internal function (used by ``substr``)."""
    if isinstance(value, bool) or value is None:
        return int(bool(value))
    if isinstance(value, str):
        parsed = php.numeric_string(value)
        if parsed is None:
            raise ConditionError(f"substr(): Argument ({name}) must be of type int, string given")
        value = parsed
    if isinstance(value, float):
        if not math.isfinite(value) or not php.INT_MIN <= value <= php.INT_MAX:
            raise ConditionError(f"substr(): Argument ({name}) must be of type int, float given")
        return int(value)
    if isinstance(value, int):
        return value
    raise ConditionError(f"substr(): Argument ({name}) must be of type int, {php.php_type(value)} given")


def _op_substr(*args: Any) -> str:
    if not 2 <= len(args) <= 3:
        raise ConditionError(f"substr() expects 2 or 3 arguments, {len(args)} given")
    raw = php.string_argument(args[0], "substr").encode()  # PHP's substr counts bytes
    size = len(raw)
    start = _int_param(args[1], "$offset")
    length = None if len(args) < 3 or args[2] is None else _int_param(args[2], "$length")
    if start > size:
        return ""
    if start < 0:
        start = 0 if -start > size else size + start
    if length is None:
        length = size - start
    elif length < 0:
        length = 0 if -length > size - start else size - start + length
    return raw[start : start + length].decode(errors="replace")


def _op_log(a: Any) -> Any:
    if is_array(a):
        raise ConditionError("error_log(): Argument #1 ($message) must be of type string, array given")
    return a


def _op_cat(*args: Any) -> str:
    parts = [php.to_string(value) for value in args]
    if sum(len(part) for part in parts) > MAX_STRING_LENGTH:
        raise ConditionError(
            f"JSON-logic size limit: cat would build a string over {MAX_STRING_LENGTH} characters"
        )
    return "".join(parts)


# operator -> (minimum number of arguments, implementation); missing arguments are PHP's
# ArgumentCountError, surplus arguments are ignored as PHP closures ignore them.
_OPERATORS: dict[str, tuple[int, Callable[..., Any]]] = {
    "==": (2, lambda a, b, *_: loose_equals(a, b)),
    "===": (2, lambda a, b, *_: php.identical(a, b)),
    "!=": (2, lambda a, b, *_: not loose_equals(a, b)),
    "!==": (2, lambda a, b, *_: not php.identical(a, b)),
    ">": (2, lambda a, b, *_: compare(b, a) < 0),
    ">=": (2, lambda a, b, *_: compare(b, a) <= 0),
    "<": (2, lambda a, b, c=None, *_: _op_lt(a, b, c)),
    "<=": (2, lambda a, b, c=None, *_: _op_le(a, b, c)),
    "%": (2, lambda a, b, *_: php.modulo(a, b)),
    "!!": (1, lambda a, *_: is_truthy_jsonlogic(a)),
    "!": (1, lambda a, *_: not is_truthy_jsonlogic(a)),
    "log": (1, lambda a, *_: _op_log(a)),
    "in": (2, lambda a, b, *_: _op_in(a, b)),
    "cat": (0, _op_cat),
    "max": (0, lambda *args: _minmax(args, 1)),
    "min": (0, lambda *args: _minmax(args, -1)),
    "+": (0, _op_add),
    "-": (1, lambda a, b=None, *_: _op_sub(a, b)),
    "/": (2, lambda a, b, *_: php.divide(a, b)),
    "*": (0, _op_mul),
    "merge": (0, _op_merge),
    "substr": (0, _op_substr),
}


# --------------------------------------------------------------------------- evaluator


def _is_logic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and not isinstance(php.array_key(key), int)


def _arguments(rule: dict[str, Any], op: str) -> list[Any]:
    """The operator's arguments; a single non-list argument is wrapped (``{"var": "a"}``)."""
    values = rule[op]
    if not is_array(values) or _is_logic(values):
        return [values]
    if isinstance(values, dict) and not all(isinstance(php.array_key(k), int) for k in values):
        # PHP would pass string keys as *named* arguments; no sensible rule does that.
        raise ConditionError(f"Arguments of operator {op} must be a list, not an object")
    return _values(values)


def _at(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _apply(rule: Any, data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ConditionError(f"JSON-logic rule nested deeper than {MAX_DEPTH} levels")
    _budget.steps += 1
    if _budget.steps % _CHECK_EVERY == 0 and time.monotonic() > _budget.ends:
        raise ConditionError(
            f"JSON-logic time limit: the rule did not finish within {TIME_BUDGET_SECONDS:g} s "
            f"({_budget.steps} steps)"
        )
    if not _is_logic(rule):
        if isinstance(rule, list):
            return [_apply(item, data, depth + 1) for item in rule]
        if isinstance(rule, dict):
            return _from_entries([(k, _apply(v, data, depth + 1)) for k, v in _entries(rule)])
        return rule

    op: str = next(iter(rule))
    values = _arguments(rule, op)
    deeper = depth + 1

    if op in ("if", "?:"):
        i = 0
        while i < len(values) - 1:
            if is_truthy_jsonlogic(_apply(values[i], data, deeper)):
                return _apply(values[i + 1], data, deeper)
            i += 2
        return _apply(values[i], data, deeper) if len(values) == i + 1 else None
    if op in ("and", "or"):
        current = None
        for value in values:
            current = _apply(value, data, deeper)
            if is_truthy_jsonlogic(current) is (op == "or"):
                return current
        return current
    if op in ("filter", "map", "reduce", "all", "none", "some"):
        return _scoped(op, values, data, deeper)
    if op == "var":
        return _var(data, *(_apply(value, data, deeper) for value in values))
    if op == "missing":
        return _missing([_apply(value, data, deeper) for value in values], data, deeper)
    if op == "missing_some":
        args = [_apply(value, data, deeper) for value in values]
        if len(args) < 2:
            raise ConditionError("missing_some needs a minimum and a list of keys")
        minimum, options = args[0], args[1]
        if not is_array(options):
            raise ConditionError(
                f"count(): Argument #1 ($value) must be of type array, {php.php_type(options)} given"
            )
        are_missing = _apply({"missing": options}, data, deeper)
        if compare(len(options) - len(are_missing), minimum) >= 0:
            return []
        return are_missing

    if op not in _OPERATORS:
        raise ConditionError(f"Unrecognized operator {op}")
    minimum, operation = _OPERATORS[op]
    args = [_apply(value, data, deeper) for value in values]
    if len(args) < minimum:
        raise ConditionError(f"Too few arguments for operator {op}: {len(args)} given, {minimum} needed")
    return operation(*args)


def _var(data: Any, path: Any = None, default: Any = None, *_: Any) -> Any:
    if path is None or path == "":
        return data
    for part in php.string_argument(path, "explode", "#2 ($string)").split("."):
        # isset($data[$prop]): only arrays are descended into, and a null value counts as absent.
        if isinstance(data, dict):
            value = data.get(part)
            if value is None and not isinstance(php.array_key(part), str):
                value = data.get(php.array_key(part))
        elif isinstance(data, list):
            index = php.array_key(part)
            value = data[index] if isinstance(index, int) and 0 <= index < len(data) else None
        else:
            return default
        if value is None:
            return default
        data = value
    return data


def _missing(args: list[Any], data: Any, depth: int) -> list[Any]:
    keys = args[0] if args and is_array(args[0]) else args
    missing = []
    for key in _values(keys) if is_array(keys) else keys:
        value = _apply({"var": key}, data, depth)
        if value is None or value == "":
            missing.append(key)
    return missing


def _scoped(op: str, values: list[Any], data: Any, depth: int) -> Any:
    scoped = _apply(_at(values, 0), data, depth)
    logic = _at(values, 1)
    if op == "reduce":
        accumulator = _apply(values[2], data, depth) if len(values) > 2 else None
        if not is_truthy_php(scoped) or not is_array(scoped):
            return accumulator
        for current in _values(scoped):
            accumulator = _apply(logic, {"current": current, "accumulator": accumulator}, depth)
        return accumulator
    if op == "all":
        if not is_truthy_php(scoped):
            return False
        items = _values(scoped) if is_array(scoped) else []  # foreach over a scalar: no iterations
        return all(is_truthy_jsonlogic(_apply(logic, item, depth)) for item in items)
    if not is_truthy_php(scoped) or not is_array(scoped):
        return False if op == "some" else (True if op == "none" else [])
    if op == "map":
        if isinstance(scoped, list):
            return [_apply(logic, item, depth) for item in scoped]
        return _from_entries([(k, _apply(logic, v, depth)) for k, v in _entries(scoped)])
    kept = [item for item in _values(scoped) if is_truthy_jsonlogic(_apply(logic, item, depth))]
    if op == "filter":
        return kept
    return bool(kept) if op == "some" else not kept


def evaluate(rule: Any, data: Any = None) -> Any:
    """Evaluate a JSON-logic ``rule`` against ``data`` and return the raw result.

    Raises ``ConditionError`` for an unknown operator or arguments PHP would reject.
    """
    outer = getattr(_budget, "ends", None)
    ends = time.monotonic() + TIME_BUDGET_SECONDS
    enclosing = deadline.current()
    for earlier in (enclosing, outer):
        if earlier is not None:
            ends = min(ends, earlier)
    _budget.ends = ends
    if outer is None:
        _budget.steps = 0  # a nested evaluation (e.g. from a template) shares the outer count
    try:
        return _apply(rule, data, 0)
    except (php.PhpTypeError, ZeroDivisionError) as error:  # what PHP throws as an Error
        raise ConditionError(str(error)) from error
    except RecursionError as error:  # deeply nested *data* compared element by element
        raise ConditionError("JSON-logic data nested too deeply") from error
    finally:
        if outer is None:
            del _budget.ends
        else:
            _budget.ends = outer


def passes(result: Any, mode: PassMode) -> bool:
    """Turn a raw result into pass/fail the way the original does at each place it uses conditions.

    * ``endpoint`` (endpoint ``conditions``): ``true``, ``[]``/``{}`` or ``null``.
    * ``rule`` (endpoint rule ``conditions``): ``$result == true`` in PHP, i.e. PHP truthiness.
    * ``synchronization-action`` (rules run inside a synchronization): exactly ``true``.
    * ``synchronization`` (synchronization ``conditions``): PHP truthiness (``"0"`` fails).
    """
    if mode == "endpoint":
        return result is True or result is None or (is_array(result) and not result)
    if mode in ("rule", "synchronization"):
        return is_truthy_php(result)
    if mode == "synchronization-action":
        return result is True
    raise ValueError(f"Unknown condition mode: {mode!r}")
