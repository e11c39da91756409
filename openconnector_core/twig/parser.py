"""The Twig expression parser: Twig's precedence table, re-emitted as code whose every operator is a
call to a PHP-semantics runtime helper (:mod:`.registry`), so loose ``==``, PHP truthiness, numeric
strings and Twig's variable scoping behave as in the original. Variables live in one mutable context
dict ``_c`` (Twig's ``_context``).

It emits Jinja expressions; :mod:`.expressions` overrides the emission hooks to emit Python.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import TemplateSyntaxError

from .code import Expr, Translation, check_definable, helper, jinja_string
from .grammar import (
    BINARY,
    CONSTANTS,
    HELPER,
    PRE_ESCAPE_FILTERS,
    TEST_ALIASES,
    TWO_WORD_OPERATORS,
    TWO_WORD_TESTS,
)
from .lexer import Token
from .registry import FILTERS, TESTS


class ExpressionParser:
    def __init__(
        self, tokens: list[Token], translation: Translation, is_function: Callable[[str], bool]
    ) -> None:
        self.tokens = tokens
        self.index = 0
        self.translation = translation
        self.is_function = is_function
        self.inline_if_allowed = True  # Jinja's ``a if c else b``

    # ------------------------------------------------------------------ emission (Jinja source)
    # The parser is shared with the compiler to Python (:mod:`.compiler`), which overrides these.

    def h(self, name: str, first: str, *rest: str) -> str:
        return helper(name, first, *rest)

    def truth(self, expr: Expr) -> str:
        return expr.code if expr.boolean else self.h("_t", expr.code)

    def emit_test(self, subject: str, name: str, arguments: list[str] | None) -> str:
        return f"({subject} is {name}{'(' + ', '.join(arguments) + ')' if arguments is not None else ''})"

    def emit_filter(self, value: str, name: str, arguments: list[str]) -> str:
        return f"({value})|{name}({', '.join(arguments)})" if arguments else f"({value})|{name}"

    def emit_call(self, name: str, arguments: list[str]) -> str:
        return f"{name}({', '.join(arguments)})"

    def emit_number(self, text: str) -> str:
        return repr(float(text)) if any(c in text for c in ".eE") else str(int(text))  # 010 is 10

    def emit_keyword(self, name: str, value: str) -> str:
        return f"{name}={value}"

    def sub_parser(self, tokens: list[Token]) -> ExpressionParser:
        """A parser for the expression inside ``#{...}`` of a string."""
        return ExpressionParser(tokens, self.translation, self.is_function)

    def variable(self, key: str) -> str:
        """A variable of the template (``key`` is a string literal)."""
        return f"_c[{key}]"

    def context(self) -> str:
        """``_context``: all variables."""
        return "_c"

    # ------------------------------------------------------------------ tag headers (shared by both targets)

    def parse_for_header(self) -> tuple[str, str, Expr]:
        """``k, v in seq`` of a ``for`` tag: (key name or "", value name, the sequence)."""
        names = [self.expect("name").value]
        if self.accept("punct", ","):
            names.append(self.expect("name").value)
        if not self.test("name", "in"):
            raise self.error('Unexpected token (expected "in")')
        self.advance()
        self.inline_if_allowed = False  # a trailing "if" here is Twig 2's removed for-if
        sequence = self.parse_expression()
        if self.test("name", "if"):
            raise self.error(
                'The "for ... if" syntax is not supported; use a "filter" filter or an "if" inside'
            )
        key_name, value_name = (names[0], names[1]) if len(names) == 2 else ("", names[0])
        return key_name, value_name, sequence

    def parse_set_header(self) -> tuple[list[str], list[str] | None]:
        """``a, b = x, y`` (names and value codes) or ``a`` of a block ``set`` (values ``None``)."""
        names = [self.expect("name").value]
        while self.accept("punct", ","):
            names.append(self.expect("name").value)
        if self.accept("punct", "="):
            values = [self.parse_expression().code]
            while self.accept("punct", ","):
                values.append(self.parse_expression().code)
            if len(values) != len(names):
                raise self.error("When using set, you must have the same number of variables and assignments")
            return names, values
        if len(names) != 1:
            raise self.error("When using set with a block, you cannot have a multi-target")
        return names, None

    # ------------------------------------------------------------------ token helpers

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        index = min(self.index + offset, len(self.tokens) - 1)
        return self.tokens[index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def error(self, message: str) -> TemplateSyntaxError:
        return TemplateSyntaxError(message, self.current.line)

    def test(self, kind: str, value: str | None = None) -> bool:
        token = self.current
        return token.kind == kind and (value is None or token.value == value)

    def expect(self, kind: str, value: str | None = None) -> Token:
        if not self.test(kind, value):
            token = self.current
            shown = token.value or "end of tag"
            wanted = value or kind
            raise self.error(f'Unexpected token "{shown}" (expected "{wanted}")')
        return self.advance()

    def accept(self, kind: str, value: str | None = None) -> bool:
        if self.test(kind, value):
            self.advance()
            return True
        return False

    def expect_end(self) -> None:
        if not self.test("end"):
            raise self.error(f'Unexpected token "{self.current.value}"')

    # ------------------------------------------------------------------ operators

    def _binary_operator(self) -> str | None:
        token = self.current
        if token.kind == "op" and token.value in BINARY:
            return token.value
        if token.kind != "name":
            return None
        following = self.peek()
        if following.kind == "name" and (token.value, following.value) in TWO_WORD_OPERATORS:
            return f"{token.value} {following.value}"
        if token.value == "is" and following.kind == "name" and following.value == "not":
            return "is not"
        if token.value in ("or", "and", "in", "is", "matches", "xor"):
            return token.value
        return None

    def parse_expression(self, min_precedence: int = 0) -> Expr:
        left = self.parse_unary()
        while True:
            operator = self._binary_operator()
            if operator is None:
                break
            precedence, right_assoc = BINARY[operator]
            if precedence < min_precedence:
                break
            self.advance()
            if " " in operator:
                self.advance()
            if operator in ("is", "is not"):
                left = self.parse_test(left, negated=operator == "is not")
                continue
            right = self.parse_expression(precedence if right_assoc else precedence + 1)
            left = self.combine(operator, left, right)
        if min_precedence == 0:
            left = self.parse_conditional(left)
        return left

    def combine(self, operator: str, left: Expr, right: Expr) -> Expr:
        if operator == "and":
            return Expr(f"({self.truth(left)} and {self.truth(right)})", boolean=True)
        if operator == "or":
            return Expr(f"({self.truth(left)} or {self.truth(right)})", boolean=True)
        if operator == "xor":
            return Expr(f"({self.truth(left)} != {self.truth(right)})", boolean=True)
        if operator == "~":
            return Expr(self.h("_cat", left.code, right.code))
        if operator == "not in":
            return Expr(f"(not {self.h('_in', left.code, right.code)})", boolean=True)
        if operator == "??":
            check_definable(left, self.current.line)
            return self.choose(left, self.h("_isset", left.code), right)
        if operator in ("starts with", "ends with"):
            # Twig: is_string($a = L) && is_string($b = R) && …: no R unless L is a string
            test = Expr(self.h(HELPER[operator], left.code, right.code), boolean=True)
            return self.choose(test, self.h("_is_str", left.code), Expr("false", boolean=True))
        boolean = operator in ("==", "!=", "<", ">", ">=", "<=", "in", "matches")
        return Expr(self.h(HELPER[operator], left.code, right.code), boolean=boolean)

    def parse_conditional(self, expr: Expr) -> Expr:
        while True:
            if self.test("punct", "?"):
                self.advance()
                if self.accept("punct", ":"):  # ``a ?: b``
                    expr = self.choose(expr, self.truth(expr), self.parse_expression())
                    continue
                then = self.parse_expression()
                expr = self.choose(then, self.truth(expr), self.parse_otherwise("punct", ":"))
            elif self.test("name", "if") and self.inline_if_allowed:
                # Jinja's ``a if c else b``.
                self.advance()
                condition = self.parse_expression(1)
                expr = self.choose(expr, self.truth(condition), self.parse_otherwise("name", "else"))
            else:
                return expr

    def parse_otherwise(self, kind: str, value: str) -> Expr:
        """The branch after ``kind``/``value`` when it is there, else Twig's missing branch (``''``)."""
        return self.parse_expression() if self.accept(kind, value) else Expr("''", constant=True)

    def choose(self, then: Expr, condition: str, otherwise: Expr) -> Expr:
        """``then`` where ``condition`` (emitted code) holds, else ``otherwise``."""
        return Expr(
            f"({then.code} if {condition} else {otherwise.code})",
            branches=(then, otherwise),
            condition=condition,
        )

    def parse_unary(self) -> Expr:
        token = self.current
        if token.kind == "name" and token.value == "not":
            self.advance()
            operand = self.parse_expression(50)
            return self.parse_postfix(Expr(f"(not {self.truth(operand)})", boolean=True))
        if token.kind == "op" and token.value in ("-", "+"):
            self.advance()
            operand = self.parse_expression(500)
            name = "_neg" if token.value == "-" else "_pos"
            return self.parse_postfix(Expr(self.h(name, operand.code)))
        return self.parse_primary()

    def parse_test(self, subject: Expr, negated: bool) -> Expr:
        name_token = self.expect("name")
        name = name_token.value
        if self.test("name") and (name, self.current.value) in TWO_WORD_TESTS:
            name = TWO_WORD_TESTS[(name, self.advance().value)]
        name = TEST_ALIASES.get(name.lower() if name.lower() in ("null", "none") else name, name)
        if name not in TESTS:
            raise TemplateSyntaxError(f'Unknown "{name}" test.', name_token.line)
        if name == "defined":
            check_definable(subject, name_token.line)
        arguments: list[str] | None = None
        if self.test("punct", "("):
            arguments = self.parse_arguments()
        elif name in ("divisibleby", "sameas"):
            arguments = [self.parse_primary().code]
        code = self.emit_test(subject.code, name, arguments)
        return Expr(f"(not {code})" if negated else code, boolean=True)

    def parse_arguments(self) -> list[str]:
        self.expect("punct", "(")
        arguments: list[str] = []
        while not self.test("punct", ")"):
            if arguments:
                self.expect("punct", ",")
                if self.test("punct", ")"):
                    break
            if self.test("name") and self.peek().kind == "punct" and self.peek().value in ("=", ":"):
                keyword = self.advance().value
                self.advance()
                arguments.append(self.emit_keyword(keyword, self.parse_expression().code))
            else:
                arguments.append(self.parse_expression().code)
        self.expect("punct", ")")
        return arguments

    # ------------------------------------------------------------------ primaries

    def _arrow_ahead(self) -> list[str] | None:
        """Parameter names if an arrow function starts here (``x =>`` or ``(a, b) =>``)."""
        if self.test("name") and self.peek().kind == "op" and self.peek().value == "=>":
            return [self.current.value]
        if not self.test("punct", "("):
            return None
        names: list[str] = []
        offset = 1
        while True:
            token = self.peek(offset)
            if token.kind != "name":
                return None
            names.append(token.value)
            separator = self.peek(offset + 1)
            if separator.kind == "punct" and separator.value == ",":
                offset += 2
                continue
            if separator.kind == "punct" and separator.value == ")":
                arrow = self.peek(offset + 2)
                return names if arrow.kind == "op" and arrow.value == "=>" else None
            return None

    def parse_arrow(self, params: list[str]) -> Expr:
        if self.test("punct", "("):
            self.advance()
            while not self.test("punct", ")"):
                self.advance()
            self.advance()
        else:
            self.advance()
        self.expect("op", "=>")
        body = self.parse_expression()
        self.translation.arrows.append((tuple(params), body.code))
        return Expr(self.h("_arrow", "_arrows", str(len(self.translation.arrows) - 1), "_c", "_fns"))

    def parse_primary(self) -> Expr:
        params = self._arrow_ahead()
        if params is not None:
            return self.parse_arrow(params)
        token = self.advance()
        expr: Expr
        if token.kind == "name":
            lowered = token.value.lower()
            if self.test("punct", "("):
                expr = self.parse_function_call(token)
            elif lowered in CONSTANTS:
                expr = Expr(CONSTANTS[lowered], constant=True)
            elif token.value == "_context":
                expr = Expr(self.context(), path=("_c", []))
            else:
                # A variable is a key of the context: ``a.b`` then reads as one path from ``_c``.
                key = jinja_string(token.value)
                expr = Expr(self.variable(key), path=("_c", [key]))
        elif token.kind == "number":
            expr = Expr(self.emit_number(token.value), constant=True)
        elif token.kind == "string":
            expr = self.parse_string(token)
        elif token.kind == "punct" and token.value == "(":
            inner = self.parse_expression()
            self.expect("punct", ")")
            # Parentheses keep a literal a literal (Twig does not escape printed literals).
            expr = Expr(
                f"({inner.code})",
                constant=inner.constant,
                branches=inner.branches,
                condition=inner.condition,
                boolean=inner.boolean,
                path=inner.path,
                definable=inner.definable,
            )
        elif token.kind == "punct" and token.value == "[":
            expr = self.parse_array()
        elif token.kind == "punct" and token.value == "{":
            expr = self.parse_hash()
        else:
            shown = token.value or "end of tag"
            raise TemplateSyntaxError(f'Unexpected token "{shown}"', token.line)
        return self.parse_postfix(expr)

    def parse_string(self, token: Token) -> Expr:
        if not token.parts:
            return Expr(jinja_string(token.value), constant=True)
        pieces = []
        for kind, value in token.parts:
            if kind == "text":
                pieces.append(jinja_string(str(value)))
            else:
                assert isinstance(value, list)
                sub = self.sub_parser(value)
                inner = sub.parse_expression()
                sub.expect_end()
                pieces.append(inner.code)
        return Expr(self.h("_cat", *pieces))

    def parse_function_call(self, token: Token) -> Expr:
        name = token.value
        if name.startswith("_") or not self.is_function(name):
            raise TemplateSyntaxError(f'Unknown "{name}" function.', token.line)
        self.translation.functions.add(name)
        arguments = self.parse_arguments()
        # Twig parses attribute() as an attribute access: "is defined" and "??" accept it
        return Expr(self.emit_call(name, arguments), definable=name == "attribute")

    def parse_array(self) -> Expr:
        items: list[str] = []
        while not self.test("punct", "]"):
            if items:
                self.expect("punct", ",")
                if self.test("punct", "]"):
                    break
            if self.test("op", "...") or (self.test("punct", ".") and self.peek().value == "."):
                raise self.error("The spread operator is not supported")
            items.append(self.parse_expression().code)
        self.expect("punct", "]")
        return Expr(f"[{', '.join(items)}]", definable=True)

    def parse_hash(self) -> Expr:
        pairs: list[str] = []
        while not self.test("punct", "}"):
            if pairs:
                self.expect("punct", ",")
                if self.test("punct", "}"):
                    break
            token = self.current
            if token.kind in ("string", "name") and not token.parts:
                self.advance()
                key = jinja_string(token.value)
                if token.kind == "name" and not self.test("punct", ":"):
                    pairs.append(f"{key}: {self.variable(key)}")  # Twig 3 shorthand {name}
                    continue
            elif token.kind == "number":
                self.advance()
                key = self.h("_key", self.emit_number(token.value))
            elif token.kind == "punct" and token.value == "(":
                self.advance()
                key_expr = self.parse_expression()
                self.expect("punct", ")")
                key = self.h("_key", key_expr.code)
            else:
                raise self.error(
                    "A hash key must be a quoted string, a number, a name, "
                    "or an expression enclosed in parentheses"
                )
            self.expect("punct", ":")
            pairs.append(f"{key}: {self.parse_expression().code}")
        self.expect("punct", "}")
        return Expr("{" + ", ".join(pairs) + "}", definable=True)

    def parse_postfix(self, expr: Expr) -> Expr:
        while True:
            if self.test("punct", "."):
                self.advance()
                token = self.advance()
                if token.kind not in ("name", "number"):
                    raise TemplateSyntaxError(f'Unexpected token "{token.value}" after "."', token.line)
                key = self.emit_number(token.value) if token.kind == "number" else jinja_string(token.value)
                if self.test("punct", "("):
                    arguments = self.parse_arguments()
                    expr = Expr(self.h("_method", expr.code, key, *arguments), definable=True)
                else:
                    expr = self._attribute(expr, key)
            elif self.test("punct", "["):
                self.advance()
                expr = self.parse_subscript(expr)
            elif self.test("punct", "|"):
                self.advance()
                expr = self.parse_filter(expr)
            else:
                return expr

    def _attribute(self, expr: Expr, key: str) -> Expr:
        # a.b.c becomes one call _a(a, 'b', 'c') instead of nested calls.
        base, keys = expr.path if expr.path is not None else (expr.code, [])
        keys = [*keys, key]
        return Expr(self.h("_a", base, *keys), path=(base, keys))

    def parse_subscript(self, expr: Expr) -> Expr:
        start = "None"
        if not self.test("punct", ":"):
            start = self.parse_expression().code
            if self.accept("punct", "]"):
                return self._attribute(expr, start)
        self.expect("punct", ":")
        length = "None" if self.test("punct", "]") else self.parse_expression().code
        self.expect("punct", "]")
        return Expr(self.h("_slice", expr.code, start, length))

    def filter_name(self) -> str:
        token = self.expect("name")
        if token.value not in FILTERS:
            raise TemplateSyntaxError(f'Unknown "{token.value}" filter.', token.line)
        return token.value

    def parse_filter(self, expr: Expr) -> Expr:
        name = self.filter_name()
        arguments = self.parse_arguments() if self.test("punct", "(") else []
        code = expr.code
        if expr.constant and name in PRE_ESCAPE_FILTERS:
            code = self.h("_raw_const", code)  # a literal is safe: Twig does not pre-escape it
        return Expr(self.emit_filter(code, name, arguments))

    def parse_filter_chain(self) -> str:
        """``upper|trim('x')`` as used by ``{% apply %}`` / ``{% filter %}``."""
        chain: list[str] = []
        while True:
            name = self.filter_name()
            arguments = self.parse_arguments() if self.test("punct", "(") else []
            chain.append(f"{name}({', '.join(arguments)})" if arguments else name)
            if not self.accept("punct", "|"):
                return "|".join(chain)
