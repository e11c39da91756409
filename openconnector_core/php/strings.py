"""PHP string library functions: URL encoding, ``number_format``, ``round``, ``sprintf``,
``base64_decode`` and ``iconv`` (with glibc's ``//TRANSLIT``); the HTML ones are in :mod:`.html`."""

from __future__ import annotations

import base64
import codecs
import math
import re
import unicodedata
import urllib.parse
from typing import Any

from .values import gcvt, to_float, to_int, to_string


class PhpArgumentCountError(TypeError):
    """PHP's ``ArgumentCountError`` (too few arguments for a format)."""


# --------------------------------------------------------------------------- url encoding


def urlencode(text: str) -> str:
    """``urlencode``: RFC 1738, space → ``+``, ``~`` encoded."""
    encoded = urllib.parse.quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe=" ")
    return encoded.replace("~", "%7E").replace(" ", "+")


def rawurlencode(text: str) -> str:
    """``rawurlencode``: RFC 3986, space → ``%20``."""
    return urllib.parse.quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


# --------------------------------------------------------------------------- number_format


def number_format(value: Any, decimals: int = 0, decimal_point: str = ".", thousands: str = ",") -> str:
    """PHP 8.2's ``number_format`` (``_php_math_number_format_ex``): the magnitude rounded with
    :func:`php_round` to ``decimals`` (negative ones count as 0), then all its digits printed
    (``%.Nf``, exact: ``4503599627370497`` stays whole) and grouped."""
    number = to_float(value) if not isinstance(value, int | float) else float(value)
    places = max(0, to_int(decimals))
    negative = number < 0
    number = php_round(abs(number), places)
    if math.isnan(number) or math.isinf(number):
        return "nan" if math.isnan(number) else "inf"  # PHP's own printf spelling, no sign
    # PHP's printf gives at most NDIG - 2 decimals; number_format pads the rest with zeros
    whole, _, fraction = f"{number:.{min(places, _MAX_PRINTED_DECIMALS)}f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = thousands.join(groups)
    if places:
        result += decimal_point + fraction.ljust(places, "0")
    return "-" + result if negative and number != 0 else result


_MAX_PRINTED_DECIMALS = 318  # php_conv_fp: NDIG (320) - 2


def _intpow10(power: int) -> float:
    """``php_intpow10``: exact powers of ten up to 1e22, ``pow()`` beyond."""
    if 0 <= power <= 22:
        return float(10**power)
    try:
        return math.pow(10.0, power)
    except OverflowError:  # C's pow() gives INF
        return math.inf


def _round_helper(value: float) -> float:
    """``php_round_helper`` for PHP_ROUND_HALF_UP: half away from zero."""
    if value >= 0.0:
        return float(math.floor(value + 0.5))
    return float(math.ceil(value - 0.5)) or -0.0  # C's ceil keeps the sign of a negative value


def php_round(value: float, precision: int = 0) -> float:
    """PHP 8.2 ``round()`` (``_php_math_round``, half away from zero): the value is pre-rounded to
    the 15 significant digits a double holds when the requested precision is within them, and left
    as it is when it is too big to have digits at that precision (``round(2**52 + 1)`` keeps it)."""
    if not math.isfinite(value) or value == 0.0:
        return value
    places = precision
    precision_places = 14 - math.floor(math.log10(abs(value)))
    f1 = _intpow10(abs(places))
    if precision_places > places and precision_places - places < 15:
        f2 = _intpow10(abs(precision_places))
        scaled = value * f2 if precision_places >= 0 else value / f2
        scaled = _round_helper(scaled) / _intpow10(abs(places - precision_places))
    else:
        scaled = value * f1 if places >= 0 else value / f1
        if abs(scaled) >= 1e15:  # beyond a double's precision: nothing to round
            return value
    scaled = _round_helper(scaled)
    if abs(places) < 23:
        return scaled / f1 if places > 0 else scaled * f1
    # PHP goes through a string (snprintf "%15fe%d", strtod) where a division would be inexact
    result = float(f"{scaled:15f}e{-places}")
    return result if math.isfinite(result) else value


def base64_decode(text: str) -> str:
    """``base64_decode`` (non-strict): characters outside the alphabet are skipped."""
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", text)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += "=" * (-len(cleaned) % 4)
    return base64.b64decode(cleaned).decode("utf-8", "replace")


def base64_encode(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


# iconv's ASCII//TRANSLIT (glibc) spells these out instead of dropping the accent.
_TRANSLITERATIONS = {
    "ß": "ss",
    "Æ": "AE",
    "æ": "ae",
    "Ø": "O",
    "ø": "o",
    "Œ": "OE",
    "œ": "oe",
    "Đ": "D",
    "đ": "d",
    "Ł": "L",
    "ł": "l",
    "Þ": "TH",
    "þ": "th",
    "Ð": "D",
    "ð": "d",
    "ı": "i",
    "€": "EUR",
    "£": "GBP",
    "©": "(C)",
    "®": "(R)",
    "™": "(TM)",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "«": "<<",
    "»": ">>",
    "×": "x",
    "¼": " 1/4 ",
    "½": " 1/2 ",
    "¾": " 3/4 ",
    "\u00a0": " ",
}


def transliterate(text: str) -> str:
    """glibc's ``//TRANSLIT`` to ASCII: accents dropped, a few letters and signs spelled out, ``?``
    for the rest."""
    out: list[str] = []
    for char in text:
        if char.isascii():
            out.append(char)
        elif char in _TRANSLITERATIONS:
            out.append(_TRANSLITERATIONS[char])
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            ascii_part = "".join(c for c in decomposed if c.isascii())
            out.append(ascii_part if ascii_part else "?")
    return "".join(out)


# Python codecs that are no character set glibc's iconv knows.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined", "utf-8-sig"}
)


def _charset(name: str) -> str | None:
    """The Python codec of an iconv charset name (its ``//`` suffixes removed; empty: the locale's,
    UTF-8), or None if unknown."""
    if name == "":
        return "utf-8"
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def iconv(from_encoding: str, to_encoding: str, text: str) -> str | None:
    """``iconv($from, $to, $string)`` on glibc, or None for its ``false``: an unknown charset, input
    invalid in ``$from``, or a character ``$to`` cannot hold (unless ``//TRANSLIT`` spells it out or
    ``//IGNORE`` drops it). Only an exact ``//IGNORE`` at the end counts (PHP checks it, case-sensitive);
    output bytes that are not UTF-8 are decoded with replacement characters, like ``base64_decode``."""
    source = _charset(from_encoding.split("//")[0])
    target_name, *suffixes = to_encoding.split("//")
    target = _charset(target_name)
    if source is None or target is None:
        return None
    translit = any(suffix.upper() == "TRANSLIT" for suffix in suffixes)
    ignore = to_encoding.endswith(("//IGNORE", "//IGNORE//TRANSLIT"))
    try:
        decoded = text.encode("utf-8", "surrogatepass").decode(source)
    except UnicodeDecodeError:
        return None
    if decoded == "":
        return ""  # no byte order mark for nothing
    try:
        encoded = decoded.encode(target)
    except UnicodeEncodeError:
        if not (translit or ignore):
            return None
        encoder = codecs.getincrementalencoder(target)()
        parts: list[bytes] = []
        for char in decoded:
            for candidate in (char, transliterate(char)) if translit else (char,):
                try:
                    parts.append(encoder.encode(candidate))
                    break
                except UnicodeEncodeError:
                    continue
            else:
                if not ignore:
                    return None
        parts.append(encoder.encode("", final=True))
        encoded = b"".join(parts)
    return encoded.decode("utf-8", "replace")


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?((?:[-+ 0]|'.)*)(\d+)?(?:\.(\d+))?([bcdeEfFgGosuxX%])")
MAX_FORMAT_WIDTH = 10_000
MAX_FLOAT_PRECISION = 53


def sprintf(fmt: str, *arguments: Any) -> str:
    """PHP ``sprintf`` for the common conversions."""
    position = 0

    def convert(match: re.Match[str]) -> str:
        nonlocal position
        argnum, flags_text, width_text, precision_text, conversion = match.groups()
        if conversion == "%":
            return "%"
        if argnum:
            index = int(argnum) - 1
        else:
            index = position
            position += 1
        if index >= len(arguments):
            raise PhpArgumentCountError(
                f"{len(arguments) + 1} arguments are required, {len(arguments)} given"
            )
        argument = arguments[index]
        width = min(int(width_text), MAX_FORMAT_WIDTH) if width_text else 0
        precision = int(precision_text) if precision_text is not None else None
        if precision is not None and conversion in "eEfFgG":
            precision = min(precision, MAX_FLOAT_PRECISION)  # PHP truncates to 53 digits (a notice)
        left = plus = False
        pad = " "
        flag_index = 0
        while flag_index < len(flags_text):  # as PHP reads them: the last padding given wins
            flag = flags_text[flag_index]
            if flag == "'":
                flag_index += 1
                pad = flags_text[flag_index]
            elif flag == "-":
                left = True
            elif flag == "+":
                plus = True
            else:
                pad = flag
            flag_index += 1
        if conversion in "di":
            number = to_int(argument)
            text = str(abs(number))
            sign = "-" if number < 0 else ("+" if plus else "")
        elif conversion == "u":
            number = to_int(argument)
            text, sign = str(number if number >= 0 else number + 2**64), ""
        elif conversion in "eEfFgG":
            number_f = to_float(argument)
            if math.isinf(number_f) or math.isnan(number_f):
                # PHP prints these without width or precision; a zero-padded sign replaces their
                # first letter (its appendstring is told the sign is part of the text)
                text = "NaN" if math.isnan(number_f) else "INF"
                if (number_f < 0 or plus) and pad == "0" and not left:
                    return ("-" if number_f < 0 else "+") + text[1:]
                return text
            digits = 6 if precision is None else precision
            if conversion in "gG":
                text = gcvt(number_f, max(digits, 1), "E" if conversion == "G" else "e")
                sign = "-" if text.startswith("-") else ("+" if plus else "")
                text = text.removeprefix("-")
            else:
                if conversion in "fF":
                    text = f"{abs(number_f):.{digits}f}"
                else:
                    text = _exponential(abs(number_f), digits, conversion)
                sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion == "x":
            text, sign = format(to_int(argument) & (2**64 - 1), "x"), ""
        elif conversion == "X":
            text, sign = format(to_int(argument) & (2**64 - 1), "X"), ""
        elif conversion == "o":
            text, sign = format(to_int(argument) & (2**64 - 1), "o"), ""
        elif conversion == "b":
            text, sign = format(to_int(argument) & (2**64 - 1), "b"), ""
        elif conversion == "c":  # one byte: beyond ASCII not UTF-8 on its own (shown as U+FFFD)
            code = to_int(argument) % 256
            return chr(code) if code < 128 else "\ufffd"
        else:
            text, sign = to_string(argument), ""
            if precision is not None or width:
                # PHP counts bytes: "é" is 2 wide, and a cut inside a character leaves a broken one
                encoded = text.encode("utf-8", "surrogatepass")[:precision]
                size = len(encoded)
                text = encoded.decode("utf-8", "replace") if precision is not None else text
                return _pad(text, size, width, left, " " if left and pad == "0" else pad)
        body = sign + text
        if len(body) >= width:
            return body
        if left:
            return body + (" " if pad == "0" else pad) * (width - len(body))
        if pad == "0" and conversion not in "sc":
            return sign + "0" * (width - len(body)) + text
        return pad * (width - len(body)) + body

    return _FORMAT_SPEC.sub(convert, fmt)


def _pad(text: str, size: int, width: int, left: bool, pad: str) -> str:
    """``text`` (``size`` bytes long) padded to ``width`` bytes."""
    if size >= width:
        return text
    return text + pad * (width - size) if left else pad * (width - size) + text


def _exponential(number: float, precision: int, letter: str) -> str:
    """``%e`` / ``%E`` of a non-negative finite number (``php_conv_fp``): the exponent has no
    leading zeros (``1.5e+3``, ``1.0e-5``)."""
    mantissa, exponent = f"{number:.{precision}e}".split("e")
    power = int(exponent)
    return f"{mantissa}{letter}{'-' if power < 0 else '+'}{abs(power)}"
