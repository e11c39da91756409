"""PHP string library functions: HTML entities, URL encoding, ``number_format``, ``round``,
``sprintf``, ``base64_decode`` and ``iconv`` (with glibc's ``//TRANSLIT``)."""

from __future__ import annotations

import base64
import codecs
import math
import re
import unicodedata
import urllib.parse
from html.entities import codepoint2name, name2codepoint
from typing import Any

from markupsafe import escape

from .values import to_float, to_int, to_string


class PhpArgumentCountError(TypeError):
    """PHP's ``ArgumentCountError`` (too few arguments for a format)."""


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


def urlencode(text: str) -> str:
    """``urlencode``: RFC 1738, space → ``+``, ``~`` encoded."""
    encoded = urllib.parse.quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe=" ")
    return encoded.replace("~", "%7E").replace(" ", "+")


def rawurlencode(text: str) -> str:
    """``rawurlencode``: RFC 3986, space → ``%20``."""
    return urllib.parse.quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")


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


def htmlspecialchars(text: str) -> str:
    """``htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE)`` (Twig's ``html`` escaper): markupsafe's
    escaping (C speed) with PHP's entities for the quotes."""
    escaped = str(escape(text))
    if "&#3" in escaped:
        escaped = escaped.replace("&#34;", "&quot;").replace("&#39;", "&#039;")
    return escaped


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


_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?([-+ 0]|'.)*(\d+)?(?:\.(\d+))?([bcdeEfFgGosuxX%])")
MAX_FORMAT_WIDTH = 10_000
MAX_FLOAT_PRECISION = 53


def sprintf(fmt: str, *arguments: Any) -> str:
    """PHP ``sprintf`` for the common conversions."""
    position = 0

    def convert(match: re.Match[str]) -> str:
        nonlocal position
        argnum, _, width_text, precision_text, conversion = match.groups()
        if conversion == "%":
            return "%"
        flags_text = match.group(0)[1 : match.start(3) - match.start() if width_text else None]
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
        left = "-" in (flags_text or "")
        plus = "+" in (flags_text or "")
        pad = "0" if "0" in (flags_text or "").replace(width_text or "", "") else " "
        custom = re.search(r"'(.)", flags_text or "")
        if custom:
            pad = custom.group(1)
        if conversion in "di":
            number = to_int(argument)
            text = str(abs(number))
            sign = "-" if number < 0 else ("+" if plus else "")
        elif conversion == "u":
            number = to_int(argument)
            text, sign = str(number if number >= 0 else number + 2**64), ""
        elif conversion in "fF":
            number_f = to_float(argument)
            text = f"{abs(number_f):.{6 if precision is None else precision}f}"
            sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion in "eE":
            number_f = to_float(argument)
            mantissa, exponent = f"{abs(number_f):.{6 if precision is None else precision}e}".split("e")
            text = f"{mantissa}{conversion.lower()}{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent))}"
            sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion in "gG":
            number_f = to_float(argument)
            text = f"{abs(number_f):.{precision or 6}{conversion}}"
            sign = "-" if number_f < 0 else ("+" if plus else "")
        elif conversion == "x":
            text, sign = format(to_int(argument) & (2**64 - 1), "x"), ""
        elif conversion == "X":
            text, sign = format(to_int(argument) & (2**64 - 1), "X"), ""
        elif conversion == "o":
            text, sign = format(to_int(argument) & (2**64 - 1), "o"), ""
        elif conversion == "b":
            text, sign = format(to_int(argument) & (2**64 - 1), "b"), ""
        elif conversion == "c":
            return chr(to_int(argument) % 256)
        else:
            text, sign = to_string(argument), ""
            if precision is not None:
                text = text[:precision]
        body = sign + text
        if len(body) >= width:
            return body
        if left:
            return body + (" " if pad == "0" else pad) * (width - len(body))
        if pad == "0" and conversion not in "sc":
            return sign + "0" * (width - len(body)) + text
        return pad * (width - len(body)) + body

    return _FORMAT_SPEC.sub(convert, fmt)
