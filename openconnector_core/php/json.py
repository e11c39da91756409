"""PHP's ``json_encode`` (default flags) and ``json_decode($text, true)``."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from jinja2 import Undefined

from .constants import CONSTANTS
from .objects import PhpObject
from .values import INT_MAX, INT_MIN, numeric_string


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
    if isinstance(value, PhpObject):  # DateTime & co.: their properties, as PHP writes them
        return _normalize_for_json(value.json_properties(), has_floats)
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
# JSONEncoder.encode builds its C encoder anew on every call; this one is built once. Without the
# circular-reference markers: what reaches it is normalised first, a fresh tree (a cycle would have
# ended that walk), and shared markers would keep stale ids after an error.
_C_ENCODE = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None,
        _JSON_ENCODER.default,
        json.encoder.encode_basestring_ascii,
        None,
        ":",
        ",",
        False,
        False,
        False,
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def _encode(value: Any) -> str:
    """``_JSON_ENCODER.encode(value)``."""
    if _C_ENCODE is None or isinstance(value, str):
        return _JSON_ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def json_encode(value: Any, flags: int = 0) -> str:
    """``json_encode($value, $flags)``. PHP's default flags: ``\\/``, ``\\uXXXX``, compact, and floats as
    PHP writes them (``3.0`` → ``3``, ``1e20`` → ``1.0e+20``); DEL (``\\x7f``) stays unescaped. Other
    flags: see :func:`_encode_flagged`. Raises ValueError for INF and NAN (PHP returns false)."""
    has_floats: list[bool] = []
    if not flags & ~JSON_THROW_ON_ERROR:
        return encode_normalized(_normalize_for_json(value, has_floats), bool(has_floats))
    return _encode_flagged(value, flags)


# json_encode's flags (PHP's values).
JSON_HEX_TAG = CONSTANTS["JSON_HEX_TAG"]
JSON_HEX_AMP = CONSTANTS["JSON_HEX_AMP"]
JSON_HEX_APOS = CONSTANTS["JSON_HEX_APOS"]
JSON_HEX_QUOT = CONSTANTS["JSON_HEX_QUOT"]
JSON_FORCE_OBJECT = CONSTANTS["JSON_FORCE_OBJECT"]
JSON_NUMERIC_CHECK = CONSTANTS["JSON_NUMERIC_CHECK"]
JSON_UNESCAPED_SLASHES = CONSTANTS["JSON_UNESCAPED_SLASHES"]
JSON_PRETTY_PRINT = CONSTANTS["JSON_PRETTY_PRINT"]
JSON_UNESCAPED_UNICODE = CONSTANTS["JSON_UNESCAPED_UNICODE"]
JSON_PARTIAL_OUTPUT_ON_ERROR = CONSTANTS["JSON_PARTIAL_OUTPUT_ON_ERROR"]
JSON_PRESERVE_ZERO_FRACTION = CONSTANTS["JSON_PRESERVE_ZERO_FRACTION"]
JSON_UNESCAPED_LINE_TERMINATORS = CONSTANTS["JSON_UNESCAPED_LINE_TERMINATORS"]
JSON_THROW_ON_ERROR = CONSTANTS["JSON_THROW_ON_ERROR"]

_ESCAPED_QUOTE = re.compile(r'(?<!\\)((?:\\\\)*)\\"')


def _encode_flagged(value: Any, flags: int) -> str:
    """``json_encode`` with flags other than the default: ``HEX_TAG``/``AMP``/``APOS``/``QUOT``,
    ``FORCE_OBJECT``, ``NUMERIC_CHECK``, ``UNESCAPED_SLASHES``, ``PRETTY_PRINT`` (four spaces),
    ``UNESCAPED_UNICODE`` (U+2028/2029 still escaped unless ``UNESCAPED_LINE_TERMINATORS``),
    ``PARTIAL_OUTPUT_ON_ERROR`` (INF and NAN written as 0) and ``PRESERVE_ZERO_FRACTION``; the rest
    (the invalid-UTF-8 ones: Python strings are valid) change nothing."""
    has_floats: list[bool] = []
    normalized = _normalize_flagged(value, flags, has_floats)
    pretty = bool(flags & JSON_PRETTY_PRINT)
    unicode = bool(flags & JSON_UNESCAPED_UNICODE)
    text = json.dumps(
        normalized,
        ensure_ascii=not unicode,
        indent=4 if pretty else None,
        separators=(",", ": ") if pretty else (",", ":"),
        allow_nan=False,
    )
    if has_floats:
        zero_fraction = bool(flags & JSON_PRESERVE_ZERO_FRACTION)
        text = _JSON_FLOAT.sub(lambda match: _flagged_float_token(match, zero_fraction), text)
    if not unicode and "\\u007f" in text:
        text = _ESCAPED_DEL.sub("\\1\x7f", text)
    if unicode and not flags & JSON_UNESCAPED_LINE_TERMINATORS:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if flags & JSON_HEX_TAG:
        text = text.replace("<", "\\u003C").replace(">", "\\u003E")
    if flags & JSON_HEX_AMP:
        text = text.replace("&", "\\u0026")
    if flags & JSON_HEX_APOS:
        text = text.replace("'", "\\u0027")
    if flags & JSON_HEX_QUOT:
        text = _ESCAPED_QUOTE.sub("\\1\\\\u0022", text)
    return text if flags & JSON_UNESCAPED_SLASHES else text.replace("/", "\\/")


def _flagged_float_token(match: re.Match[str], zero_fraction: bool) -> str:
    token = _php_float_token(match)
    written = match.group(2)
    if zero_fraction and written is not None and not written.lstrip("-").isdigit():
        # a float: PHP keeps its zero fraction (3.0 → 3.0) when it would drop it
        return token + ".0" if token.lstrip("-").isdigit() else token
    return token


def _normalize_flagged(value: Any, flags: int, has_floats: list[bool]) -> Any:
    """:func:`_normalize_for_json` under ``FORCE_OBJECT`` (every array an object), ``NUMERIC_CHECK``
    (numeric strings as numbers) and ``PARTIAL_OUTPUT_ON_ERROR`` (INF and NAN as 0)."""
    if isinstance(value, str):
        if flags & JSON_NUMERIC_CHECK:
            number = numeric_string(value)
            if number is not None:
                return _normalize_flagged(number, flags, has_floats)
        return value
    if isinstance(value, dict | list | tuple):
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        listed = all(str(key) == str(index) for index, (key, _) in enumerate(items))
        if listed and not flags & JSON_FORCE_OBJECT:
            return [_normalize_flagged(item, flags, has_floats) for _, item in items]
        return {str(key): _normalize_flagged(item, flags, has_floats) for key, item in items}
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        if flags & JSON_PARTIAL_OUTPUT_ON_ERROR:
            return 0
        raise ValueError("Inf and NaN cannot be JSON encoded")
    return _normalize_for_json(value, has_floats)


def encode_normalized(value: Any, has_floats: bool) -> str:
    """:func:`json_encode` of data already in JSON's shape (dicts with string keys, lists, finite floats
    — ``has_floats`` says whether there are any)."""
    text = _encode(value)
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
