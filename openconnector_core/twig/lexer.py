"""Tokenizer for the Twig template dialect: splits a template into text, ``{{ }}``, ``{% %}`` and raw
parts, and each tag into expression tokens (string literals and ``#{}`` interpolation respected).

The source is read with ``\\r\\n`` and ``\\r`` as ``\\n`` first (:func:`normalize_newlines`), as
Twig's lexer reads it. Whitespace control (``-``/``~`` modifiers) and Twig's "first newline after a
block tag is removed" are applied here, so the translator only sees final text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError


@dataclass(frozen=True)
class Token:
    kind: str  # name, number, string, op, punct, end
    value: str
    line: int
    # For double-quoted strings: ("text", str) and ("expr", [Token]) parts.
    parts: tuple[tuple[str, object], ...] = field(default=(), compare=False)


@dataclass
class Segment:
    kind: str  # text, var, block, raw
    text: str = ""
    tokens: list[Token] = field(default_factory=list)
    line: int = 1
    span: tuple[int, int] = (0, 0)  # a tag's place in the template: from its opening to its closing


_TAG_START = re.compile(r"\{([{%#])([-~]?)")
_WHITESPACE = re.compile(r"[ \t\n\r\x0b\x0c\x00]+")
_NAME = re.compile(r"[a-zA-Z_\x7f-\U0010ffff][a-zA-Z0-9_\x7f-\U0010ffff]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+\-][0-9]+)?")  # Twig 3.5's: the exponent is signed
_INTEGER = re.compile(r"[0-9]+")
_SINGLE_QUOTED = re.compile(r"'([^'\\]*(?:\\.[^'\\]*)*)'", re.DOTALL)
_BITWISE = re.compile(r"b-(?:and|or|xor)\b")
_SYMBOLS = (
    "<=>",
    "==",
    "!=",
    "<=",
    ">=",
    "//",
    "**",
    "??",
    "..",
    "=>",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "~",
)
_PUNCTUATION = "()[]{}?:.,|="
_CLOSERS = {"{": ("}}",), "%": ("%}",)}
_RAW_BLOCK = re.compile(r"\{%([-~]?)\s*(verbatim)\s*([-~]?)%\}")
_NEWLINES = re.compile(r"\r\n?")
_OCTAL = re.compile(r"[0-7]{1,3}")
_HEX = re.compile(r"x([0-9a-fA-F]{1,2})")
_C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "v": "\v", "f": "\f", "a": "\a", "b": "\b", "e": "\x1b"}


def normalize_newlines(text: str) -> str:
    """Template source with ``\\r\\n`` and ``\\r`` read as ``\\n``, as Twig's lexer reads it."""
    return _NEWLINES.sub("\n", text) if "\r" in text else text


def stripcslashes(text: str) -> str:
    """PHP ``stripcslashes`` (how Twig unescapes string literals)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\\" or index + 1 >= len(text):
            out.append(char)
            index += 1
            continue
        nxt = text[index + 1]
        if nxt in _C_ESCAPES:
            out.append(_C_ESCAPES[nxt])
            index += 2
        elif hexa := _HEX.match(text, index + 1):
            out.append(chr(int(hexa.group(1), 16)))
            index = hexa.end()
        elif octal := _OCTAL.match(text, index + 1):
            out.append(chr(int(octal.group(0), 8) & 0xFF))
            index = octal.end()
        else:
            out.append(nxt)
            index += 2
    return "".join(out)


class TwigLexer:
    def __init__(self, source: str) -> None:
        self.source = normalize_newlines(source)
        self.pos = 0
        self.line = 1
        self.segments: list[Segment] = []
        self._trim_next: str = ""  # "", "-" (all whitespace), "~" (spaces/tabs), "\n" (one newline)

    def error(self, message: str) -> TemplateSyntaxError:
        return TemplateSyntaxError(message, self.line)

    # ------------------------------------------------------------------ template level

    def tokenize(self) -> list[Segment]:
        source = self.source
        while self.pos < len(source):
            match = _TAG_START.search(source, self.pos)
            if not match:
                self._add_text(source[self.pos :])
                break
            raw = _RAW_BLOCK.match(source, match.start())
            self._add_text(source[self.pos : match.start()], trim_right=match.group(2))
            self.line += source.count("\n", self.pos, match.start())
            if raw:
                self._raw_block(raw)
                continue
            kind = match.group(1)
            self.pos = match.end()
            if kind == "#":
                self._comment()
            else:
                self._tag("var" if kind == "{" else "block", match.start())
        return self.segments

    def _add_text(self, text: str, trim_right: str = "") -> None:
        trim_left, self._trim_next = self._trim_next, ""
        if trim_left == "-":
            text = text.lstrip(" \t\n\r\x0b\x0c\x00")
        elif trim_left == "~":
            text = text.lstrip(" \t\x00\x0b")
        elif trim_left == "\n" and text.startswith("\n"):
            text = text[1:]
        if trim_right == "-":
            text = text.rstrip(" \t\n\r\x0b\x0c\x00")
        elif trim_right == "~":
            text = text.rstrip(" \t\x00\x0b")
        if text:
            self.segments.append(Segment("text", text=text, line=self.line))

    def _raw_block(self, opening: re.Match[str]) -> None:
        name = opening.group(2)
        end = re.compile(r"\{%([-~]?)\s*end" + name + r"\s*([-~]?)%\}")
        closing = end.search(self.source, opening.end())
        if not closing:
            raise self.error(f'Unexpected end of file: Unclosed "{name}" block')
        body = self.source[opening.end() : closing.start()]
        self._trim_next = opening.group(3) or "\n"
        trim_left, self._trim_next = self._trim_next, ""
        if trim_left == "-":
            body = body.lstrip()
        elif trim_left == "\n" and body.startswith("\n"):
            body = body[1:]
        if closing.group(1) == "-":
            body = body.rstrip()
        if body:
            self.segments.append(Segment("raw", text=body, line=self.line))
        self.line += self.source.count("\n", opening.start(), closing.end())
        self.pos = closing.end()
        self._trim_next = closing.group(2) or "\n"

    def _comment(self) -> None:
        end = self.source.find("#}", self.pos)
        if end < 0:
            raise self.error("Unclosed comment")
        modifier = self.source[end - 1] if end > self.pos and self.source[end - 1] in "-~" else ""
        self.line += self.source.count("\n", self.pos, end)
        self.pos = end + 2
        self._trim_next = modifier or "\n"

    def _tag(self, kind: str, start: int) -> None:
        closer = "}}" if kind == "var" else "%}"
        tokens: list[Token] = []
        depth: list[str] = []
        source = self.source
        while True:
            ws = _WHITESPACE.match(source, self.pos)
            if ws:
                self.line += ws.group(0).count("\n")
                self.pos = ws.end()
            if self.pos >= len(source):
                raise self.error(
                    f'Unexpected end of file: Unclosed "{"variable" if kind == "var" else "block"}"'
                )
            if not depth:
                for modifier in ("-", "~", ""):
                    if source.startswith(modifier + closer, self.pos):
                        self.pos += len(modifier) + 2
                        if kind == "block":
                            self._trim_next = modifier or "\n"
                        else:
                            self._trim_next = modifier
                        tokens.append(Token("end", "", self.line))
                        self.segments.append(
                            Segment(kind, tokens=tokens, line=self.line, span=(start, self.pos))
                        )
                        return
            tokens.append(self._expression_token(tokens, depth))

    # ------------------------------------------------------------------ expression level

    def _expression_token(self, tokens: list[Token], depth: list[str]) -> Token:
        source, pos, line = self.source, self.pos, self.line
        char = source[pos]
        after_dot = bool(tokens) and tokens[-1].kind == "punct" and tokens[-1].value == "."
        if char.isdigit():
            match = (_INTEGER if after_dot else _NUMBER).match(source, pos)
            assert match
            self.pos = match.end()
            return Token("number", match.group(0), line)
        if char == "'":
            match = _SINGLE_QUOTED.match(source, pos)
            if not match:
                raise self.error("Unclosed string")
            self.pos = match.end()
            self.line += match.group(0).count("\n")
            return Token("string", stripcslashes(match.group(1)), line)
        if char == '"':
            return self._double_quoted()
        if bitwise := _BITWISE.match(source, pos):
            self.pos = bitwise.end()
            return Token("op", bitwise.group(0), line)
        if name := _NAME.match(source, pos):
            self.pos = name.end()
            return Token("name", name.group(0), line)
        for symbol in _SYMBOLS:
            if source.startswith(symbol, pos):
                self.pos += len(symbol)
                return Token("op", symbol, line)
        if char in _PUNCTUATION:
            self.pos += 1
            if char in "([{":
                depth.append(char)
            elif char in ")]}":
                if not depth or "([{"[")]}".index(char)] != depth[-1]:
                    raise self.error(f'Unexpected "{char}"')
                depth.pop()
            return Token("punct", char, line)
        raise self.error(f'Unexpected character "{char}"')

    def _double_quoted(self) -> Token:
        source, line = self.source, self.line
        pos = self.pos + 1
        parts: list[tuple[str, object]] = []
        buffer: list[str] = []
        while True:
            if pos >= len(source):
                raise self.error("Unclosed string")
            char = source[pos]
            if char == "\\" and pos + 1 < len(source):
                buffer.append(source[pos : pos + 2])
                pos += 2
            elif char == '"':
                pos += 1
                break
            elif char == "#" and source.startswith("#{", pos):
                if buffer:
                    parts.append(("text", stripcslashes("".join(buffer))))
                    buffer = []
                self.pos = pos + 2
                inner: list[Token] = []
                depth: list[str] = []
                while True:
                    ws = _WHITESPACE.match(source, self.pos)
                    if ws:
                        self.pos = ws.end()
                    if self.pos >= len(source):
                        raise self.error("Unclosed interpolation")
                    if not depth and source[self.pos] == "}":
                        self.pos += 1
                        break
                    inner.append(self._expression_token(inner, depth))
                inner.append(Token("end", "", self.line))
                parts.append(("expr", inner))
                pos = self.pos
            else:
                buffer.append(char)
                pos += 1
        if buffer or not parts:
            parts.append(("text", stripcslashes("".join(buffer))))
        self.pos = pos
        self.line += source.count("\n", self.pos, pos)
        if len(parts) == 1 and parts[0][0] == "text":
            return Token("string", str(parts[0][1]), line)
        return Token("string", "", line, parts=tuple(parts))
