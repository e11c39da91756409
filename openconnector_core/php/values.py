"""PHP 8 values: types, string conversion, numeric strings and casts, arithmetic."""

from __future__ import annotations

import math
import re
from typing import Any

from jinja2 import Undefined

INT_MAX = 2**63 - 1
INT_MIN = -(2**63)

# PHP 8 numeric strings: optional leading/trailing whitespace, ASCII digits only, no hex, no "_".
_NUMERIC_PREFIX = re.compile(r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_TRAILING_SPACE = re.compile(r"[ \t\n\r\v\f]*\Z")
_INTEGER_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
# "Is a PHP array": the one test, as a tuple for isinstance (a ``dict | list`` union is built per call).
ARRAYS = (dict, list)


class PhpTypeError(TypeError):
    """What PHP 8 throws as a TypeError (e.g. arithmetic on a non-numeric string)."""


def is_null(value: Any) -> bool:
    return value is None or isinstance(value, Undefined)


def is_array(value: Any) -> bool:
    return isinstance(value, (dict, list))  # a tuple: faster than a union here


def array_key(key: Any) -> Any:
    """The key PHP stores: integer-like strings (``"5"``, ``"-1"``, not ``"05"``) become integers."""
    if isinstance(key, str) and _INTEGER_KEY.match(key):
        number = int(key)
        if INT_MIN <= number <= INT_MAX:
            return number
    return key


def php_type(value: Any) -> str:
    """The type name PHP uses in error messages (``get_debug_type`` for scalars and arrays)."""
    if is_null(value):
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, ARRAYS):
        return "array"
    return type(value).__name__


# --------------------------------------------------------------------------- string conversion


def float_to_string(value: float) -> str:
    """``(string) $float``: PHP's ``precision`` ini setting (14 digits), ``1.0E+20`` exponent style.

    (``json_encode`` and ``var_export`` use ``serialize_precision`` instead; see ``json_encode``.)
    """
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    return gcvt(value, 14, "E")


def gcvt(number: float, precision: int, letter: str) -> str:
    """``zend_gcvt``, PHP's ``%g`` / ``%G``: ``precision`` significant digits (trailing zeros
    dropped), exponential form when the exponent is below -4 or at least ``precision``, written with
    at least one digit after the point and an exponent without leading zeros (``1.0e-5``,
    ``1.23457e+8``); ``-0`` keeps its sign."""
    mantissa, exponent = f"{abs(number):.{precision - 1}e}".split("e")
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    point = int(exponent) + 1  # zend_dtoa's decpt: digits before the decimal point
    if number == 0:
        digits, point = "0", 1
    sign = "-" if math.copysign(1.0, number) < 0 else ""
    if point > precision or point < -3:
        power = point - 1
        text = f"{digits[0]}.{digits[1:] or '0'}{letter}{'-' if power < 0 else '+'}{abs(power)}"
    elif point <= 0:
        text = "0." + "0" * -point + digits
    else:
        whole = digits[:point].ljust(point, "0")
        text = whole + ("." + digits[point:] if len(digits) > point else "")
    return sign + text


def to_string(value: Any) -> str:
    """``(string) $value``; arrays become ``"Array"`` as in PHP (which also warns)."""
    value_type = type(value)
    if value_type is str:
        text: str = value  # checked exactly (faster than isinstance)
        return text
    if value_type is int and INT_MIN <= value <= INT_MAX:
        return str(value)
    if value_type is float:
        return float_to_string(value)
    if isinstance(value, str):
        return value
    if value is True:
        return "1"
    if value is False or value is None or isinstance(value, Undefined):
        return ""
    if isinstance(value, int):
        # Integers beyond 64 bits are floats in PHP.
        return str(value) if INT_MIN <= value <= INT_MAX else float_to_string(float(value))
    if isinstance(value, float):
        return float_to_string(value)
    if isinstance(value, ARRAYS):
        return "Array"
    return str(value)


def string_argument(value: Any, function: str, argument: str = "#1 ($string)") -> str:
    """A ``string`` parameter of a PHP internal function: scalars convert, arrays are a TypeError."""
    if type(value) is str:
        return value
    if isinstance(value, ARRAYS):
        raise PhpTypeError(f"{function}(): Argument {argument} must be of type string, array given")
    return to_string(value)


# --------------------------------------------------------------------------- numbers


def numeric_prefix(text: str) -> tuple[int | float | None, bool]:
    """The number at the start of ``text`` (None if there is none) and whether it is the whole string,
    i.e. whether ``text`` is a PHP *numeric string*. Integers beyond 64 bits become floats."""
    match = _NUMERIC_PREFIX.match(text)
    if match is None:
        return None, False
    token = match.group(1)
    end = match.end()
    whole = end == len(text) or _TRAILING_SPACE.match(text, end) is not None
    if "." in token or "e" in token or "E" in token:
        return float(token), whole
    number = int(token)
    return (number if INT_MIN <= number <= INT_MAX else float(number)), whole


def numeric_string(text: str) -> int | float | None:
    """The number a PHP *numeric string* stands for (whitespace allowed around it), else None."""
    number, whole = numeric_prefix(text)
    return number if whole else None


def float_to_int(value: float) -> int:
    """``(int) $float``: NAN and INF give 0, out-of-range values wrap modulo 2**64 (PHP 8 on 64-bit)."""
    if math.isnan(value) or math.isinf(value):
        return 0
    truncated = int(value)
    if INT_MIN <= truncated <= INT_MAX:
        return truncated
    return ((truncated - INT_MIN) % 2**64) + INT_MIN


def _string_to_int(text: str) -> int:
    """``(int) $string``: the leading number, saturated at the 64-bit bounds (INF gives 0)."""
    match = _NUMERIC_PREFIX.match(text)
    if not match:
        return 0
    token = match.group(1)
    if "." in token or "e" in token or "E" in token:
        number = float(token)
        if math.isinf(number):
            return 0
        return max(INT_MIN, min(INT_MAX, int(number)))
    return max(INT_MIN, min(INT_MAX, int(token)))


def to_int(value: Any) -> int:
    """``(int) $value``."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return float_to_int(value)
    if value is None or isinstance(value, Undefined):
        return 0
    if isinstance(value, str):
        return _string_to_int(value)
    if isinstance(value, ARRAYS):
        return 1 if value else 0
    return 0


def to_float(value: Any) -> float:
    """``(float) $value``."""
    if isinstance(value, bool | int | float):
        return float(value)
    if value is None or isinstance(value, Undefined):
        return 0.0
    if isinstance(value, str):
        match = _NUMERIC_PREFIX.match(value)
        return float(match.group(1)) if match else 0.0
    if isinstance(value, ARRAYS):
        return 1.0 if value else 0.0
    return 0.0


def to_number(value: Any, operator: str = "+") -> int | float:
    """The operand PHP 8 arithmetic uses; non-numeric strings and arrays raise a TypeError.

    A leading-numeric string (``"12abc"``) counts as its number, as in PHP (which warns)."""
    value_type = type(value)
    if value_type is int or value_type is float:
        exact: int | float = value  # checked exactly (faster than isinstance)
        return exact
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if value is None or isinstance(value, Undefined):
        return 0
    if isinstance(value, str):
        number, _ = numeric_prefix(value)
        if number is None:
            raise PhpTypeError(
                f'Unsupported operand types: string {operator} number ("{value}" is not numeric)'
            )
        return number
    raise PhpTypeError(f"Unsupported operand types: {php_type(value)} {operator} number")


def _to_long_operand(value: Any, operator: str) -> int:
    """The integer operand of ``%``: a numeric string saturates, a float wraps (as ``(int)``)."""
    number = to_number(value, operator)
    if isinstance(value, str):
        return _string_to_int(value)
    return number if isinstance(number, int) else float_to_int(number)


def bitwise(left: Any, right: Any, operator: str) -> Any:
    """``&``, ``|``, ``^`` on integers (a non-numeric string operand is a TypeError); on two strings
    PHP works byte by byte (``|`` pads the shorter one, ``&`` and ``^`` cut to the shorter one)."""
    if isinstance(left, str) and isinstance(right, str):
        a, b = left.encode(), right.encode()
        if operator == "|":
            size = max(len(a), len(b))
            pairs = zip(a.ljust(size, b"\0"), b.ljust(size, b"\0"), strict=True)
            return bytes(x | y for x, y in pairs).decode("utf-8", "replace")
        if operator == "&":
            return bytes(x & y for x, y in zip(a, b, strict=False)).decode("utf-8", "replace")
        return bytes(x ^ y for x, y in zip(a, b, strict=False)).decode("utf-8", "replace")
    first, second = _to_long_operand(left, operator), _to_long_operand(right, operator)
    if operator == "&":
        return first & second
    return first | second if operator == "|" else first ^ second


def _int_or_float(value: int | float) -> int | float:
    if type(value) is int and not INT_MIN <= value <= INT_MAX:
        return float(value)
    return value


def add(left: Any, right: Any) -> Any:
    if isinstance(left, ARRAYS) and isinstance(right, ARRAYS):
        return array_union(left, right)
    return _int_or_float(to_number(left, "+") + to_number(right, "+"))


def subtract(left: Any, right: Any) -> int | float:
    return _int_or_float(to_number(left, "-") - to_number(right, "-"))


def multiply(left: Any, right: Any) -> int | float:
    return _int_or_float(to_number(left, "*") * to_number(right, "*"))


def divide(left: Any, right: Any) -> int | float:
    dividend, divisor = to_number(left, "/"), to_number(right, "/")
    if divisor == 0:
        raise ZeroDivisionError("Division by zero")
    if isinstance(dividend, int) and isinstance(divisor, int) and dividend % divisor == 0:
        return _int_or_float(dividend // divisor)
    return float(dividend) / float(divisor)  # PHP divides doubles (not Python's exact int / int)


def floor_divide(left: Any, right: Any) -> int | float:
    """Twig ``//``: ``(int) floor(a / b)``."""
    quotient = divide(left, right)
    return to_int(math.floor(quotient)) if isinstance(quotient, float) else quotient


def modulo(left: Any, right: Any) -> int:
    dividend, divisor = _to_long_operand(left, "%"), _to_long_operand(right, "%")
    if divisor == 0:
        raise ZeroDivisionError("Modulo by zero")
    result = abs(dividend) % abs(divisor)
    return -result if dividend < 0 else result


def power(left: Any, right: Any) -> int | float:
    base, exponent = to_number(left, "**"), to_number(right, "**")
    # Estimate the size first: PHP overflows to float instead of computing huge integers.
    if (
        isinstance(base, int)
        and isinstance(exponent, int)
        and exponent >= 0
        and (base in (0, 1, -1) or exponent * math.log2(abs(base)) < 63)
    ):
        return _int_or_float(base**exponent)
    try:
        result = float(base) ** float(exponent)
    except OverflowError:
        return math.inf
    except ZeroDivisionError:
        return math.inf
    return result if isinstance(result, float) else math.nan  # a negative base with a fraction


def negate(value: Any) -> int | float:
    return _int_or_float(-to_number(value, "*"))


def array_union(left: Any, right: Any) -> dict[str, Any]:
    result = as_dict(left)
    for key, item in as_dict(right).items():
        result.setdefault(key, item)
    return result


def as_dict(value: Any) -> dict[str, Any]:
    """A PHP array as an ordered dict with string keys (copy)."""
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    return {}
