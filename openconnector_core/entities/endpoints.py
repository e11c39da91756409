"""Fields derived from an endpoint's path pattern (§1.3, §6.1)."""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"^\{\{\s*[^{}]+?\s*\}\}$")


def endpoint_array(endpoint: str) -> list[str]:
    return endpoint.split("/")


def endpoint_regex(endpoint: str) -> str:
    """A Python regex (no PHP ``#`` delimiters) matching the gateway path of ``endpoint``.

    Every ``{{placeholder}}`` segment captures one path segment — consecutive ones too, unlike
    upstream — and a trailing placeholder is optional, so ``api/buildings/{{id}}`` serves both the
    collection and the item."""
    segments = endpoint.split("/")
    trailing_optional = len(segments) > 1 and _PLACEHOLDER.match(segments[-1]) is not None
    body = segments[:-1] if trailing_optional else segments
    pattern = "/".join("([^/]+)" if _PLACEHOLDER.match(part) else re.escape(part) for part in body)
    if trailing_optional:
        pattern += "(?:/([^/]+))?"
    return f"^{pattern}$"


def strip_php_delimiters(regex: str) -> str:
    """Upstream stores ``#^…$#``; keep the pattern only."""
    if len(regex) >= 2 and regex[0] == "#":
        end = regex.rfind("#")
        if end > 0:
            return regex[1:end]
    return regex
