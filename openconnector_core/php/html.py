"""PHP's HTML functions: ``html_entity_decode``, ``htmlentities``, ``htmlspecialchars`` and
``strip_tags``."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.entities import codepoint2name, name2codepoint

from markupsafe import escape

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


def htmlspecialchars(text: str) -> str:
    """``htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE)`` (Twig's ``html`` escaper): markupsafe's
    escaping (C speed) with PHP's entities for the quotes."""
    escaped = str(escape(text))
    if "&#3" in escaped:
        escaped = escaped.replace("&#34;", "&quot;").replace("&#39;", "&#039;")
    return escaped


# strip_tags: in each state, the characters its state machine looks at (the others are copied, or
# kept for the allowed-tag check, or skipped)
_STRIP_SPECIAL = (
    re.compile(r"[\0<>]"),
    re.compile(r"[\0<>\"'!?]"),
    re.compile(r"[()>\"'lL]"),
    re.compile(r"[>\"'\-Ee]"),
)
_C_SPACE = frozenset(" \t\n\v\f\r")  # C's isspace()
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def strip_tags(text: str, allowed: str | None = None, check: Callable[[], None] | None = None) -> str:
    """PHP's ``strip_tags($text, $allowed)`` (``php_strip_tags_ex``): its state machine over HTML
    tags, PHP blocks (``<?…?>``), comments and ``<!…>`` declarations; a tag whose name is in
    ``allowed`` (``"<a><b>"``, case-insensitive) is kept, with any ``<``/``>`` quoted inside it
    dropped. A ``<`` before whitespace is text. ``check`` (if given) is called now and then on long
    texts (the caller's time budget)."""
    allow = None if allowed is None else allowed.translate(_ASCII_LOWER)
    out: list[str] = []
    tag: list[str] = []  # the current tag as kept for the allowed-tag check
    state = depth = br = 0
    in_quote = last = ""
    is_xml = False
    position, end = 0, len(text)
    steps = 0
    while position < end:
        steps += 1
        if check is not None and not steps & 0xFFF:
            check()
        found = _STRIP_SPECIAL[state].search(text, position)
        if found is None:
            if state == 0:
                out.append(text[position:])
            break
        index = found.start()
        if state == 0:
            out.append(text[position:index])
        elif state == 1 and allow is not None:
            tag.append(text[position:index])
        char = text[index]
        position = index + 1
        previous = text[index - 1] if index else ""
        if state == 0:
            if char == "<":
                if in_quote:
                    continue
                if text[index + 1 : index + 2] in _C_SPACE:
                    out.append("<")
                    continue
                last, state = "<", 1
                tag = ["<"]
            elif char == ">":
                if depth:
                    depth -= 1
                elif not in_quote:
                    out.append(">")
        elif state == 1:
            if char == "<":
                if in_quote:
                    continue
                if text[index + 1 : index + 2] in _C_SPACE:
                    tag.append(char)
                else:
                    depth += 1
            elif char == ">":
                if depth:
                    depth -= 1
                    continue
                if in_quote:
                    continue
                last = ">"
                if is_xml and previous == "-":
                    continue
                in_quote, state, is_xml = "", 0, False
                if allow is not None:
                    tag.append(">")
                    kept = "".join(tag)
                    if _allowed_tag(kept, allow):
                        out.append(kept)
                    tag = []
            elif char in "\"'":
                if index and (not in_quote or char == in_quote):
                    in_quote = "" if in_quote else char
                tag.append(char)
            elif char in "!?" and previous == "<":
                if char == "!":
                    last, state = char, 3
                else:
                    br, state = 0, 2
            elif char != "\0":
                tag.append(char)
        elif state == 2:  # PHP code
            if char in "()":
                if last not in ('"', "'"):
                    last = char
                    br += 1 if char == "(" else -1
            elif char == ">":
                if depth:
                    depth -= 1
                elif not in_quote and not br and last != '"' and previous == "?":
                    in_quote, state, tag = "", 0, []
            elif char in "\"'":
                if index and previous != "\\":
                    if last == char:
                        last = ""
                    elif last != "\\":
                        last = char
                    if not in_quote or char == in_quote:
                        in_quote = "" if in_quote else char
            elif index > 4 and text[index - 4 : index].translate(_ASCII_LOWER) == "<?xm":
                state, is_xml = 1, True  # "<?xml": not PHP, an ordinary tag
        elif char == ">":  # state 3: <!…> and, from "<!--", a comment
            if depth:
                depth -= 1
            elif not in_quote:
                in_quote, state, tag = "", 0, []
        elif char in "\"'":
            if index and previous != "\\" and (not in_quote or char == in_quote):
                in_quote = "" if in_quote else char
        elif char == "-":
            if index >= 2 and text[index - 2 : index] == "!-":
                # a comment: everything up to the next "-->" (outside quotes) goes
                while True:
                    close = text.find(">", position)
                    if close < 0:
                        return "".join(out)
                    position = close + 1
                    if not in_quote and close >= 2 and text[close - 2 : close] == "--":
                        break
                in_quote, state, tag = "", 0, []
        elif index > 6 and text[index - 6 : index].translate(_ASCII_LOWER) == "doctyp":
            state = 1  # "<!DOCTYPE": read on as a tag
    return "".join(out)


def _allowed_tag(tag: str, allowed: str) -> bool:
    """``php_tag_find``: the tag's name as ``<name>`` (lower case, ``/`` of a closing or
    self-closing tag dropped) found in the allowed string."""
    name = ["<"]
    started = False
    for index in range(1, len(tag)):
        char = tag[index].translate(_ASCII_LOWER)
        if char == "<":
            name.append(char)
        elif char == ">":
            break
        elif char in _C_SPACE:
            if started:
                break
        else:
            started = True
            if char != "/" or (tag[index - 1] != "<" and tag[index + 1 : index + 2] != ">"):
                name.append(char)
    name.append(">")
    return "".join(name) in allowed
