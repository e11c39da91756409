"""Matching a gateway request (path + method) to an endpoint definition.

A definition such as ``api/buildings/{{id}}`` becomes a pattern the way the original builds it:
a placeholder segment after the first matches one path segment, a placeholder in the *last*
segment is optional (one GET endpoint serves the collection and the item), everything else is
taken as written — including regex characters, as upstream does (``search?`` also matches
``searc``). Matching is case-sensitive and the stored method must equal the request method exactly.

Deliberate fix of an upstream bug: consecutive middle placeholders (``a/{{x}}/{{y}}/b``) each match a segment;
upstream converted only every other one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from openconnector_core.errors import ConflictError, NotFoundError

__all__ = [
    "EndpointLike",
    "EndpointRef",
    "Matcher",
    "compile_endpoint",
    "match_endpoint",
    "matches",
    "path_parameters",
    "placeholder_parameters",
]

_PLACEHOLDER = re.compile(r"\{\{([^}]+)\}\}")
_SEGMENT = "([^/]+)"


class EndpointLike(Protocol):
    @property
    def endpoint(self) -> str | None: ...

    @property
    def method(self) -> str | None: ...

    @property
    def name(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class EndpointRef:
    """A minimal endpoint for callers (and tests) that have no entity at hand."""

    endpoint: str
    method: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Matcher:
    definition: str
    regex: str  # the pattern's source: what entities store as ``endpointRegex``
    pattern: re.Pattern[str] | None  # None: the definition is not a valid pattern, it matches nothing
    segments: tuple[str, ...]  # segment names: placeholders without braces, literals as written
    placeholders: tuple[tuple[int, str], ...]  # (segment index, name) of every placeholder segment

    def matches(self, path: str) -> bool:
        return self.pattern is not None and self.pattern.match(path) is not None


def _placeholder_name(segment: str) -> str | None:
    match = _PLACEHOLDER.fullmatch(segment)
    return match.group(1) if match else None


@lru_cache(maxsize=4096)
def compile_endpoint(definition: str) -> Matcher:
    """The matcher of an endpoint definition; cached by the definition string."""
    segments = definition.split("/")
    last = len(segments) - 1
    parts = [segments[0]]  # the first segment is never a placeholder, as upstream
    for index, segment in enumerate(segments[1:], start=1):
        if _placeholder_name(segment) is None:
            parts.append("/" + segment)
        elif index == last:
            parts.append(f"(?:/{_SEGMENT})?")
        else:
            parts.append("/" + _SEGMENT)
    regex = "^" + "".join(parts) + r"\Z"
    try:
        pattern: re.Pattern[str] | None = re.compile(regex)
    except re.error:
        pattern = None
    return Matcher(
        definition=definition,
        regex=regex,
        pattern=pattern,
        segments=tuple(_placeholder_name(s) or s for s in segments),
        placeholders=tuple(
            (index, name) for index, segment in enumerate(segments) if (name := _placeholder_name(segment))
        ),
    )


def matches(endpoint: EndpointLike, path: str, method: str) -> bool:
    """Whether ``endpoint`` serves ``method path`` (``path`` without the leading ``/``)."""
    return endpoint.method == method and compile_endpoint(endpoint.endpoint or "").matches(path)


def match_endpoint[E: EndpointLike](endpoints: Sequence[E], path: str, method: str) -> E:
    """The one endpoint for the request; ``NotFoundError`` (404) or ``ConflictError`` (409) otherwise."""
    found = [endpoint for endpoint in endpoints if matches(endpoint, path, method)]
    if not found:
        raise NotFoundError(f"No matching endpoint found for path and method: {path} {method}")
    if len(found) > 1:
        names = ", ".join(str(endpoint.name) for endpoint in found)
        raise ConflictError(
            f"Multiple endpoints found for path and method: {path} {method}. Matching endpoints: {names}"
        )
    return found[0]


def path_parameters(endpoint: EndpointLike | str, path: str) -> dict[str, str]:
    """Every segment name of the definition (literals included) → the request's segment.

    When the request omits the optional trailing placeholder, that name is absent. A name used
    twice keeps the later segment.
    """
    names = list(compile_endpoint(_definition(endpoint)).segments)
    values = path.split("/")
    if len(values) == len(names) - 1:
        names.pop()
    return dict(zip(names, values, strict=False))


def placeholder_parameters(endpoint: EndpointLike | str, path: str) -> dict[str, str]:
    """Only the placeholder segments, by position (what the original passes to simple endpoints)."""
    values = path.split("/")
    return {
        name: values[index]
        for index, name in compile_endpoint(_definition(endpoint)).placeholders
        if index < len(values)
    }


def _definition(endpoint: EndpointLike | str) -> str:
    return endpoint if isinstance(endpoint, str) else endpoint.endpoint or ""
