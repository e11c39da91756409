"""Translate a Twig template (the dialect of the original's mapping configurations) into Jinja2 source.

Expressions are parsed with Twig's precedence table and re-emitted as Jinja expressions whose every
operator is a call to a PHP-semantics runtime helper (:mod:`.registry`), so loose ``==``,
PHP truthiness, numeric strings and Twig's variable scoping behave as in the original. Variables live
in one mutable context dict ``_c`` (Twig's ``_context``): ``{% set %}`` writes into it and ``for``
loops restore it the way Twig does (variables that existed before the loop keep their new values).

Native Jinja syntax that has a Twig counterpart (``elif``, ``is none``, ``x if c else y``,
``{% filter %}``, ``{% do %}``) is accepted as well, but not ``{% raw %}``: Twig 3 has no ``raw``
tag (``{% verbatim %}`` is the one).
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import TemplateSyntaxError

from .code import Expr, Translation, helper, jinja_string, truth
from .grammar import UNSUPPORTED_TAGS
from .lexer import Segment, TwigLexer
from .parser import ExpressionParser


class TwigTranslator:
    """Twig source → :class:`Translation` (Jinja source plus the arrow functions it uses)."""

    def __init__(self, is_function: Callable[[str], bool] = lambda name: True) -> None:
        self.is_function = is_function

    def translate(self, source: str) -> Translation:
        translation = Translation(source="")
        segments = TwigLexer(source).tokenize()
        out: list[str] = []
        stack: list[str] = []
        for segment in segments:
            if segment.kind == "text":
                out.append(self._text(segment.text))
            elif segment.kind == "raw":
                # "endraw" in the text is split over two raw blocks, so it cannot end the first one
                text = segment.text.replace("endraw", "end{% endraw %}{% raw %}raw")
                out.append("{% raw %}" + text + "{% endraw %}")
            elif segment.kind == "var":
                out.append(self._print(segment, translation))
            else:
                out.append(self._block(segment, translation, stack))
        if stack:
            tag = stack[-1].split(":")[0]
            raise TemplateSyntaxError(f'Unexpected end of template: Unclosed "{tag}" block', 1)
        translation.source = "".join(out)
        return translation

    @staticmethod
    def _text(text: str) -> str:
        if text.endswith("{"):
            return text[:-1] + "{{ '{'|safe }}"
        return text

    def _parser(self, segment: Segment, translation: Translation, start: int = 0) -> ExpressionParser:
        parser = ExpressionParser(segment.tokens, translation, self.is_function)
        parser.index = start
        return parser

    def _print(self, segment: Segment, translation: Translation) -> str:
        parser = self._parser(segment, translation)
        if parser.test("end"):
            raise TemplateSyntaxError("A variable tag cannot be empty", segment.line)
        expr = parser.parse_expression()
        parser.expect_end()
        return "{{ " + self._mark_literals_safe(expr) + " }}"

    def _mark_literals_safe(self, expr: Expr) -> str:
        # Twig's escaper leaves printed literals (and literal branches of ?:) unescaped.
        if expr.constant:
            return helper("_raw_const", expr.code)
        if expr.branches is not None:
            then, otherwise = expr.branches
            if then.constant or otherwise.constant:
                condition = expr.condition
                return (
                    f"({self._mark_literals_safe(then)} if {condition} "
                    f"else {self._mark_literals_safe(otherwise)})"
                )
        return expr.code

    def _block(self, segment: Segment, translation: Translation, stack: list[str]) -> str:
        parser = self._parser(segment, translation)
        if not parser.test("name"):
            raise TemplateSyntaxError("A block must start with a tag name", segment.line)
        tag = parser.advance().value
        handler = getattr(self, f"_tag_{tag}", None)
        if handler is None:
            if tag in UNSUPPORTED_TAGS:
                raise TemplateSyntaxError(f'The "{tag}" tag is not supported in mappings', segment.line)
            raise TemplateSyntaxError(f'Unknown "{tag}" tag.', segment.line)
        result: str = handler(parser, stack)
        parser.expect_end()
        return result

    @staticmethod
    def _close(stack: list[str], opener: str, tag: str, parser: ExpressionParser) -> None:
        if not stack or stack[-1] != opener:
            raise parser.error(f'Unexpected "{tag}" tag')
        stack.pop()

    def _tag_if(self, parser: ExpressionParser, stack: list[str]) -> str:
        stack.append("if")
        return "{% if " + truth(parser.parse_expression()) + " %}"

    def _tag_elseif(self, parser: ExpressionParser, stack: list[str]) -> str:
        if not stack or stack[-1] != "if":
            raise parser.error('Unexpected "elseif" tag')
        return "{% elif " + truth(parser.parse_expression()) + " %}"

    _tag_elif = _tag_elseif

    def _tag_else(self, parser: ExpressionParser, stack: list[str]) -> str:
        if not stack or stack[-1] not in ("if", "for"):
            raise parser.error('Unexpected "else" tag')
        return "{% else %}"

    def _tag_endif(self, parser: ExpressionParser, stack: list[str]) -> str:
        self._close(stack, "if", "endif", parser)
        return "{% endif %}"

    def _tag_for(self, parser: ExpressionParser, stack: list[str]) -> str:
        key_name, value_name, sequence = parser.parse_for_header()
        stack.append("for")
        return (
            "{% for _ in "
            + helper("_for", "_c", sequence.code, jinja_string(key_name), jinja_string(value_name))
            + " %}"
        )

    def _tag_endfor(self, parser: ExpressionParser, stack: list[str]) -> str:
        self._close(stack, "for", "endfor", parser)
        return "{% endfor %}"

    def _tag_set(self, parser: ExpressionParser, stack: list[str]) -> str:
        names, values = parser.parse_set_header()
        if values is not None:
            return "".join(
                "{% do " + helper("_set", "_c", jinja_string(name), value, "False") + " %}"
                for name, value in zip(names, values, strict=True)
            )
        stack.append("set:" + names[0])
        return "{% set _block %}"

    def _tag_endset(self, parser: ExpressionParser, stack: list[str]) -> str:
        if not stack or not stack[-1].startswith("set:"):
            raise parser.error('Unexpected "endset" tag')
        name = stack.pop()[4:]
        return "{% endset %}{% do " + helper("_set", "_c", jinja_string(name), "_block", "True") + " %}"

    def _tag_apply(self, parser: ExpressionParser, stack: list[str]) -> str:
        # Twig compiles {% apply f %}body{% endapply %} to a print of (body)|f: auto-escaped unless
        # the last filter is safe (the body itself is safe).
        depth = sum(1 for entry in stack if entry.startswith("apply:"))
        stack.append(f"apply:{depth}:{parser.parse_filter_chain()}")
        return "{% set _apply" + str(depth) + " %}"

    def _tag_endapply(self, parser: ExpressionParser, stack: list[str]) -> str:
        if not stack or not stack[-1].startswith("apply:"):
            raise parser.error('Unexpected "endapply" tag')
        _, depth, chain = stack.pop().split(":", 2)
        return "{% endset %}{{ _apply" + depth + "|" + chain + " }}"

    def _tag_filter(self, parser: ExpressionParser, stack: list[str]) -> str:
        stack.append("filter")
        return "{% filter " + parser.parse_filter_chain() + " %}"

    def _tag_endfilter(self, parser: ExpressionParser, stack: list[str]) -> str:
        self._close(stack, "filter", "endfilter", parser)
        return "{% endfilter %}"

    def _tag_spaceless(self, parser: ExpressionParser, stack: list[str]) -> str:
        stack.append("spaceless")
        return "{% filter spaceless %}"

    def _tag_endspaceless(self, parser: ExpressionParser, stack: list[str]) -> str:
        self._close(stack, "spaceless", "endspaceless", parser)
        return "{% endfilter %}"

    def _tag_autoescape(self, parser: ExpressionParser, stack: list[str]) -> str:
        stack.append("autoescape")
        enabled = "true"
        if parser.test("name") and parser.current.value.lower() == "false":
            parser.advance()
            enabled = "false"
        elif (parser.test("name") and parser.current.value.lower() == "true") or parser.test("string"):
            parser.advance()
        return "{% autoescape " + enabled + " %}"

    def _tag_endautoescape(self, parser: ExpressionParser, stack: list[str]) -> str:
        self._close(stack, "autoescape", "endautoescape", parser)
        return "{% endautoescape %}"

    def _tag_with(self, parser: ExpressionParser, stack: list[str]) -> str:
        # Twig's {% with [vars] [only] %}: a scope that is dropped at {% endwith %}.
        stack.append("with")
        variables = (
            "{}" if parser.test("end") or parser.test("name", "only") else parser.parse_expression().code
        )
        only = "True" if parser.accept("name", "only") else "False"
        return "{% for _ in " + helper("_with", "_c", variables, only) + " %}"

    def _tag_endwith(self, parser: ExpressionParser, stack: list[str]) -> str:
        self._close(stack, "with", "endwith", parser)
        return "{% endfor %}"

    def _tag_block(self, parser: ExpressionParser, stack: list[str]) -> str:
        # Without template inheritance a block renders in place.
        parser.expect("name")
        stack.append("block")
        return ""

    def _tag_endblock(self, parser: ExpressionParser, stack: list[str]) -> str:
        if parser.test("name"):
            parser.advance()
        self._close(stack, "block", "endblock", parser)
        return ""

    def _tag_do(self, parser: ExpressionParser, stack: list[str]) -> str:
        return "{% do " + parser.parse_expression().code + " %}"
