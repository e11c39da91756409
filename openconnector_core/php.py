"""PHP 8 value semantics the original relies on: string conversion, numeric strings and casts, loose
comparison (``==``, ``<=>``), identity (``===``), arithmetic, truthiness, ``json_encode``, HTML
entities and URL encoding. The mapping engine (Twig) and the JSON-logic evaluator both use it.

Values are JSON-like Python data (dict, list, str, int, float, bool, None). A dict or list stands for
a PHP array; Jinja's ``Undefined`` is treated as ``null``. Each rule here was checked against
``php`` 8.2.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from html.entities import codepoint2name, name2codepoint
from typing import Any

from jinja2 import Undefined

INT_MAX = 2**63 - 1
INT_MIN = -(2**63)

# PHP 8 numeric strings: optional leading/trailing whitespace, ASCII digits only, no hex, no "_".
_NUMERIC_PREFIX = re.compile(r"[ \t\n\r\v\f]*([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")
_TRAILING_SPACE = re.compile(r"[ \t\n\r\v\f]*\Z")
_INTEGER_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
# PHP arrays, as a tuple for isinstance: a ``dict | list`` union is built anew on every call (slower).
_ARRAYS = (dict, list)


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
    if isinstance(value, _ARRAYS):
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
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    text = f"{value:.14G}"
    if "E" not in text:
        return text
    mantissa, exponent_text = text.split("E")
    if "." not in mantissa:
        mantissa += ".0"
    exponent = int(exponent_text)
    return f"{mantissa}E{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def to_string(value: Any) -> str:
    """``(string) $value``; arrays become ``"Array"`` as in PHP (which also warns)."""
    value_type = type(value)
    if value_type is str:
        return value
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
    if isinstance(value, _ARRAYS):
        return "Array"
    return str(value)


def string_argument(value: Any, function: str, argument: str = "#1 ($string)") -> str:
    """A ``string`` parameter of a PHP internal function: scalars convert, arrays are a TypeError."""
    if type(value) is str:
        return value
    if isinstance(value, _ARRAYS):
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


def _float_to_int(value: float) -> int:
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
        return _float_to_int(value)
    if value is None or isinstance(value, Undefined):
        return 0
    if isinstance(value, str):
        return _string_to_int(value)
    if isinstance(value, _ARRAYS):
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
    if isinstance(value, _ARRAYS):
        return 1.0 if value else 0.0
    return 0.0


def to_number(value: Any, operator: str = "+") -> int | float:
    """The operand PHP 8 arithmetic uses; non-numeric strings and arrays raise a TypeError.

    A leading-numeric string (``"12abc"``) counts as its number, as in PHP (which warns)."""
    value_type = type(value)
    if value_type is int or value_type is float:
        return value
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
    return number if isinstance(number, int) else _float_to_int(number)


def bitwise(left: Any, right: Any, operator: str) -> Any:
    """``&``, ``|``, ``^`` on integers (a non-numeric string operand is a TypeError); on two strings
    PHP works byte by byte (``|`` pads the shorter one, ``&`` and ``^`` cut to the shorter one)."""
    if isinstance(left, str) and isinstance(right, str):
        a, b = left.encode(), right.encode()
        if operator == "|":
            size = max(len(a), len(b))
            pairs = zip(a.ljust(size, b"\0"), b.ljust(size, b"\0"), strict=True)
            return bytes(x | y for x, y in pairs).decode("utf-8", "replace")
        combine = (lambda x, y: x & y) if operator == "&" else (lambda x, y: x ^ y)
        return bytes(combine(x, y) for x, y in zip(a, b, strict=False)).decode("utf-8", "replace")
    first, second = _to_long_operand(left, operator), _to_long_operand(right, operator)
    if operator == "&":
        return first & second
    return first | second if operator == "|" else first ^ second


def _int_or_float(value: int | float) -> int | float:
    if type(value) is int and not INT_MIN <= value <= INT_MAX:
        return float(value)
    return value


def add(left: Any, right: Any) -> Any:
    if isinstance(left, _ARRAYS) and isinstance(right, _ARRAYS):
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
    return dividend / divisor


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


# --------------------------------------------------------------------------- truthiness and comparison


def truthy(value: Any) -> bool:
    """PHP boolean conversion: ``""``, ``"0"``, ``0``, ``0.0``, ``null`` and empty arrays are false."""
    if isinstance(value, str):
        return value != "" and value != "0"
    if value is None:
        return False
    if isinstance(value, bool | int | float | dict | list):
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
    if isinstance(left, _ARRAYS):
        return _compare_arrays(as_dict(left), as_dict(right)) if isinstance(right, _ARRAYS) else 1
    if isinstance(right, _ARRAYS):
        return -1
    left_is_number, right_is_number = isinstance(left, int | float), isinstance(right, int | float)
    if left_is_number and right_is_number:
        return _compare_numbers(left, right)
    if left_is_number and isinstance(right, str):
        return _compare_number_string(left, right)
    if right_is_number and isinstance(left, str):
        return -_compare_number_string(right, left)
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
    if isinstance(left, _ARRAYS) and isinstance(right, _ARRAYS):
        left_dict, right_dict = as_dict(left), as_dict(right)
        if left_dict.keys() != right_dict.keys():
            return False
        return all(loose_equals(item, right_dict[key]) for key, item in left_dict.items())
    return compare(left, right) == 0


def identical(left: Any, right: Any) -> bool:
    """PHP ``===``: same type (int and float differ) and, for arrays, the same keys in the same order
    with identical values (a list and a dict with keys "0".."n-1" are the same PHP array)."""
    if isinstance(left, _ARRAYS) and isinstance(right, _ARRAYS):
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


# --------------------------------------------------------------------------- json


def php_json_float(value: float) -> str:
    """A float as PHP's ``json_encode`` writes it (``serialize_precision`` -1, no zero fraction):
    ``3.0`` → ``3``, ``-0.0`` → ``-0``, ``0.1`` → ``0.1``, ``1e20`` → ``1.0e+20``, ``1e-5`` → ``1.0e-5``."""
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    shift = int(exponent) if exponent else 0
    if whole == "0":  # 0.000123: the digits start after the leading zeros of the fraction
        digits = fraction.lstrip("0")
        point = shift - (len(fraction) - len(digits))
    else:
        digits = whole + fraction
        point = shift + len(whole)
    digits = digits.rstrip("0") or "0"
    if point < -3 or point > 17:  # zend_gcvt with precision 17: exponent notation
        power = point - 1
        return f"{sign}{digits[0]}.{digits[1:] or '0'}e{'-' if power < 0 else '+'}{abs(power)}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if len(digits) <= point:
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _normalize_for_json(value: Any, has_floats: list[bool]) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if not value:
            return []
        if all(str(key) == str(index) for index, key in enumerate(value)):
            return [_normalize_for_json(item, has_floats) for item in value.values()]
        return {str(key): _normalize_for_json(item, has_floats) for key, item in value.items()}
    if isinstance(value, (list, tuple)):  # a tuple, not a union built per call
        return [_normalize_for_json(item, has_floats) for item in value]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("Inf and NaN cannot be JSON encoded")
        if not has_floats:
            has_floats.append(True)
        return value
    if value is None or isinstance(value, int | bool):
        return value
    if isinstance(value, Undefined):
        return None
    return str(value)


# A JSON string (kept as is) or a number with a fraction or an exponent (a float written by Python).
_JSON_FLOAT = re.compile(r'("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)')


_ESCAPED_DEL = re.compile(r"(?<!\\)((?:\\\\)*)\\u007f")


def _php_float_token(match: re.Match[str]) -> str:
    token = match.group(2)
    if token is None or token.lstrip("-").isdigit():
        return match.group(0)
    return php_json_float(float(token))


# Built once: json.dumps / json.loads with non-default options build a new coder on every call.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False)


def json_encode(value: Any) -> str:
    """``json_encode($value)`` with PHP's default flags: ``\\/``, ``\\uXXXX``, compact, and floats as PHP
    writes them (``3.0`` → ``3``, ``1e20`` → ``1.0e+20``); DEL (``\\x7f``) stays unescaped."""
    has_floats: list[bool] = []
    text = _JSON_ENCODER.encode(_normalize_for_json(value, has_floats))
    if has_floats:
        text = _JSON_FLOAT.sub(_php_float_token, text)
    if "\\u007f" in text:
        text = _ESCAPED_DEL.sub("\\1\x7f", text)
    return text.replace("/", "\\/")


def _decode_int(text: str) -> int | float:
    number = int(text)
    return number if INT_MIN <= number <= INT_MAX else float(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


_JSON_DECODER = json.JSONDecoder(parse_int=_decode_int, parse_constant=_reject_constant)


def json_decode(text: str) -> Any:
    """``json_decode($text, true)``; raises ValueError on invalid JSON (PHP returns null)."""
    stripped = text.strip(" \t\n\r")
    if not stripped:
        raise ValueError("Syntax error")
    if stripped.startswith("\ufeff"):  # as json.loads
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", stripped, 0)
    return _JSON_DECODER.decode(stripped)


# --------------------------------------------------------------------------- html entities

_ENTITY = re.compile(r"&(?:#([0-9]+)|#[xX]([0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));")


def _decode_entity(match: re.Match[str]) -> str:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        codepoint = name2codepoint.get(name)
        return chr(codepoint) if codepoint is not None else match.group(0)
    try:
        codepoint = int(decimal) if decimal is not None else int(hexadecimal, 16)
    except ValueError:
        return match.group(0)
    return chr(codepoint) if _allowed_in_html401(codepoint) else match.group(0)


def _allowed_in_html401(codepoint: int) -> bool:
    """PHP's ``unicode_cp_is_allowed`` for ENT_HTML401: which numeric references decode."""
    return (
        0x20 <= codepoint <= 0x7E
        or codepoint in (0x09, 0x0A, 0x0D)
        or 0xA0 <= codepoint <= 0xD7FF
        or (
            0xE000 <= codepoint <= 0x10FFFF
            and (codepoint & 0xFFFF) < 0xFFFE
            and not 0xFDD0 <= codepoint <= 0xFDEF
        )
    )


_ESCAPER_ENTITIES = (("&#34;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'))


def html_entity_decode(text: str) -> str:
    """``html_entity_decode`` with ENT_QUOTES | ENT_HTML401: HTML 4.01 names, numeric references."""
    ampersands = text.count("&")
    if not ampersands:
        return text
    # Fast path for what auto-escaping produces: only these entities, decoded in one pass
    # (``&amp;`` last, so ``&amp;lt;`` becomes ``&lt;`` exactly as a single pass would).
    known = text.count("&amp;") + sum(text.count(entity) for entity, _ in _ESCAPER_ENTITIES)
    if known == ampersands:
        for entity, char in _ESCAPER_ENTITIES:
            text = text.replace(entity, char)
        return text.replace("&amp;", "&")
    return _ENTITY.sub(_decode_entity, text)


_HTMLENTITIES_TABLE = {codepoint: f"&{name};" for codepoint, name in codepoint2name.items()}
_HTMLENTITIES_TABLE[ord("'")] = "&#039;"


def htmlentities(text: str) -> str:
    """``htmlentities`` with ENT_QUOTES | ENT_HTML401 (double encoding on)."""
    return text.translate(_HTMLENTITIES_TABLE)


# --------------------------------------------------------------------------- url encoding

_URLENCODE_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
_RAWURLENCODE_SAFE = _URLENCODE_SAFE | frozenset(b"~")


def urlencode(text: str) -> str:
    """``urlencode``: RFC 1738, space → ``+``, ``~`` encoded."""
    out = []
    for byte in text.encode("utf-8", "surrogatepass"):
        if byte in _URLENCODE_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def rawurlencode(text: str) -> str:
    """``rawurlencode``: RFC 3986, space → ``%20``."""
    return "".join(
        chr(byte) if byte in _RAWURLENCODE_SAFE else f"%{byte:02X}"
        for byte in text.encode("utf-8", "surrogatepass")
    )


# --------------------------------------------------------------------------- number_format


def number_format(value: Any, decimals: int = 0, decimal_point: str = ".", thousands: str = ",") -> str:
    number = to_float(value) if not isinstance(value, int | float) else float(value)
    decimals = max(0, to_int(decimals))
    rounded = php_round(number, decimals)
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = thousands.join(groups)
    if decimals:
        result += decimal_point + fraction
    if rounded < 0 and any(ch not in "0" for ch in text.replace(".", "")):
        result = "-" + result
    return result


def php_round(value: float, precision: int = 0) -> float:
    """PHP ``round()``: half away from zero, with pre-rounding to avoid binary artefacts."""
    if math.isnan(value) or math.isinf(value):
        return value
    factor = 10.0**precision
    scaled = value * factor
    # PHP pre-rounds the scaled value to 15 significant digits before rounding half away from zero.
    scaled = float(f"{scaled:.15g}")
    rounded = math.floor(abs(scaled) + 0.5)
    result = math.copysign(rounded, scaled) / factor
    return result if math.isfinite(result) else value
