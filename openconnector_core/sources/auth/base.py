"""Shared machinery of the authentication schemes: ``httpx.Auth`` flows that fetch tokens.

A scheme does no I/O itself: its ``auth_flow`` *yields* the token request and receives the response;
the engine's one sending loop sends both. Token responses (tagged with :data:`TOKEN_REQUEST`) have
their body read, bounded, inside :meth:`TokenAuth.sync_auth_flow`; the main response stays a stream.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from openconnector_core.sources.auth.jwt_signing import TokenError
from openconnector_core.sources.redaction import Redactor

TOKEN_REQUEST = "openconnector.token_request"  # noqa: S105 - an extension name
MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024
EXPIRY_MARGIN_SECONDS = 30.0
DEFAULT_TOKEN_LIFETIME = 300.0

Render = Callable[[str, Mapping[str, Any]], str]


class TokenCache:
    """Access tokens per source (and configuration), valid until shortly before they expire."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            hit = self._tokens.get(key)
        if hit is None or hit[1] <= self._clock():
            return None
        return hit[0]

    def put(self, key: str, token: str, lifetime: float) -> None:
        margin = min(EXPIRY_MARGIN_SECONDS, lifetime / 10)
        with self._lock:
            self._tokens[key] = (token, self._clock() + max(lifetime - margin, 0.0))

    def invalidate(self, key: str, token: str | None = None) -> None:
        with self._lock:
            hit = self._tokens.get(key)
            if hit is not None and (token is None or hit[0] == token):
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


@dataclass
class SchemeContext:
    """What a scheme gets: the source, its dot-expanded ``authentication`` block and helpers."""

    source: Mapping[str, Any]
    settings: Mapping[str, Any]
    redactor: Redactor
    cache: TokenCache
    render: Render
    cache_key: str

    def require(self, *names: str) -> None:
        missing = [name for name in names if self.settings.get(name) in (None, "")]
        if missing:
            raise TokenError(f"Some required authentication parameters are not set: {missing}")


def read_token_body(response: httpx.Response) -> bytes:
    """Read a token endpoint's (decoded) body, refusing oversized answers."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_TOKEN_RESPONSE_BYTES:
            response.close()
            raise TokenError("The token endpoint answered with an oversized response")
        chunks.append(chunk)
    response._content = b"".join(chunks)
    return response._content


def token_from_response(
    response: httpx.Response, *, location: str | None, default_field: str, what: str
) -> tuple[str, float]:
    """The token and its lifetime (seconds) from a token endpoint's JSON response."""
    if not 200 <= response.status_code < 300:
        raise TokenError(f"The {what} endpoint answered {response.status_code}; no token was issued")
    try:
        result = json.loads(response.content or b"null")
    except ValueError as error:
        raise TokenError(f"The {what} endpoint did not answer JSON") from error
    if not isinstance(result, dict):
        raise TokenError(f"The {what} endpoint did not answer a JSON object")
    token = result.get(location or default_field)
    if not isinstance(token, str) or not token:
        raise TokenError(f"The {what} endpoint answer has no {location or default_field!r}")
    lifetime = DEFAULT_TOKEN_LIFETIME
    expires_in = result.get("expires_in")
    try:
        if expires_in not in (None, ""):
            lifetime = float(expires_in)
    except (TypeError, ValueError):
        pass
    return token, lifetime


class SchemeAuth(httpx.Auth):
    """Base of every scheme; ``extra_urls`` are the other destinations it calls (token endpoints)."""

    name = "none"

    def extra_urls(self) -> list[str]:
        return []


class TokenAuth(SchemeAuth):
    """A scheme that obtains a token with one request, caches it per source, applies it to the
    request and, when the API answers 401, fetches a fresh token and retries exactly once."""

    requires_request_body = True

    def __init__(self, context: SchemeContext) -> None:
        self.context = context

    # subclasses ------------------------------------------------------------------------------
    def token_request(self) -> httpx.Request:
        raise NotImplementedError

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        raise NotImplementedError

    def apply(self, request: httpx.Request, token: str) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {token}"
        return request

    # flow --------------------------------------------------------------------------------------
    def _fetch(self) -> Generator[httpx.Request, httpx.Response, str]:
        token_request = self.token_request()
        token_request.extensions = {**token_request.extensions, TOKEN_REQUEST: True}
        response = yield token_request
        token, lifetime = self.parse_token(response)
        self.context.redactor.add(token)
        self.context.cache.put(self.context.cache_key, token, lifetime)
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        template = _snapshot(request)
        token = self.context.cache.get(self.context.cache_key)
        if token is None:
            token = yield from self._fetch()
        else:
            self.context.redactor.add(token)
        response = yield self.apply(request, token)
        if response.status_code == 401:
            self.context.cache.invalidate(self.context.cache_key, token)
            token = yield from self._fetch()
            yield self.apply(_restore(template), token)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.requires_request_body:
            request.read()
        flow = self.auth_flow(request)
        outgoing = next(flow)
        while True:
            response = yield outgoing
            if outgoing.extensions.get(TOKEN_REQUEST):
                read_token_body(response)
            try:
                outgoing = flow.send(response)
            except StopIteration:
                break


@dataclass
class _Snapshot:
    method: str
    url: httpx.URL
    headers: list[tuple[bytes, bytes]]
    content: bytes
    extensions: dict[str, Any]


def _snapshot(request: httpx.Request) -> _Snapshot:
    return _Snapshot(
        request.method, request.url, list(request.headers.raw), request.content, dict(request.extensions)
    )


def _restore(snapshot: _Snapshot) -> httpx.Request:
    request = httpx.Request(snapshot.method, snapshot.url, headers=snapshot.headers, content=snapshot.content)
    request.extensions = dict(snapshot.extensions)
    return request
