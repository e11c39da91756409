"""Rendering ``{{ }}`` in source configurations: the mapping engine's sandboxed Twig-compatible
renderer, with only the original's authentication functions (§4.4) and no autoescaping.

``oauthToken(source)`` and ``decosToken(source)`` render to placeholders that the matching scheme
replaces with the token inside its auth flow (the renderer does no I/O); ``jwtToken(source)`` signs
right away (CPU only) and remembers the token so the call's redactor can scrub it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from openconnector_core.sources.auth.registry import DECOS_PLACEHOLDER, OAUTH_PLACEHOLDER
from openconnector_core.sources.auth.schemes import sign_from_settings
from openconnector_core.sources.config import dot_expand


class Renderer(Protocol):
    def render(self, text: str, context: Mapping[str, Any]) -> str: ...


RendererFactory = Callable[[dict[str, Callable[..., Any]]], Renderer]

issued_tokens: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "issued_tokens", default=None
)


def default_renderer_factory(functions: dict[str, Callable[..., Any]]) -> Renderer:
    from openconnector_core.twig.environment import TemplateRenderer

    renderer: Renderer = TemplateRenderer(functions=functions, autoescape=False)
    return renderer


def authentication_settings(source: Mapping[str, Any]) -> dict[str, Any]:
    """The dot-expanded ``configuration.authentication`` block of a source."""
    configuration = source.get("configuration")
    expanded = dot_expand(configuration if isinstance(configuration, Mapping) else {})
    block = expanded.get("authentication")
    return dict(block) if isinstance(block, Mapping) else {}


class SourceTemplates:
    """The renderer of one engine, built lazily with the authentication functions."""

    def __init__(self, factory: RendererFactory | None, token_cache: Any) -> None:
        self._factory = factory or default_renderer_factory
        self._renderer: Renderer | None = None
        self._token_cache = token_cache

    @property
    def renderer(self) -> Renderer:
        if self._renderer is None:
            self._renderer = self._factory(
                {
                    "oauthToken": self._oauth_token,
                    "jwtToken": self._jwt_token,
                    "decosToken": self._decos_token,
                }
            )
        return self._renderer

    def render(self, text: str, context: Mapping[str, Any]) -> str:
        return self.renderer.render(text, context)

    @staticmethod
    def _oauth_token(source: Any = None) -> str:
        return OAUTH_PLACEHOLDER

    @staticmethod
    def _decos_token(source: Any = None) -> str:
        return DECOS_PLACEHOLDER

    def _jwt_token(self, source: Any = None) -> str:
        from openconnector_core.sources.auth.base import SchemeContext
        from openconnector_core.sources.auth.registry import cache_key
        from openconnector_core.sources.redaction import Redactor

        source_map: Mapping[str, Any] = source if isinstance(source, Mapping) else {}
        settings = authentication_settings(source_map)
        redactor = Redactor()
        context = SchemeContext(
            source=source_map,
            settings=settings,
            redactor=redactor,
            cache=self._token_cache,
            render=self.render,
            cache_key=cache_key(source_map, settings),
        )
        context.require("payload", "secret", "algorithm")
        token = sign_from_settings(context)
        tokens = issued_tokens.get()
        if tokens is not None:
            tokens.append(token)
        return token
