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
import re
from collections.abc import Callable
from typing import Any, Literal

from openconnector_core.errors import ConditionError

__all__ = ["MAX_DEPTH", "PassMode", "evaluate", "is_truthy_jsonlogic", "is_truthy_php", "passes"]

PassMode = Literal["endpoint", "rule", "synchronization-action", "synchronization"]

MAX_DEPTH = 100
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1

# PHP 8 numeric strings: optional leading/trailing whitespace, no hex, no underscores.
_NUMERIC = re.compile(
    r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[ \t\n\r\v\f]*"
)
_INT_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


# --------------------------------------------------------------------------- PHP value semantics


def is_truthy_php(value: Any) -> bool:
    """PHP's ``(bool)`` cast (and so ``$value == true``): ``"0"``, ``""``, ``0``, ``[]``/``{}`` are false."""
    if isinstance(value, str):
        return value not in ("", "0")
    return bool(value)


def is_truthy_jsonlogic(value: Any) -> bool:
    """json-logic-php's ``truthy``: like PHP, except that the string ``"0"`` is true (as in JS)."""
    if isinstance(value, str) and value == "0":
        return True
    return is_truthy_php(value)


def _is_array(value: Any) -> bool:
    return isinstance(value, (list, dict))


def _php_key(key: Any) -> Any:
    """PHP stores integer-like string keys ("5", "-1", not "05") as integers."""
    if isinstance(key, str) and _INT_KEY.match(key):
        number = int(key)
        if _INT_MIN <= number <= _INT_MAX:
            return number
    return key


def _entries(array: list[Any] | dict[Any, Any]) -> list[tuple[Any, Any]]:
    if isinstance(array, list):
        return list(enumerate(array))
    return [(_php_key(k), v) for k, v in array.items()]


def _from_entries(entries: list[tuple[Any, Any]]) -> list[Any] | dict[str, Any]:
    """A PHP array back to JSON shape: keys exactly 0..n-1 in order make a list, else an object."""
    if all(type(key) is int and key == i for i, (key, _) in enumerate(entries)):
        return [value for _, value in entries]
    return {str(key): value for key, value in entries}


def _values(array: list[Any] | dict[Any, Any]) -> list[Any]:
    return array if isinstance(array, list) else list(array.values())


def _numeric_prefix(text: str) -> tuple[int | float | None, bool]:
    """The number at the start of ``text`` and whether it spans the whole string (PHP-numeric)."""
    match = _NUMERIC.match(text)
    if match is None:
        return None, False
    token = match.group(1)
    whole = match.end() == len(text)
    if "." in token or "e" in token or "E" in token:
        return float(token), whole
    number = int(token)
    return (number if _INT_MIN <= number <= _INT_MAX else float(number)), whole


def _numeric(text: str) -> int | float | None:
    number, whole = _numeric_prefix(text)
    return number if whole else None


def _int_result(number: int | float) -> int | float:
    """PHP integers are 64-bit; an overflowing integer result becomes a float."""
    if type(number) is int and not _INT_MIN <= number <= _INT_MAX:
        return float(number)
    return number


def _float_to_str(number: float) -> str:
    """PHP 8 ``(string)$float``: 14 significant digits, ``1.0E+20`` exponent style."""
    if math.isnan(number):
        return "NAN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    text = f"{number:.14G}"
    if "E" not in text:
        return text
    mantissa, exponent = text.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    exp = int(exponent)
    return f"{mantissa}E{'+' if exp >= 0 else '-'}{abs(exp)}"


def _to_str(value: Any, array: str | None = "Array") -> str:
    """PHP string conversion; ``array`` is what an array becomes (``None``: a TypeError)."""
    if isinstance(value, str):
        return value
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_to_str(value)
    if _is_array(value) and array is not None:
        return array
    raise ConditionError(f"Cannot convert {_type_name(value)} to string")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if _is_array(value):
        return "array"
    return type(value).__name__


def _threeway(a: float, b: float) -> int:
    return 0 if a == b else (-1 if a < b else 1)


def _compare(a: Any, b: Any) -> int:
    """PHP 8 ``$a <=> $b`` (zend_compare). Uncomparable arrays give 1 in both directions."""
    if a is None and isinstance(b, str):
        return 0 if b == "" else -1
    if b is None and isinstance(a, str):
        return 0 if a == "" else 1
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return int(is_truthy_php(a)) - int(is_truthy_php(b))
    if _is_array(a):
        return _compare_arrays(a, b) if _is_array(b) else 1
    if _is_array(b):
        return -1
    if isinstance(a, str):
        if isinstance(b, str):
            return _compare_strings(a, b)
        return -_compare_number_string(b, a)
    if isinstance(b, str):
        return _compare_number_string(a, b)
    return _compare_numbers(a, b)


def _compare_numbers(a: Any, b: Any) -> int:
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        raise ConditionError(f"Cannot compare {_type_name(a)} with {_type_name(b)}")
    if type(a) is int and type(b) is int:
        return (a > b) - (a < b)
    return _threeway(float(a), float(b))


def _compare_number_string(number: Any, text: str) -> int:
    parsed = _numeric(text)
    if parsed is None:
        as_text = _to_str(number, array=None)
        return (as_text > text) - (as_text < text)
    return _compare_numbers(number, parsed)


def _compare_strings(a: str, b: str) -> int:
    num_a = _numeric(a)
    num_b = _numeric(b) if num_a is not None else None
    # Two integer strings that both overflow to the same float are compared as text, like PHP.
    if num_a is not None and num_b is not None and not (num_a == num_b and _both_overflow(a, b)):
        return _compare_numbers(num_a, num_b)
    return (a > b) - (a < b)


def _both_overflow(a: str, b: str) -> bool:
    def overflows(text: str) -> bool:
        token = text.strip(" \t\n\r\v\f")
        return not any(c in token for c in ".eE") and not _INT_MIN <= int(token) <= _INT_MAX

    return overflows(a) and overflows(b)


def _compare_arrays(a: Any, b: Any) -> int:
    left, right = _entries(a), dict(_entries(b))
    if len(left) != len(right):
        return -1 if len(left) < len(right) else 1
    for key, value in left:
        if key not in right:
            return 1
        result = _compare(value, right[key])
        if result:
            return result
    return 0


def _loose_equal(a: Any, b: Any) -> bool:
    return _compare(a, b) == 0


def _identical(a: Any, b: Any) -> bool:
    """PHP ``===``: same type (int and float differ) and, for arrays, same keys in the same order."""
    if _is_array(a) and _is_array(b):
        left, right = _entries(a), _entries(b)
        return len(left) == len(right) and all(
            ka == kb and type(ka) is type(kb) and _identical(va, vb)
            for (ka, va), (kb, vb) in zip(left, right, strict=True)
        )
    if type(a) is not type(b):
        return False
    return bool(a == b)


# --------------------------------------------------------------------------- PHP arithmetic


def _operand(value: Any, op: str) -> int | float:
    """Operand of ``- * / %``: non-numeric strings and arrays are a TypeError in PHP 8."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        number, _ = _numeric_prefix(value)  # leading-numeric "12abc" counts (with a PHP warning)
        if number is not None:
            return number
    raise ConditionError(f"Unsupported operand types: {_type_name(value)} {op} int")


def _to_long(number: int | float) -> int:
    if isinstance(number, int):
        return number
    if not math.isfinite(number):
        return 0
    return ((int(number) - _INT_MIN) % 2**64) + _INT_MIN


def _op_add(*args: Any) -> int | float:
    # array_sum(): arrays are skipped, non-numeric strings count as 0.
    total: int | float = 0
    for value in args:
        if _is_array(value):
            continue
        if isinstance(value, str):
            number, _ = _numeric_prefix(value)
            total += 0 if number is None else number
        else:
            total += _operand(value, "+")
        total = _int_result(total)
    return total


def _op_sub(a: Any, b: Any = None) -> int | float:
    if b is None:  # {"-": [5, null]} is unary in the original
        return _int_result(_operand(a, "*") * -1)
    return _int_result(_operand(a, "-") - _operand(b, "-"))


def _op_mul(*args: Any) -> int | float:
    product: int | float = 1
    for value in args:
        product = _int_result(product * _operand(value, "*"))
    return product


def _op_div(a: Any, b: Any) -> int | float:
    x, y = _operand(a, "/"), _operand(b, "/")
    if y == 0:
        raise ConditionError("Division by zero")
    if type(x) is int and type(y) is int and x % y == 0:
        return _int_result(x // y)
    return float(x) / float(y)


def _op_mod(a: Any, b: Any) -> int:
    x, y = _to_long(_operand(a, "%")), _to_long(_operand(b, "%"))
    if y == 0:
        raise ConditionError("Modulo by zero")
    remainder = abs(x) % abs(y)
    return -remainder if x < 0 else remainder


# --------------------------------------------------------------------------- other operators


def _op_lt(a: Any, b: Any, c: Any = None) -> bool:
    if c is None:
        return _compare(a, b) < 0
    return _compare(a, b) < 0 and _compare(b, c) < 0


def _op_le(a: Any, b: Any, c: Any = None) -> bool:
    if c is None:
        return _compare(a, b) <= 0
    return _compare(a, b) <= 0 and _compare(b, c) <= 0


def _op_in(a: Any, b: Any) -> bool:
    if _is_array(b):
        return any(_loose_equal(a, item) for item in _values(b))
    if isinstance(b, str):
        return _to_str(a, array=None) in b
    return False


def _minmax(args: tuple[Any, ...], sign: int) -> Any:
    if not args:
        raise ConditionError("min()/max(): Argument #1 ($value) must contain at least one element")
    best = args[0]
    for value in args[1:]:
        if _compare(best, value) * sign < 0:
            best = value
    return best


def _op_merge(*args: Any) -> list[Any] | dict[str, Any]:
    # array_merge((array)$a, (array)$b): integer keys renumbered, string keys overwrite.
    merged: dict[Any, Any] = {}
    position = 0
    for value in args:
        if value is None:
            continue
        for key, item in _entries(value) if _is_array(value) else [(0, value)]:
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
        parsed = _numeric(value)
        if parsed is None:
            raise ConditionError(f"substr(): Argument ({name}) must be of type int, string given")
        value = parsed
    if isinstance(value, float):
        if not math.isfinite(value) or not _INT_MIN <= value <= _INT_MAX:
            raise ConditionError(f"substr(): Argument ({name}) must be of type int, float given")
        return int(value)
    if isinstance(value, int):
        return value
    raise ConditionError(f"substr(): Argument ({name}) must be of type int, {_type_name(value)} given")


def _op_substr(*args: Any) -> str:
    if not 2 <= len(args) <= 3:
        raise ConditionError(f"substr() expects 2 or 3 arguments, {len(args)} given")
    raw = _to_str(args[0], array=None).encode()  # PHP's substr counts bytes
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
    if _is_array(a):
        raise ConditionError("error_log(): Argument #1 ($message) must be of type string, array given")
    return a


def _op_cat(*args: Any) -> str:
    return "".join(_to_str(value) for value in args)


# operator -> (minimum number of arguments, implementation); missing arguments are PHP's
# ArgumentCountError, surplus arguments are ignored as PHP closures ignore them.
_OPERATORS: dict[str, tuple[int, Callable[..., Any]]] = {
    "==": (2, lambda a, b, *_: _loose_equal(a, b)),
    "===": (2, lambda a, b, *_: _identical(a, b)),
    "!=": (2, lambda a, b, *_: not _loose_equal(a, b)),
    "!==": (2, lambda a, b, *_: not _identical(a, b)),
    ">": (2, lambda a, b, *_: _compare(b, a) < 0),
    ">=": (2, lambda a, b, *_: _compare(b, a) <= 0),
    "<": (2, lambda a, b, c=None, *_: _op_lt(a, b, c)),
    "<=": (2, lambda a, b, c=None, *_: _op_le(a, b, c)),
    "%": (2, lambda a, b, *_: _op_mod(a, b)),
    "!!": (1, lambda a, *_: is_truthy_jsonlogic(a)),
    "!": (1, lambda a, *_: not is_truthy_jsonlogic(a)),
    "log": (1, lambda a, *_: _op_log(a)),
    "in": (2, lambda a, b, *_: _op_in(a, b)),
    "cat": (0, _op_cat),
    "max": (0, lambda *args: _minmax(args, 1)),
    "min": (0, lambda *args: _minmax(args, -1)),
    "+": (0, _op_add),
    "-": (1, lambda a, b=None, *_: _op_sub(a, b)),
    "/": (2, lambda a, b, *_: _op_div(a, b)),
    "*": (0, _op_mul),
    "merge": (0, _op_merge),
    "substr": (0, _op_substr),
}


# --------------------------------------------------------------------------- evaluator


def _is_logic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return isinstance(key, str) and not isinstance(_php_key(key), int)


def _arguments(rule: dict[str, Any], op: str) -> list[Any]:
    """The operator's arguments; a single non-list argument is wrapped (``{"var": "a"}``)."""
    values = rule[op]
    if not _is_array(values) or _is_logic(values):
        return [values]
    if isinstance(values, dict) and not all(isinstance(_php_key(k), int) for k in values):
        # PHP would pass string keys as *named* arguments; no sensible rule does that.
        raise ConditionError(f"Arguments of operator {op} must be a list, not an object")
    return _values(values)


def _at(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _apply(rule: Any, data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ConditionError(f"JSON-logic rule nested deeper than {MAX_DEPTH} levels")
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
        if not _is_array(options):
            raise ConditionError(
                f"count(): Argument #1 ($value) must be of type array, {_type_name(options)} given"
            )
        are_missing = _apply({"missing": options}, data, deeper)
        if _compare(len(options) - len(are_missing), minimum) >= 0:
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
    for part in _to_str(path, array=None).split("."):
        # isset($data[$prop]): only arrays are descended into, and a null value counts as absent.
        if isinstance(data, dict):
            value = data.get(part)
            if value is None and not isinstance(_php_key(part), str):
                value = data.get(_php_key(part))
        elif isinstance(data, list):
            index = _php_key(part)
            value = data[index] if isinstance(index, int) and 0 <= index < len(data) else None
        else:
            return default
        if value is None:
            return default
        data = value
    return data


def _missing(args: list[Any], data: Any, depth: int) -> list[Any]:
    keys = args[0] if args and _is_array(args[0]) else args
    missing = []
    for key in _values(keys) if _is_array(keys) else keys:
        value = _apply({"var": key}, data, depth)
        if value is None or value == "":
            missing.append(key)
    return missing


def _scoped(op: str, values: list[Any], data: Any, depth: int) -> Any:
    scoped = _apply(_at(values, 0), data, depth)
    logic = _at(values, 1)
    if op == "reduce":
        accumulator = _apply(values[2], data, depth) if len(values) > 2 else None
        if not is_truthy_php(scoped) or not _is_array(scoped):
            return accumulator
        for current in _values(scoped):
            accumulator = _apply(logic, {"current": current, "accumulator": accumulator}, depth)
        return accumulator
    if op == "all":
        if not is_truthy_php(scoped):
            return False
        items = _values(scoped) if _is_array(scoped) else []  # foreach over a scalar: no iterations
        return all(is_truthy_jsonlogic(_apply(logic, item, depth)) for item in items)
    if not is_truthy_php(scoped) or not _is_array(scoped):
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
    try:
        return _apply(rule, data, 0)
    except RecursionError as error:  # deeply nested *data* compared element by element
        raise ConditionError("JSON-logic data nested too deeply") from error


def passes(result: Any, mode: PassMode) -> bool:
    """Turn a raw result into pass/fail the way the original does at each place it uses conditions.

    * ``endpoint`` (endpoint ``conditions``): ``true``, ``[]``/``{}`` or ``null``.
    * ``rule`` (endpoint rule ``conditions``): ``$result == true`` in PHP, i.e. PHP truthiness.
    * ``synchronization-action`` (rules run inside a synchronization): exactly ``true``.
    * ``synchronization`` (synchronization ``conditions``): PHP truthiness (``"0"`` fails).
    """
    if mode == "endpoint":
        return result is True or result is None or (_is_array(result) and not result)
    if mode in ("rule", "synchronization"):
        return is_truthy_php(result)
    if mode == "synchronization-action":
        return result is True
    raise ValueError(f"Unknown condition mode: {mode!r}")
