"""PHP 8 semantics the original relies on, and the PHP library functions its templates and casts use.

Values are JSON-like Python data (dict, list, str, int, float, bool, None). A dict or list stands for
a PHP array; Jinja's ``Undefined`` is treated as ``null``. Each rule here was checked against
``php`` 8.2. The mapping engine, its Twig dialect and the JSON-logic evaluator all use it:

* :mod:`.values` — types, ``(string)``/``(int)``/``(float)`` casts, numeric strings, arithmetic;
* :mod:`.compare` — truthiness, ``==``, ``<=>``, ``===``;
* :mod:`.json` — ``json_encode`` / ``json_decode``;
* :mod:`.html` — HTML entities, ``htmlspecialchars``, ``strip_tags``;
* :mod:`.strings` — URL encoding, ``number_format``, ``round``, ``sprintf``, base64, ``iconv``;
* :mod:`.dates` — ``date()`` format letters, date parsing; :mod:`.relative_dates` — ``DateTime::modify``.
"""

from __future__ import annotations

from .compare import compare, identical, is_empty, loose_equals, truthy
from .html import html_entity_decode, htmlentities, htmlspecialchars, strip_tags
from .json import encode_normalized, json_decode, json_encode, php_json_float
from .strings import (
    PhpArgumentCountError,
    base64_decode,
    base64_encode,
    number_format,
    php_round,
    rawurlencode,
    sprintf,
    urlencode,
)
from .values import (
    ARRAYS,
    INT_MAX,
    INT_MIN,
    PhpTypeError,
    add,
    array_key,
    array_union,
    as_dict,
    bitwise,
    divide,
    float_to_int,
    floor_divide,
    is_array,
    is_null,
    modulo,
    multiply,
    negate,
    numeric_prefix,
    numeric_string,
    php_type,
    power,
    string_argument,
    subtract,
    to_float,
    to_int,
    to_number,
    to_string,
)

__all__ = [
    "ARRAYS",
    "INT_MAX",
    "INT_MIN",
    "PhpArgumentCountError",
    "PhpTypeError",
    "add",
    "array_key",
    "array_union",
    "as_dict",
    "base64_decode",
    "base64_encode",
    "bitwise",
    "compare",
    "divide",
    "encode_normalized",
    "float_to_int",
    "floor_divide",
    "html_entity_decode",
    "htmlentities",
    "htmlspecialchars",
    "identical",
    "is_array",
    "is_empty",
    "is_null",
    "json_decode",
    "json_encode",
    "loose_equals",
    "modulo",
    "multiply",
    "negate",
    "number_format",
    "numeric_prefix",
    "numeric_string",
    "php_json_float",
    "php_round",
    "php_type",
    "power",
    "rawurlencode",
    "sprintf",
    "string_argument",
    "strip_tags",
    "subtract",
    "to_float",
    "to_int",
    "to_number",
    "to_string",
    "truthy",
    "urlencode",
]
