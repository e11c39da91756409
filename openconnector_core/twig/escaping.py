"""Twig's escaping filters: ``raw``, ``e``/``escape`` (html, js, css, url, html_attr), ``nl2br``,
``striptags``, ``spaceless``, ``url_encode``."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from openconnector_core import php

from .access import TwigRuntimeError, pairs_of, values_of
from .filters import text_argument
from .limits import check_expanded_size, check_projected_size, check_value_size, current_budget


def f_raw(value: Any) -> Any:
    if not isinstance(value, str):  # numbers, booleans, null and arrays pass through unchanged
        return value
    return Markup(php.to_string(value))  # noqa: S704 — |raw marks a value safe on purpose


def _pre_escape(value: Any, function: str) -> str:
    """The input of a filter Twig declares ``pre_escape: html``: escaped unless already safe."""
    if isinstance(value, Markup):
        return str(value)
    return php.htmlspecialchars(text_argument(value, function))


def _escape_js(match: re.Match[str]) -> str:
    char = match.group(0)
    short = {"\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in short:
        return short[char]
    codepoint = ord(char)
    if codepoint < 0x10000:
        return f"\\u{codepoint:04X}"
    codepoint -= 0x10000
    return f"\\u{0xD800 | (codepoint >> 10):04X}\\u{0xDC00 | (codepoint & 0x3FF):04X}"


def _escape_html_attr(match: re.Match[str]) -> str:
    char = match.group(0)
    codepoint = ord(char)
    if (codepoint <= 0x1F and char not in "\t\n\r") or 0x7F <= codepoint <= 0x9F:
        return "&#xFFFD;"
    if codepoint < 0x80:
        return {34: "&quot;", 38: "&amp;", 60: "&lt;", 62: "&gt;"}.get(codepoint, f"&#x{codepoint:02X};")
    return f"&#x{codepoint:04X};"


_JS_UNSAFE = re.compile(r"[^a-zA-Z0-9,._]")
_CSS_UNSAFE = re.compile(r"[^a-zA-Z0-9]")
_HTML_ATTR_UNSAFE = re.compile(r"[^a-zA-Z0-9,.\-_]")


def f_escape(value: Any, strategy: Any = "html", *_arguments: Any) -> Any:
    """Twig's ``escape``: non-strings are returned as they are; ``js``/``css`` output is not HTML-safe
    (it is auto-escaped once more, which changes nothing as it holds no HTML special characters)."""
    if not isinstance(value, str):
        return value
    result = _escape(str(value), strategy)
    check_value_size(result)
    return result


def _escape(text: str, strategy: Any) -> Any:
    strategy = "html" if php.is_null(strategy) else php.to_string(strategy)
    if strategy == "html":
        return Markup(php.htmlspecialchars(text))  # noqa: S704 — escaped here
    if strategy == "url":
        return Markup(rawurlencode(text))  # noqa: S704 — already encoded
    if strategy == "js":
        return _JS_UNSAFE.sub(_escape_js, text)
    if strategy == "css":
        return _CSS_UNSAFE.sub(lambda match: f"\\{ord(match.group(0)):X} ", text)
    if strategy == "html_attr":
        return Markup(_HTML_ATTR_UNSAFE.sub(_escape_html_attr, text))  # noqa: S704 — escaped here
    raise TwigRuntimeError(
        f'Invalid escaping strategy "{strategy}" (valid ones: html, js, url, css, html_attr).'
    )


def f_nl2br(value: Any) -> Markup:
    text = _pre_escape(value, "nl2br")
    check_projected_size(len(text) + 6 * (text.count("\n") + text.count("\r")))
    return Markup(re.sub(r"(\r\n|\n\r|\n|\r)", r"<br />\1", text))  # noqa: S704 — input escaped above


def f_striptags(value: Any, allowable_tags: Any = None) -> str:
    """PHP's ``strip_tags($value ?? '', $allowable_tags)`` (Twig's argument name): allowed tags as a
    string (``'<a><b>'``) or, as PHP 7.4 takes them, an array of names (each read as ``<name>``)."""
    text = text_argument(value, "strip_tags")
    tags: str | None
    if php.is_null(allowable_tags):
        tags = None
    elif isinstance(allowable_tags, php.ARRAYS):
        tags = "".join(f"<{php.to_string(name)}>" for name in values_of(allowable_tags)) or None
    else:
        tags = php.to_string(allowable_tags)
    return php.strip_tags(text, tags, current_budget().check_time if len(text) > 65_536 else None)


def f_spaceless(value: Any) -> Markup:
    # Twig: trim(preg_replace('/>\s+</', '><', $s)), PCRE's \s and PHP's trim being ASCII
    text = re.sub(r">\s+<", "><", _pre_escape(value, "trim"), flags=re.ASCII)
    return Markup(text.strip(" \t\n\r\0\x0b"))  # noqa: S704 — Twig marks it safe


def _http_build_query(value: Any, prefix: str | None) -> list[str]:
    parts: list[str] = []
    for key, item in pairs_of(value):
        name = key if prefix is None else f"{prefix}[{key}]"
        if php.is_null(item):
            continue
        if isinstance(item, php.ARRAYS):
            parts.extend(_http_build_query(item, name))
            continue
        text = "1" if item is True else "0" if item is False else php.to_string(item)
        parts.append(f"{rawurlencode(name)}={rawurlencode(text)}")
    return parts


def f_url_encode(value: Any) -> str:
    if isinstance(value, php.ARRAYS):  # http_build_query(..., PHP_QUERY_RFC3986)
        check_expanded_size(value)
        return "&".join(_http_build_query(value, None))
    return rawurlencode(php.to_string(value))


def raw_constant(value: Any) -> Markup:
    # Twig prints template literals unescaped; they are the template author's text, not data.
    return Markup(php.to_string(value))  # noqa: S704


_RAWURL_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def rawurlencode(text: str) -> str:
    """PHP ``rawurlencode``, its size checked before it is built (3 characters a byte)."""
    data = text.encode("utf-8", "surrogatepass")
    check_projected_size(len(data) + 2 * len(data.translate(None, _RAWURL_SAFE)))
    return php.rawurlencode(text)
