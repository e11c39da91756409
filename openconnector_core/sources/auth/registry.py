"""Authentication scheme registry: a name selects a scheme; unknown names fail with the valid ones.

New style: ``configuration.authentication.type`` names the scheme (see docs/sources.md).
Original style: no ``type``; ``{{ oauthToken(source) }}`` / ``{{ decosToken(source) }}`` inside a
header or query template mark where the token goes (:class:`TemplateTokenAuth`), and
``{{ jwtToken(source) }}`` is signed while rendering.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from openconnector_core.errors import BadRequestError
from openconnector_core.sources.auth.base import Render, SchemeAuth, SchemeContext, TokenAuth, TokenCache
from openconnector_core.sources.auth.schemes import (
    ApiKeyScheme,
    AzureClientAssertionScheme,
    BasicScheme,
    BearerScheme,
    DecosScheme,
    JwtScheme,
    NoAuth,
    OAuth2Scheme,
)
from openconnector_core.sources.redaction import Redactor

SchemeFactory = Callable[[SchemeContext], SchemeAuth]

SCHEMES: dict[str, SchemeFactory] = {
    "none": NoAuth,
    "basic": BasicScheme,
    "api-key": ApiKeyScheme,
    "bearer": BearerScheme,
    "oauth2": OAuth2Scheme,
    "jwt": JwtScheme,
    "azure-ad": AzureClientAssertionScheme,
    "decos": DecosScheme,
}
ALIASES = {
    "apikey": "api-key",
    "api_key": "api-key",
    "oauth": "oauth2",
    "ms-client-assertion": "azure-ad",
    "microsoft": "azure-ad",
    "jwt-bearer": "jwt",
}
SCHEME_NAMES = tuple(SCHEMES)

# What the original's template functions render to: a placeholder the matching scheme replaces
# with the token inside its auth flow (so rendering stays free of I/O).
OAUTH_PLACEHOLDER = "__openconnector_oauth_token__"
DECOS_PLACEHOLDER = "__openconnector_decos_token__"


class UnknownSchemeError(BadRequestError):
    code, title = "unknown-authentication-scheme", "Unknown authentication scheme"


def resolve_name(name: str) -> str:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in SCHEMES:
        raise UnknownSchemeError(
            f"Unknown authentication type {name!r}; valid types: {', '.join(SCHEME_NAMES)}",
            valid=list(SCHEME_NAMES),
        )
    return key


class TemplateTokenAuth(TokenAuth):
    """The original's way: the token replaces a template placeholder in headers and URL."""

    def __init__(self, inner: TokenAuth, placeholder: str) -> None:
        super().__init__(inner.context)
        self.inner = inner
        self.placeholder = placeholder
        self.name = inner.name

    def extra_urls(self) -> list[str]:
        return self.inner.extra_urls()

    def token_request(self) -> httpx.Request:
        return self.inner.token_request()

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        return self.inner.parse_token(response)

    def apply(self, request: httpx.Request, token: str) -> httpx.Request:
        for name, value in list(request.headers.multi_items()):
            if self.placeholder in value:
                request.headers[name] = value.replace(self.placeholder, token)
        if self.placeholder in str(request.url):
            request.url = httpx.URL(str(request.url).replace(self.placeholder, token))
        return request


def cache_key(source: Mapping[str, Any], settings: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{source.get('id') or source.get('uuid') or ''}:{digest}"


def build_auth(
    source: Mapping[str, Any],
    settings: Mapping[str, Any],
    *,
    redactor: Redactor,
    cache: TokenCache,
    render: Render,
    placeholders: frozenset[str] = frozenset(),
) -> SchemeAuth | None:
    """The scheme for one call, or ``None`` when the source uses no scheme.

    ``settings`` is the dot-expanded ``configuration.authentication`` block; ``placeholders`` are the
    token placeholders found in the rendered request (original-style templates)."""
    context = SchemeContext(
        source=source,
        settings=settings,
        redactor=redactor,
        cache=cache,
        render=render,
        cache_key=cache_key(source, settings),
    )
    if OAUTH_PLACEHOLDER in placeholders:
        return TemplateTokenAuth(OAuth2Scheme(context), OAUTH_PLACEHOLDER)
    if DECOS_PLACEHOLDER in placeholders:
        return TemplateTokenAuth(DecosScheme(context), DECOS_PLACEHOLDER)
    kind = settings.get("type")
    if not kind:
        return None
    name = resolve_name(str(kind))
    if name == "none":
        return None
    return SCHEMES[name](context)
