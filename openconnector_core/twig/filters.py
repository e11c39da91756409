"""Twig's string, number and encoding filters (and the original's ``b64enc``, ``b64dec``,
``json_decode``, ``slugify``)."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from openconnector_core import php
from openconnector_core.php import date_objects, dates
from openconnector_core.php.json import JSON_THROW_ON_ERROR
from openconnector_core.php.objects import PhpObject

from .access import MISSING, TwigRuntimeError, pairs_of, values_of
from .limits import (
    MAX_JSON_DEPTH,
    Budget,
    DepthExceededError,
    check_expanded_size,
    check_items,
    check_projected_size,
    check_value_size,
    current_budget,
)
from .tests import t_empty


def f_default(value: Any, default: Any = "") -> Any:
    return default if t_empty(value) else value


def f_length(value: Any) -> int:
    if php.is_null(value):
        return 0
    if isinstance(value, php.ARRAYS):
        return len(value)
    if isinstance(value, PhpObject):  # neither Countable nor Stringable: Twig says 1
        return 1
    return len(php.to_string(value))


# Twig's string filters call PHP string functions: an array argument is a TypeError there.


def text_argument(value: Any, function: str) -> str:
    return str(php.string_argument(value, function))


def require_array(value: Any, message: str) -> None:
    """Twig's array filters (sort, filter, reduce, column, batch) refuse anything but an array."""
    if not isinstance(value, php.ARRAYS):
        raise TwigRuntimeError(message.format(gettype(value)))


def gettype(value: Any) -> str:
    """PHP ``gettype()``, as Twig's error messages show it."""
    if php.is_null(value):
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    return "string" if isinstance(value, str) else "array"


def f_upper(value: Any) -> str:
    return text_argument(value, "mb_strtoupper").upper()


def f_lower(value: Any) -> str:
    return text_argument(value, "mb_strtolower").lower()


def f_capitalize(value: Any) -> str:
    text = text_argument(value, "mb_substr")
    return text[:1].upper() + text[1:].lower()


_CASE_IGNORABLE = frozenset("'.:^`\u00a8\u00ad\u00af\u00b4\u00b7\u00b8\u2018\u2019\u2024\u2027")


def _case_ignorable(char: str) -> bool:
    return char in _CASE_IGNORABLE or unicodedata.category(char) in ("Mn", "Me", "Cf", "Lm", "Sk")


def f_title(value: Any) -> str:
    """``mb_convert_case($s, MB_CASE_TITLE)``: a word starts after a character that is neither cased
    nor case-ignorable (so ``they're`` stays one word and ``hello-world`` becomes ``Hello-World``)."""
    text = text_argument(value, "mb_convert_case")
    if len(text) <= _TITLE_CHUNK:
        return _title_chunk(text, True)[0]
    budget = current_budget()
    chunks: list[str] = []
    title_mode = True
    for start in range(0, len(text), _TITLE_CHUNK):
        budget.check_time()
        chunk, title_mode = _title_chunk(text[start : start + _TITLE_CHUNK], title_mode)
        chunks.append(chunk)
    return "".join(chunks)


_TITLE_CHUNK = 65_536


def _title_chunk(text: str, title_mode: bool) -> tuple[str, bool]:
    out: list[str] = []
    for char in text:
        cased = char.isupper() or char.islower() or char.istitle()
        if title_mode:
            if cased:
                out.append(char.title())
                title_mode = False
            else:
                out.append(char)
        else:
            out.append(char.lower())
            if not cased and not _case_ignorable(char):
                title_mode = True
    return "".join(out), title_mode


# The arguments are named as Twig 3.5 names them (``trim(character_mask=…)``, ``date(format=…)``).


def f_trim(value: Any, character_mask: Any = None, side: str = "both") -> str:
    text = text_argument(value, "trim")
    chars = " \t\n\r\0\x0b" if php.is_null(character_mask) else _character_mask(php.to_string(character_mask))
    if side == "left":
        return text.lstrip(chars)
    if side == "right":
        return text.rstrip(chars)
    if side != "both":
        raise TwigRuntimeError('Trimming side must be "left", "right" or "both".')
    return text.strip(chars)


def _character_mask(mask: str) -> str:
    """PHP's ``php_charmask``: ``a..z`` is a range; a ``..`` without a character on its left adds
    nothing for its first dot. (PHP works on bytes: ranges are read for ASCII ends only.)"""
    chars: list[str] = []
    index = 0
    while index < len(mask):
        char = mask[index]
        if mask[index + 1 : index + 3] == ".." and index + 3 < len(mask) and char <= mask[index + 3] < "\x80":
            chars.append("".join(map(chr, range(ord(char), ord(mask[index + 3]) + 1))))
            index += 4
            continue
        if mask[index : index + 2] != "..":
            chars.append(char)
        index += 1
    return "".join(chars)


def f_join(value: Any, glue: Any = "", and_: Any = None, **kwargs: Any) -> str:
    if "and" in kwargs:
        and_ = kwargs["and"]
    if isinstance(value, php.ARRAYS):
        items = [php.to_string(item) for item in values_of(value)]
    else:  # Twig joins (array) $value
        items = [] if php.is_null(value) else [php.to_string(value)]
    separator = php.to_string(glue)
    check_projected_size(sum(map(len, items)) + len(separator) * len(items))
    if php.is_null(and_) or len(items) < 2:
        result = separator.join(items)
    else:
        result = separator.join(items[:-1]) + php.to_string(and_) + items[-1]
    check_value_size(result)
    return result


def f_split(value: Any, delimiter: Any, limit: Any = None) -> list[Any]:
    text = str(php.string_argument(value, "explode", "#2 ($string)"))
    separator = php.to_string(delimiter)
    if separator == "":
        size = max(1, php.to_int(limit)) if not php.is_null(limit) else 1
        if size > 1 and len(text) < size:  # Twig returns [$value] itself, not a string of it
            return ["" if php.is_null(value) else value]
        check_items(len(text) // size)
        return [text[index : index + size] for index in range(0, len(text), size)] or [""]
    if len(text) > 65_536:
        check_items(text.count(separator) + 1)
    if php.is_null(limit):
        return text.split(separator)
    count = php.to_int(limit)
    if count > 0:
        return text.split(separator, count - 1)
    if count == 0:
        return [text]
    parts = text.split(separator)
    return parts[:count]


# Up to this many (keys × characters of text) one regex alternation is fast; beyond it (big replace
# maps on long texts) its compile and its scan grow with the number of keys, so a scan by key length
# takes over, looking at the clock as it goes.
_ALTERNATION_WORK = 2_000_000


def strtr(text: str, pairs: dict[str, str]) -> str:
    """PHP ``strtr($text, $pairs)``: at each position the longest key that matches is replaced; the
    run's time budget holds however big the map or the text."""
    replacements = {key: value for key, value in pairs.items() if key != ""}
    if not replacements:
        return text
    budget = current_budget()
    # An upper bound of the result's length, before building it (C-speed counts).
    growth = 0
    every = 16 if len(text) > 65_536 else 1024
    for index, (key, value) in enumerate(replacements.items()):
        if index % every == every - 1:
            budget.check_time()
        if len(value) > len(key):
            growth += text.count(key) * (len(value) - len(key))
    check_projected_size(len(text) + growth)
    if len(replacements) == 1:
        ((key, value),) = replacements.items()
        return text.replace(key, value)
    if len(replacements) * max(len(text), 1) > _ALTERNATION_WORK:
        result = _strtr_by_length(text, replacements, budget)
    else:
        pattern = re.compile("|".join(re.escape(key) for key in sorted(replacements, key=len, reverse=True)))
        result = pattern.sub(lambda match: replacements[match.group(0)], text)
    check_value_size(result)
    return result


def _strtr_by_length(text: str, replacements: dict[str, str], budget: Budget) -> str:
    lengths = sorted({len(key) for key in replacements}, reverse=True)
    starts = re.compile("[" + "".join(sorted({re.escape(key[0]) for key in replacements})) + "]")
    out: list[str] = []
    copied = 0  # text before this index is in ``out``
    position = 0
    steps = 0
    while True:
        found = starts.search(text, position)
        if found is None:
            break
        index = found.start()
        steps += 1
        if steps & 0x3FF == 0:
            budget.check_time()
        for length in lengths:
            replacement = replacements.get(text[index : index + length])
            if replacement is not None and index + length <= len(text):
                out.append(text[copied:index])
                out.append(replacement)
                position = copied = index + length
                break
        else:
            position = index + 1
    out.append(text[copied:])
    return "".join(out)


def f_replace(value: Any, search: Any = MISSING, replacement: Any = MISSING, **kwargs: Any) -> str:
    search = kwargs.get("from", search)
    if search is MISSING:
        raise TwigRuntimeError('Value for argument "from" is required for filter "replace".')
    text = text_argument(value, "strtr")
    if replacement is not MISSING:  # Jinja's replace(old, new)
        old, new = php.to_string(search), php.to_string(replacement)
        if len(new) > len(old):
            count = text.count(old) if old else len(text) + 1
            check_projected_size(len(text) + count * (len(new) - len(old)))
        result = text.replace(old, new)
        check_value_size(result)
        return result
    if not isinstance(search, php.ARRAYS):
        raise TwigRuntimeError(
            f'The "replace" filter expects an array as replace values, got "{php.php_type(search)}".'
        )
    return strtr(text, {key: php.to_string(item) for key, item in pairs_of(search)})


def f_abs(value: Any) -> int | float:
    """PHP ``abs(int|float $num)``: a string must be numeric as a whole (``"12abc"`` is a TypeError)."""
    if isinstance(value, php.ARRAYS) or (isinstance(value, str) and php.numeric_string(value) is None):
        raise php.PhpTypeError(
            f"abs(): Argument #1 ($num) must be of type int|float, {php.php_type(value)} given"
        )
    return abs(php.to_number(value))


def f_round(value: Any, precision: Any = 0, method: str = "common") -> float:
    number = php.to_float(value)
    digits = php.to_int(precision)
    if method == "common":
        return php.php_round(number, digits)
    factor = 10.0**digits
    if method == "ceil":
        return float(-((-number * factor) // 1) / factor)
    if method == "floor":
        return float((number * factor) // 1 / factor)
    raise TwigRuntimeError('The round filter only supports the "common", "ceil", and "floor" methods.')


def f_number_format(
    value: Any, decimal: Any = None, decimal_point: Any = None, thousand_sep: Any = None
) -> str:
    """null arguments are Twig's defaults (0, ".", ",")."""
    places = php.to_int(decimal)
    check_projected_size(places)  # the decimals are written out, zeros included
    point = "." if php.is_null(decimal_point) else php.to_string(decimal_point)
    return php.number_format(
        value, places, point, "," if php.is_null(thousand_sep) else php.to_string(thousand_sep)
    )


def f_json_encode(value: Any, flags: Any = 0, depth: Any = MAX_JSON_DEPTH) -> str | bool:
    """PHP's ``json_encode($value, $flags, $depth)`` (Twig's filter is that function)."""
    flags = _int_argument("json_encode", 2, "flags", flags)
    levels = _int_argument("json_encode", 3, "depth", depth)
    if not 0 < levels < 2**31:  # PHP 8.2 takes such a depth as none: any array is too deep
        levels = 0
    try:  # shared sub-arrays could expand beyond any memory
        check_expanded_size(value, depth_limit=min(levels, MAX_JSON_DEPTH))
    except DepthExceededError:  # nested deeper than the depth: false (an error with THROW_ON_ERROR)
        if flags & JSON_THROW_ON_ERROR:
            raise TwigRuntimeError("Maximum stack depth exceeded") from None
        return False
    try:
        return php.json_encode(value, flags)
    except ValueError:  # INF/NAN: PHP's json_encode returns false, which prints as ""
        if flags & JSON_THROW_ON_ERROR:
            raise TwigRuntimeError("Inf and NaN cannot be JSON encoded") from None
        return False


def _int_argument(function: str, position: int, name: str, value: Any) -> int:
    """A PHP ``int`` parameter given ``value`` (coerced as PHP does outside strict mode)."""
    if php.is_null(value) or type(value) is bool:
        return int(bool(value))
    if type(value) is int:
        return value
    if type(value) is float and not (math.isnan(value) or math.isinf(value)):
        return php.float_to_int(value)
    if type(value) is str:
        number = php.numeric_string(value)
        if number is not None:
            return number if type(number) is int else php.float_to_int(number)
    kind = php.php_type(value)
    raise php.PhpTypeError(f"{function}(): Argument #{position} (${name}) must be of type int, {kind} given")


def f_json_decode(value: Any, *_arguments: Any) -> Any:
    if not isinstance(value, str):
        raise TwigRuntimeError(
            f"json_decode(): Argument #1 ($json) must be of type string, {php.php_type(value)} given"
        )
    try:
        decoded = php.json_decode(value)
    except ValueError as error:
        raise TwigRuntimeError("json_decode returned null: the value is not valid JSON") from error
    if not isinstance(decoded, php.ARRAYS):  # the original's filter is declared to return an array
        raise php.PhpTypeError(
            f"{{closure}}(): Return value must be of type array, {php.php_type(decoded)} returned"
        )
    return decoded


def f_b64enc(value: Any) -> str:
    if not isinstance(value, str | int | float | bool):
        raise TwigRuntimeError(f"b64enc(): Argument #1 must be of type string, {php.php_type(value)} given")
    return php.base64_encode(php.to_string(value))


def f_b64dec(value: Any) -> str:
    if not isinstance(value, str | int | float | bool):
        raise TwigRuntimeError(f"b64dec(): Argument #1 must be of type string, {php.php_type(value)} given")
    return php.base64_decode(php.to_string(value))


def f_slugify(value: Any) -> str:
    text = php.to_string(value).lower()
    text = re.sub(r"[\s_]", "-", text)
    text = re.sub(r"[^a-z0-9-]", "", text)
    text = re.sub(r"-+", "-", text)
    return text.strip("-")


def f_date(value: Any, format: Any = None, timezone: Any = None) -> str:
    fmt = format
    value, timezone = date_objects.moment_of(value), date_objects.moment_of(timezone)  # copies (clone)
    if dates.is_now(value):
        dates.resolve_timezone(None if timezone is False else timezone)  # fails first, as parse_date
        result = dates.format_now("F j, Y H:i" if php.is_null(fmt) else php.to_string(fmt), timezone)
        check_value_size(result)
        return result
    moment = dates.parse_date(value, timezone)
    result = dates.format_date(moment, "F j, Y H:i" if php.is_null(fmt) else php.to_string(fmt))
    check_value_size(result)
    return result


def f_date_modify(value: Any, modifier: Any) -> date_objects.DateTime:
    # Twig reads the date keeping its own zone (twig_date_converter($date, false)): "midnight" of
    # 2024-03-01T10:00:00+02:00 is 2024-03-01 00:00 at +02:00. A DateTime given is copied, not changed.
    moment = dates.parse_date(date_objects.moment_of(value), False)
    return date_objects.DateTime(dates.modify(moment, php.to_string(modifier)))


def f_format(value: Any, *arguments: Any) -> str:
    result = php.sprintf(str(php.string_argument(value, "sprintf", "#1 ($format)")), *arguments)
    check_value_size(result)
    return result


def f_convert_encoding(value: Any, to: Any = MISSING, source: Any = MISSING, **kwargs: Any) -> str | bool:
    """``iconv($from, $to, $string ?? '')``: ``false`` (printed as "") where iconv fails."""
    source = kwargs.get("from", source)
    if to is MISSING or source is MISSING:
        passed = 1 + (to is not MISSING) + (source is not MISSING)
        raise TwigRuntimeError(
            f"Too few arguments to function twig_convert_encoding(), {passed} passed and exactly 3 expected"
        )
    from_encoding = php.string_argument(source, "iconv", "#1 ($from_encoding)")
    to_encoding = php.string_argument(to, "iconv", "#2 ($to_encoding)")
    text = php.string_argument("" if php.is_null(value) else value, "iconv", "#3 ($string)")
    converted = php.strings.iconv(from_encoding, to_encoding, text)
    return False if converted is None else converted
