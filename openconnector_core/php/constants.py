"""PHP's predefined constants that templates may read with Twig's ``constant()`` (function and test).

The values are PHP 8.2's on 64-bit Linux, taken from ``get_defined_constants(true)`` (the date, json
and pcre groups; from Core and standard the error levels, ``PHP_EOL``, the integer and float limits
and the math, rounding, entity, sort, count, padding and array-filter flags) and from the constants of
``DateTimeInterface`` (also reachable as ``DateTime::`` and ``DateTimeImmutable::``). Constants that
describe the machine (``PHP_OS``, ``PHP_VERSION``, paths) are left out: a template reading one fails as
it does for any other undefined constant.
"""

from __future__ import annotations

import math
from typing import Any

from .values import INT_MAX, INT_MIN

DATE_TIME_CONSTANTS: dict[str, str] = {
    "ATOM": "Y-m-d\\TH:i:sP",
    "COOKIE": "l, d-M-Y H:i:s T",
    "ISO8601": "Y-m-d\\TH:i:sO",
    "ISO8601_EXPANDED": "X-m-d\\TH:i:sP",
    "RFC822": "D, d M y H:i:s O",
    "RFC850": "l, d-M-y H:i:s T",
    "RFC1036": "D, d M y H:i:s O",
    "RFC1123": "D, d M Y H:i:s O",
    "RFC7231": "D, d M Y H:i:s \\G\\M\\T",
    "RFC2822": "D, d M Y H:i:s O",
    "RFC3339": "Y-m-d\\TH:i:sP",
    "RFC3339_EXTENDED": "Y-m-d\\TH:i:s.vP",
    "RSS": "D, d M Y H:i:s O",
    "W3C": "Y-m-d\\TH:i:sP",
}

CONSTANTS: dict[str, Any] = {
    **{f"DATE_{name}": value for name, value in DATE_TIME_CONSTANTS.items()},
    "ARRAY_FILTER_USE_BOTH": 1,
    "ARRAY_FILTER_USE_KEY": 2,
    "CASE_LOWER": 0,
    "CASE_UPPER": 1,
    "COUNT_NORMAL": 0,
    "COUNT_RECURSIVE": 1,
    "ENT_COMPAT": 2,
    "ENT_DISALLOWED": 128,
    "ENT_HTML401": 0,
    "ENT_HTML5": 48,
    "ENT_IGNORE": 4,
    "ENT_NOQUOTES": 0,
    "ENT_QUOTES": 3,
    "ENT_SUBSTITUTE": 8,
    "ENT_XHTML": 32,
    "ENT_XML1": 16,
    "E_ALL": 32767,
    "E_COMPILE_ERROR": 64,
    "E_COMPILE_WARNING": 128,
    "E_CORE_ERROR": 16,
    "E_CORE_WARNING": 32,
    "E_DEPRECATED": 8192,
    "E_ERROR": 1,
    "E_NOTICE": 8,
    "E_PARSE": 4,
    "E_RECOVERABLE_ERROR": 4096,
    "E_STRICT": 2048,
    "E_USER_DEPRECATED": 16384,
    "E_USER_ERROR": 256,
    "E_USER_NOTICE": 1024,
    "E_USER_WARNING": 512,
    "E_WARNING": 2,
    "HTML_ENTITIES": 1,
    "HTML_SPECIALCHARS": 0,
    "JSON_BIGINT_AS_STRING": 2,
    "JSON_ERROR_CTRL_CHAR": 3,
    "JSON_ERROR_DEPTH": 1,
    "JSON_ERROR_INF_OR_NAN": 7,
    "JSON_ERROR_INVALID_PROPERTY_NAME": 9,
    "JSON_ERROR_NONE": 0,
    "JSON_ERROR_NON_BACKED_ENUM": 11,
    "JSON_ERROR_RECURSION": 6,
    "JSON_ERROR_STATE_MISMATCH": 2,
    "JSON_ERROR_SYNTAX": 4,
    "JSON_ERROR_UNSUPPORTED_TYPE": 8,
    "JSON_ERROR_UTF16": 10,
    "JSON_ERROR_UTF8": 5,
    "JSON_FORCE_OBJECT": 16,
    "JSON_HEX_AMP": 2,
    "JSON_HEX_APOS": 4,
    "JSON_HEX_QUOT": 8,
    "JSON_HEX_TAG": 1,
    "JSON_INVALID_UTF8_IGNORE": 1048576,
    "JSON_INVALID_UTF8_SUBSTITUTE": 2097152,
    "JSON_NUMERIC_CHECK": 32,
    "JSON_OBJECT_AS_ARRAY": 1,
    "JSON_PARTIAL_OUTPUT_ON_ERROR": 512,
    "JSON_PRESERVE_ZERO_FRACTION": 1024,
    "JSON_PRETTY_PRINT": 128,
    "JSON_THROW_ON_ERROR": 4194304,
    "JSON_UNESCAPED_LINE_TERMINATORS": 2048,
    "JSON_UNESCAPED_SLASHES": 64,
    "JSON_UNESCAPED_UNICODE": 256,
    "M_1_PI": 0.3183098861837907,
    "M_2_PI": 0.6366197723675814,
    "M_2_SQRTPI": 1.1283791670955126,
    "M_E": 2.718281828459045,
    "M_EULER": 0.5772156649015329,
    "M_LN10": 2.302585092994046,
    "M_LN2": 0.6931471805599453,
    "M_LNPI": 1.1447298858494002,
    "M_LOG10E": 0.4342944819032518,
    "M_LOG2E": 1.4426950408889634,
    "M_PI": 3.141592653589793,
    "M_PI_2": 1.5707963267948966,
    "M_PI_4": 0.7853981633974483,
    "M_SQRT1_2": 0.7071067811865476,
    "M_SQRT2": 1.4142135623730951,
    "M_SQRT3": 1.7320508075688772,
    "M_SQRTPI": 1.772453850905516,
    "PHP_EOL": "\n",
    "PHP_FLOAT_DIG": 15,
    "PHP_FLOAT_EPSILON": 2.220446049250313e-16,
    "PHP_FLOAT_MAX": 1.7976931348623157e308,
    "PHP_FLOAT_MIN": 2.2250738585072014e-308,
    "PHP_INT_MAX": INT_MAX,
    "PHP_INT_MIN": INT_MIN,
    "PHP_INT_SIZE": 8,
    "PHP_QUERY_RFC1738": 1,
    "PHP_QUERY_RFC3986": 2,
    "PHP_ROUND_HALF_DOWN": 2,
    "PHP_ROUND_HALF_EVEN": 3,
    "PHP_ROUND_HALF_ODD": 4,
    "PHP_ROUND_HALF_UP": 1,
    "PREG_BACKTRACK_LIMIT_ERROR": 2,
    "PREG_BAD_UTF8_ERROR": 4,
    "PREG_BAD_UTF8_OFFSET_ERROR": 5,
    "PREG_GREP_INVERT": 1,
    "PREG_INTERNAL_ERROR": 1,
    "PREG_JIT_STACKLIMIT_ERROR": 6,
    "PREG_NO_ERROR": 0,
    "PREG_OFFSET_CAPTURE": 256,
    "PREG_PATTERN_ORDER": 1,
    "PREG_RECURSION_LIMIT_ERROR": 3,
    "PREG_SET_ORDER": 2,
    "PREG_SPLIT_DELIM_CAPTURE": 2,
    "PREG_SPLIT_NO_EMPTY": 1,
    "PREG_SPLIT_OFFSET_CAPTURE": 4,
    "PREG_UNMATCHED_AS_NULL": 512,
    "SORT_ASC": 4,
    "SORT_DESC": 3,
    "SORT_FLAG_CASE": 8,
    "SORT_LOCALE_STRING": 5,
    "SORT_NATURAL": 6,
    "SORT_NUMERIC": 1,
    "SORT_REGULAR": 0,
    "SORT_STRING": 2,
    "STR_PAD_BOTH": 2,
    "STR_PAD_LEFT": 0,
    "STR_PAD_RIGHT": 1,
    "INF": math.inf,
    "NAN": math.nan,
}


# Class names are case-insensitive in PHP; these classes all carry DateTimeInterface's constants.
DATE_TIME_CLASSES = frozenset({"datetimeinterface", "datetime", "datetimeimmutable"})
# true, false and null are constants too, and case-insensitive.
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


class UndefinedConstantError(LookupError):
    """A name that is no constant this module knows."""


def constant(name: str) -> Any:
    """The value of PHP's ``constant($name)``; raises :class:`UndefinedConstantError`."""
    if name in CONSTANTS:
        return CONSTANTS[name]
    if name.lower() in _LITERALS:
        return _LITERALS[name.lower()]
    owner, separator, member = name.lstrip("\\").partition("::")
    if separator and owner.lower() in DATE_TIME_CLASSES and member in DATE_TIME_CONSTANTS:
        return DATE_TIME_CONSTANTS[member]
    raise UndefinedConstantError(f'Constant "{name}" is undefined.')
