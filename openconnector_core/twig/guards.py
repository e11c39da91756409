"""The guard of a template that is one ``{% if %}`` between texts (docs/adr/0241).

``[{% set index=0 %}{% if rows|default %}…{% endif %}]``: where the condition is false, the output is
the texts around the ``if``, whatever the data; where it holds, the output is what the template
without its ``if`` and ``endif`` tags prints. So a caller can test the condition itself — cheaply,
inlined — and then print the texts without the render and the memo's key and lookup, or render the
template without the ``if``, which does not test the condition a second time. A template has a guard
only where that is exact:

* before the ``if``: texts and ``{% set name = literal %}`` of names the condition does not read;
* the condition calls no function and reads neither ``loop`` nor ``_context``;
* the ``if`` has no ``else``/``elseif`` of its own; after its ``endif``: texts only;
* no tag of the template controls whitespace (``{%-``, ``~}}``, …), and neither the ``if`` nor its
  ``endif`` is followed by a newline (a block tag eats the newline after it): taking the two tags
  out leaves every text as it was.

The condition is the ``if`` tag as written, in a template of its own (``{% if … %}1{% endif %}``),
compiled as the render's is: it fails where the render would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexer import Segment, Token
from .limits import MAX_OUTPUT_CHARS

_TEXTS = ("text", "raw")
# Whitespace control anywhere: texts that meet where the tags were taken out could be trimmed anew.
_TRIMMING = re.compile(r"\{[{%#][-~]|[-~][%}#]\}")
_OPENS = frozenset({"if", "for", "block", "with", "apply", "filter", "autoescape", "macro", "embed"})


@dataclass(frozen=True)
class Guard:
    condition: str  # ``{% if … %}1{% endif %}``: the template printing ``1`` where the condition holds
    body: str  # the template without its ``if`` and ``endif`` tags: its output where it holds
    texts: tuple[str, ...]  # its output where it does not


def _tag(segment: Segment) -> str:
    first = segment.tokens[0] if segment.tokens else None
    return first.value if first is not None and first.kind == "name" else ""


def _literal_set(segment: Segment) -> str | None:
    """The name of ``{% set name = <number or plain string> %}``, else ``None``."""
    tokens = [token for token in segment.tokens if token.kind != "end"]
    if len(tokens) != 4 or tokens[1].kind != "name" or (tokens[2].kind, tokens[2].value) != ("punct", "="):
        return None
    value = tokens[3]
    if value.kind == "number" or (value.kind == "string" and not value.parts):
        return tokens[1].value
    return None


def _plain_condition(tokens: list[Token], assigned: set[str]) -> bool:
    for token in tokens:
        if token.kind == "punct" and token.value == "(":
            return False  # a call (a function's, a method's, a filter's arguments): not for a guard
        if token.kind == "name" and (token.value in assigned or token.value in ("loop", "_context")):
            return False
        if token.parts:  # "#{...}" inside a string
            return False
    return True


def guard_of(source: str, segments: list[Segment]) -> Guard | None:
    """The guard of the template ``source`` (lexed into ``segments``), or ``None``."""
    texts: list[str] = []
    assigned: set[str] = set()
    index = 0
    while index < len(segments) and (segments[index].kind in _TEXTS or _tag(segments[index]) == "set"):
        segment = segments[index]
        if segment.kind in _TEXTS:
            texts.append(segment.text)
        else:
            name = _literal_set(segment)
            if name is None:
                return None
            assigned.add(name)
        index += 1
    if index >= len(segments) or segments[index].kind != "block" or _tag(segments[index]) != "if":
        return None
    opening = segments[index]
    if not _plain_condition(opening.tokens[1:], assigned):
        return None
    end = _matching_end(segments, index + 1)
    if end is None or _tag(segments[end]) != "endif":
        return None
    after = segments[end + 1 :]
    if any(segment.kind not in _TEXTS for segment in after):
        return None
    texts.extend(segment.text for segment in after)
    if sum(map(len, texts)) > MAX_OUTPUT_CHARS:  # the render would stop there: leave it to the render
        return None
    closing = segments[end]
    if _TRIMMING.search(source) or not (_plain_tag(source, opening) and _plain_tag(source, closing)):
        return None
    (start, stop), (end_start, end_stop) = opening.span, closing.span
    return Guard(
        source[start:stop] + "1{% endif %}",
        source[:start] + source[stop:end_start] + source[end_stop:],
        tuple(text for text in texts if text),
    )


def _plain_tag(source: str, segment: Segment) -> bool:
    """A tag not followed by a newline (a block tag eats it): taking it out changes no text."""
    return not source.startswith(("\n", "\r"), segment.span[1])


def _matching_end(segments: list[Segment], start: int) -> int | None:
    """The index of the ``end…`` closing the block open before ``start``; ``None`` when it has an
    ``else``/``elseif`` of its own or is never closed."""
    depth = 0
    for index in range(start, len(segments)):
        segment = segments[index]
        if segment.kind != "block":
            continue
        tag = _tag(segment)
        if tag in _OPENS or (tag == "set" and not _assigns(segment)):  # {% set x %}…{% endset %}
            depth += 1
        elif tag.startswith("end"):
            if depth == 0:
                return index
            depth -= 1
        elif depth == 0 and tag in ("else", "elseif", "elif"):
            return None
    return None


def _assigns(segment: Segment) -> bool:
    """``{% set name = … %}`` rather than ``{% set name %}`` (a captured block, closed by ``endset``)."""
    return any(token.kind == "punct" and token.value == "=" for token in segment.tokens)
