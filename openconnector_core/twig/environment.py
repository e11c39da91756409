"""The Twig-compatible, sandboxed template renderer (Jinja2 ``SandboxedEnvironment`` underneath).

Templates are translated from Twig to Jinja once and compiled once per template text, in a bounded
LRU per process shared by all renderers, so warm Lambda containers reuse them. Rendering streams
the output to enforce the size cap and runs inside the mapping run's time/iteration budget.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from jinja2 import Template, TemplateError, Undefined, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from openconnector_core import php
from openconnector_core.errors import MappingError

from .access import TwigContext, TwigRuntimeError
from .code import Translation
from .limits import (
    MAX_OUTPUT_CHARS,
    LimitExceededError,
    check_output_size,
    current_budget,
    end_budget,
    extend_running_budget,
    start_budget,
)
from .registry import FILTERS, FUNCTIONS, HELPERS, TESTS
from .translator import TwigTranslator

TEMPLATE_CACHE_SIZE = 1024


class TemplateRenderError(MappingError):
    """A template could not be compiled or rendered; the message is the cause (Twig-style)."""


class _TwigSandbox(SandboxedEnvironment):
    """Unsafe attribute access fails loudly instead of rendering as empty."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe")


def printable(value: Any, autoescape: bool) -> Any:
    """How PHP prints a value: ``true`` → ``1``, ``false``/``null`` → ``""``, arrays → ``Array``."""
    if isinstance(value, str):
        if autoescape and type(value) is str and ('"' in value or "'" in value):
            # Twig escapes with htmlspecialchars: quotes become &quot; / &#039; (not &#34; / &#39;),
            # which shows once escaped text is escaped again ({{ x|e|upper }}, {% apply e %}).
            return Markup(php.htmlspecialchars(value))  # noqa: S704 — escaped here
        return value
    if isinstance(value, Undefined) or value is None:
        return ""
    if isinstance(value, datetime) or callable(value):
        raise TwigRuntimeError(f"Object of class {type(value).__name__} could not be converted to string")
    return php.to_string(value)


@pass_eval_context  # a runtime-only finalize also stops Jinja from pre-rendering constants at compile time
def _finalize(_eval_context: EvalContext, value: Any) -> Any:
    return printable(value, _eval_context.autoescape)


@dataclass(frozen=True)
class CompiledTemplate:
    template: Template
    arrows: tuple[Callable[[TwigContext, dict[str, Any]], Callable[..., Any]], ...]
    functions: frozenset[str]  # the functions the template calls; the renderer must provide them
    jinja_source: str


_JINJA_MESSAGES = (
    (re.compile(r"No filter named '([^']+)'\.?"), 'Unknown "{0}" filter.'),
    (re.compile(r"No test named '([^']+)'\.?"), 'Unknown "{0}" test.'),
)


def describe_error(error: BaseException) -> str:
    """A Twig-like message for an exception raised while compiling or rendering."""
    message = str(error) if str(error) else type(error).__name__
    for pattern, replacement in _JINJA_MESSAGES:
        match = pattern.search(message)
        if match:
            return replacement.format(match.group(1))
    if isinstance(error, ZeroDivisionError):
        return str(error) or "Division by zero"
    return message


# ---------------------------------------------------------------------- process-wide caches
# One environment per autoescape setting and one compiled template per template text, shared by
# every renderer of the process: engines may be built per request, the templates stay warm.


@lru_cache(maxsize=2)
def _environment(autoescape: bool) -> _TwigSandbox:
    env = _TwigSandbox(
        autoescape=autoescape,
        finalize=_finalize,
        undefined=Undefined,
        extensions=["jinja2.ext.do"],
        keep_trailing_newline=True,
        cache_size=0,
        auto_reload=False,
        # No constant folding: it would freeze e.g. {{ 'now'|date }} into the cached template.
        optimized=False,
    )
    env.globals.clear()
    env.globals.update(FUNCTIONS)
    # Only Twig's filters (and the translator's helpers): Jinja's own extras (center, indent, pprint,
    # attr, items, ...) are not Twig, and several of them allocate without bound or print Python reprs.
    safe = env.filters["safe"]  # the translator escapes a literal "{" before a tag as {{ '{'|safe }}
    env.filters.clear()
    env.filters.update(FILTERS)
    env.filters["safe"] = safe
    env.filters.update(HELPERS)  # the translator calls its helpers as filters
    env.tests.update(TESTS)
    return env


_TRANSLATOR = TwigTranslator()


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def translate(template_text: str) -> Translation:
    """The Twig → Jinja translation of ``template_text`` (cached per process)."""
    return _TRANSLATOR.translate(template_text)


@lru_cache(maxsize=TEMPLATE_CACHE_SIZE)
def _compile(template_text: str, autoescape: bool) -> CompiledTemplate:
    started = time.monotonic()
    try:
        environment = _environment(autoescape)
        translation = translate(template_text)
        template = environment.from_string(translation.source)
        compiled_arrows: tuple[Callable[[TwigContext, dict[str, Any]], Callable[..., Any]], ...] = ()

        def arrows() -> tuple[Callable[[TwigContext, dict[str, Any]], Callable[..., Any]], ...]:
            return compiled_arrows

        compiled_arrows = tuple(
            _arrow_factory(params, environment.compile_expression(code, undefined_to_none=False), arrows)
            for params, code in translation.arrows
        )
        return CompiledTemplate(
            template, compiled_arrows, frozenset(translation.functions), translation.source
        )
    finally:
        # Compiling is a one-off cost of the process, not the running mapping's.
        extend_running_budget(time.monotonic() - started)


def _arrow_factory(
    params: tuple[str, ...], expression: Any, arrows: Callable[[], tuple[Any, ...]]
) -> Callable[[TwigContext, dict[str, Any]], Callable[..., Any]]:
    def bind(context: TwigContext, functions: dict[str, Any]) -> Callable[..., Any]:
        budget = current_budget()

        def arrow(*arguments: Any) -> Any:
            budget.tick()  # an arrow call is a loop iteration (|map, |filter, |sort, |reduce, ...)
            scope = TwigContext(context)
            for name, value in zip(params, arguments, strict=False):
                scope[name] = value
            return expression(**functions, _c=scope, _arrows=arrows(), _fns=functions)

        return arrow

    return bind


def compile_cache_info() -> Any:
    """Hits and misses of the process-wide compiled-template cache."""
    return _compile.cache_info()


class TemplateRenderer:
    """Renders Twig (and Jinja) templates in a sandbox with PHP/Twig semantics.

    ``functions`` are extra template functions (e.g. ``callSource``). They are supplied per render,
    so one compiled template serves every renderer of the process.
    """

    def __init__(
        self,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        autoescape: bool = True,
    ) -> None:
        self.autoescape = autoescape
        self.environment = _environment(autoescape)
        self._functions: dict[str, Any] = {**FUNCTIONS, **(functions or {})}
        self._function_names = frozenset(self._functions)
        # The parent scope of every render: the environment's globals plus this renderer's functions.
        self._globals = {**self.environment.globals, **self._functions}

    @property
    def functions(self) -> Mapping[str, Callable[..., Any]]:
        """The template functions this renderer provides (Twig's and the caller's)."""
        return self._functions

    # ------------------------------------------------------------------ compile

    def translate(self, template_text: str) -> Translation:
        """The Twig → Jinja translation (cached per process)."""
        return translate(template_text)

    def compile(self, template_text: str) -> CompiledTemplate:
        """Translate and compile (cached per template text); raises :class:`TemplateRenderError`."""
        try:
            compiled = _compile(template_text, self.autoescape)
        except TemplateRenderError:
            raise
        except (TemplateError, LimitExceededError) as error:
            raise TemplateRenderError(describe_error(error)) from error
        except Exception as error:  # a template the translator cannot handle is the template's error
            raise TemplateRenderError(f"cannot compile template: {describe_error(error)}") from error
        if compiled.functions and not compiled.functions <= self._function_names:
            unknown = sorted(compiled.functions - self._function_names)[0]
            raise TemplateRenderError(f'Unknown "{unknown}" function.')
        return compiled

    # ------------------------------------------------------------------ render

    def render(self, template_text: str, context: Mapping[str, Any] | list[Any]) -> str:
        """Render ``template_text`` with the top-level keys of ``context`` as variables.

        With ``autoescape`` the output is HTML-entity-decoded once (PHP ``html_entity_decode``), which
        round-trips escaped data and decodes entities written in the template text itself.
        Raises :class:`TemplateRenderError` (a ``MappingError``) on any failure.
        """
        if not isinstance(template_text, str):
            raise TemplateRenderError(f"a template must be a string, {php.php_type(template_text)} given")
        compiled = self.compile(template_text)
        if context is None:
            context = {}
        if type(context) is dict:  # the common case, without the slower Mapping (ABC) check below
            twig_context = TwigContext(context)
        elif isinstance(context, list):
            twig_context = TwigContext((str(index), item) for index, item in enumerate(context))
        elif isinstance(context, Mapping):
            twig_context = TwigContext(context)
        else:
            raise TemplateRenderError(
                f"the template context must be an object, {php.php_type(context)} given"
            )
        budget, token = start_budget()
        try:
            chunks: list[str] = []
            size = 0
            template = compiled.template
            # The globals are the shared parent; the per-render names go into the context's own vars
            # (Jinja's default render would copy the globals for every render).
            context_object = self.environment.context_class(
                self.environment, self._globals, template.name, template.blocks
            )
            context_object.vars["_c"] = twig_context
            context_object.vars["_arrows"] = compiled.arrows
            context_object.vars["_fns"] = self._functions
            for chunk in template.root_render_func(context_object):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    check_output_size(size)  # raises
                chunks.append(chunk)
            budget.check_time()
            output = "".join(chunks)
        except MappingError as error:
            raise TemplateRenderError(error.message) from error
        except Exception as error:  # every failure inside a user template is the template's error
            raise TemplateRenderError(describe_error(error)) from error
        finally:
            end_budget(token)
        if isinstance(output, Markup):
            output = str(output)
        if self.autoescape and "&" in output:  # without "&" there is no entity to decode
            return php.html_entity_decode(output)
        return output
