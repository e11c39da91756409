"""The casts of the mapping engine (behaviour reference §3.6), as a registry of name → function.

A cast receives a :class:`CastContext` (the output being built, the path, the current value) and
returns the new value, or :data:`DELETE` to remove the key. Parameterised casts
(``unsetIfValue==X``, ``setNullIfValue==X``, ``countValue:P``) are matched by prefix. Unknown cast
names are ignored at run time (as upstream) and reported by validation.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from openconnector_core import php
from openconnector_core.php import dates
from openconnector_core.php.strings import transliterate

from . import paths


class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()


class CastError(TypeError):
    """A cast failed the way PHP would have failed (e.g. a TypeError)."""


# What a failing cast raises: reported as the rule's error (the interpreter and the compiled code alike)
CAST_ERRORS = (CastError, php.PhpTypeError, TypeError, ValueError, ZeroDivisionError)


@dataclass(slots=True)
class CastContext:
    output: dict[str, Any] | list[Any]
    path: str
    argument: str = ""  # the part after ``==`` / ``:`` for parameterised casts


CastFunction = Callable[[Any, CastContext], Any]


def _string_argument(value: Any, function: str) -> str:
    if isinstance(value, php.ARRAYS):
        raise CastError(f"{function}(): Argument #1 ($string) must be of type string, array given")
    return php.to_string(value)


def cast_string(value: Any, _: CastContext) -> str:
    return php.to_string(value)


def cast_bool(value: Any, _: CastContext) -> bool:
    if php.to_int(value) == 1:
        return True
    if isinstance(value, php.ARRAYS):
        raise CastError("strtolower(): Argument #1 ($string) must be of type string, array given")
    return php.to_string(value).lower() in ("true", "yes")


def cast_nullable_bool(value: Any, context: CastContext) -> bool | None:
    return None if value is None else cast_bool(value, context)


def cast_int(value: Any, _: CastContext) -> int:
    return php.to_int(value)


def cast_float(value: Any, _: CastContext) -> float:
    return php.to_float(value)


def cast_array(value: Any, _: CastContext) -> Any:
    if isinstance(value, php.ARRAYS):
        return value
    return [] if value is None else [value]


def cast_date(value: Any, _: CastContext) -> str:
    return dates.php_date(_string_argument(value, "date"))


def cast_url(value: Any, _: CastContext) -> str:
    return php.urlencode(_string_argument(value, "urlencode"))


def cast_url_decode(value: Any, _: CastContext) -> str:
    return urllib.parse.unquote_plus(_string_argument(value, "urldecode"))


def cast_rawurl(value: Any, _: CastContext) -> str:
    return php.rawurlencode(_string_argument(value, "rawurlencode"))


def cast_rawurl_decode(value: Any, _: CastContext) -> str:
    return urllib.parse.unquote(_string_argument(value, "rawurldecode"))


def cast_html(value: Any, _: CastContext) -> str:
    return php.htmlentities(_string_argument(value, "htmlentities"))


def cast_html_decode(value: Any, _: CastContext) -> str:
    return php.html_entity_decode(_string_argument(value, "html_entity_decode"))


def cast_base64(value: Any, _: CastContext) -> str:
    return php.base64_encode(_string_argument(value, "base64_encode"))


def cast_base64_decode(value: Any, _: CastContext) -> str:
    return php.base64_decode(_string_argument(value, "base64_decode"))


def cast_json(value: Any, _: CastContext) -> str:
    return php.json_encode(value)


def cast_json_to_array(value: Any, _: CastContext) -> Any:
    if isinstance(value, php.ARRAYS):
        return value
    text = php.html_entity_decode(_string_argument(value, "html_entity_decode"))
    try:
        return php.json_decode(text)
    except ValueError:
        return None


def cast_utf8(value: Any, _: CastContext) -> str:
    return transliterate(_string_argument(value, "iconv"))


def cast_null_string_to_null(value: Any, _: CastContext) -> Any:
    return None if value == "null" else value


def cast_coordinate_string_to_array(value: Any, _: CastContext) -> Any:
    # upstream's coordinateStringToArray(string $coordinates): scalars coerce (no strict_types), null and
    # arrays are a TypeError
    if value is None or isinstance(value, php.ARRAYS):
        raise CastError(
            "OCA\\OpenConnector\\Service\\MappingService::coordinateStringToArray(): "
            f"Argument #1 ($coordinates) must be of type string, {php.php_type(value)} given"
        )
    parts = php.to_string(value).split(" ")
    if len(parts) > 2:
        return [parts[index : index + 2] for index in range(0, len(parts), 2)]
    return parts


def cast_key_cant_be_value(value: Any, context: CastContext) -> Any:
    return DELETE if php.loose_equals(context.path, value) else value


def _is_array_empty(value: Any) -> bool:
    if not isinstance(value, php.ARRAYS):
        return php.is_empty(value)
    items = value.values() if isinstance(value, dict) else value
    return all(_is_array_empty(item) for item in items)


def matches_if_value(value: Any, expected: str) -> bool:
    """The predicate of ``unsetIfValue==X`` / ``setNullIfValue==X`` (empty ``X``: "empty", recursively)."""
    if expected == "":
        return php.is_empty(value) or (isinstance(value, php.ARRAYS) and _is_array_empty(value))
    return php.loose_equals(value, expected)


def cast_unset_if_value(value: Any, context: CastContext) -> Any:
    return DELETE if matches_if_value(value, context.argument) else value


def cast_set_null_if_value(value: Any, context: CastContext) -> Any:
    return None if matches_if_value(value, context.argument) else value


def cast_count_value(value: Any, context: CastContext) -> Any:
    if context.argument == "":
        return value
    counted = paths.lookup(context.output, context.argument)
    if paths.found(counted) and isinstance(counted, php.ARRAYS):
        return len(counted)
    return value


def cast_money_string_to_int(value: Any, _: CastContext) -> int:
    if isinstance(value, php.ARRAYS):  # str_replace maps over an array subject; (int) of an array
        return 1 if value else 0
    return php.to_int(php.to_string(value).replace(".", "").replace(",", ""))


def cast_int_to_money_string(value: Any, _: CastContext) -> str:
    try:
        amount = php.divide(value, 100)
    except php.PhpTypeError as error:
        raise CastError(str(error)) from error
    return php.number_format(amount, 2, ",", ".")


CASTS: dict[str, CastFunction] = {
    "string": cast_string,
    "bool": cast_bool,
    "boolean": cast_bool,
    "?bool": cast_nullable_bool,
    "?boolean": cast_nullable_bool,
    "int": cast_int,
    "integer": cast_int,
    "float": cast_float,
    "array": cast_array,
    "date": cast_date,
    "url": cast_url,
    "urlDecode": cast_url_decode,
    "rawurl": cast_rawurl,
    "rawurlDecode": cast_rawurl_decode,
    "html": cast_html,
    "htmlDecode": cast_html_decode,
    "base64": cast_base64,
    "base64Decode": cast_base64_decode,
    "json": cast_json,
    "jsonToArray": cast_json_to_array,
    "utf8": cast_utf8,
    "nullStringToNull": cast_null_string_to_null,
    "coordinateStringToArray": cast_coordinate_string_to_array,
    "keyCantBeValue": cast_key_cant_be_value,
    "moneyStringToInt": cast_money_string_to_int,
    "intToMoneyString": cast_int_to_money_string,
}

PREFIXED_CASTS: dict[str, CastFunction] = {
    "unsetIfValue==": cast_unset_if_value,
    "setNullIfValue==": cast_set_null_if_value,
    "countValue:": cast_count_value,
}


@lru_cache(maxsize=4096)
def resolve_cast(name: str) -> tuple[CastFunction, str] | None:
    """The function and argument for a cast name, or None if the name is unknown."""
    function = CASTS.get(name)
    if function is not None:
        return function, ""
    for prefix, prefixed in PREFIXED_CASTS.items():
        if name.startswith(prefix):
            return prefixed, name[len(prefix) :]
    return None


@lru_cache(maxsize=4096)
def _split_cast_spec(spec: str) -> tuple[str, ...]:
    return tuple(spec.split(","))


def cast_names(spec: Any) -> Sequence[str]:
    """The cast names of a cast spec: a comma-separated string or a list (not split)."""
    if isinstance(spec, str):
        return _split_cast_spec(spec)
    if isinstance(spec, list):
        return [name for name in spec if isinstance(name, str)]
    return []


@lru_cache(maxsize=4096)
def _resolve_cast_spec(spec: str) -> tuple[tuple[CastFunction, str], ...]:
    return tuple(resolved for name in cast_names(spec) if (resolved := resolve_cast(name)) is not None)


def resolve_casts(spec: Any) -> Sequence[tuple[CastFunction, str]]:
    """The (function, argument) of each known cast of a cast spec, in order; unknown names are
    skipped (ignored at run time, as upstream). String specs are resolved once per process."""
    if isinstance(spec, str):
        return _resolve_cast_spec(spec)
    return [resolved for name in cast_names(spec) if (resolved := resolve_cast(name)) is not None]


def is_known_cast(name: str) -> bool:
    return name == "" or resolve_cast(name) is not None
