"""The outbound HTTP client: pooled httpx clients per container and the one sending loop.

* One default ``httpx.Client`` per container (keep-alive pool, HTTP/1.1 and HTTP/2), created on first
  use; sources with their own TLS material (CA bundle, client certificate) get a cached client per
  distinct material, because TLS settings belong to a connection pool.
* Every connection passes the SSRF guard at connect time (:mod:`.ssrf`); every URL, including each
  redirect hop, is checked before it is sent. Redirects are followed here (bounded), never by httpx.
* The body is streamed and refused past a size cap; a total deadline bounds the whole exchange.
"""

from __future__ import annotations

import hashlib
import ssl
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx

from openconnector_core.errors import SourceError
from openconnector_core.sources.config import TlsMaterial
from openconnector_core.sources.redaction import is_secret_name
from openconnector_core.sources.ssrf import OutboundGuard, guarded_transport

USER_AGENT = "OpenConnector/0.1 (+https://github.com/ConductionNL/openconnector)"
MAX_TLS_CLIENTS = 16
MAX_COOKIE_JARS = 256
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class ResponseTooLargeError(SourceError):
    code, title = "source-response-too-large", "Source response too large"


class DeadlineExceededError(SourceError):
    code, title = "source-timeout", "Source call timed out"


class TooManyRedirectsError(SourceError):
    code, title = "source-too-many-redirects", "Too many redirects"


@dataclass
class RawResponse:
    """A fully read response (body capped) plus what the call log needs."""

    status_code: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    url: str
    http_version: str
    charset: str | None
    content_type: str | None
    remote_ip: str | None
    request: httpx.Request
    redirects: list[str] = field(default_factory=list)

    def header_map(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for name, value in self.headers:
            merged[name] = f"{merged[name]}, {value}" if name in merged else value
        return merged


def _ssl_context(tls: TlsMaterial) -> ssl.SSLContext:
    if tls.verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(tls.verify, str):
        context = ssl.create_default_context(cadata=tls.verify)
    else:
        context = ssl.create_default_context()
    if tls.cert:
        # ssl can only load a certificate chain from files: write, load, delete at once.
        with tempfile.TemporaryDirectory(prefix="oc-tls-") as directory:
            cert_path = Path(directory) / "cert.pem"
            cert_path.write_text(tls.cert)
            key_path = None
            if tls.key:
                key_path = Path(directory) / "key.pem"
                key_path.write_text(tls.key)
            context.load_cert_chain(
                str(cert_path),
                str(key_path) if key_path else None,
                password=tls.key_password or tls.cert_password,
            )
    return context


class HttpClients:
    """The container's httpx clients, all behind the same guard (or the injected transport)."""

    def __init__(self, guard: OutboundGuard, transport: httpx.BaseTransport | None = None) -> None:
        self.guard = guard
        self._transport = transport
        self._default: httpx.Client | None = None
        self._tls_clients: OrderedDict[str, httpx.Client] = OrderedDict()
        self._jars: OrderedDict[str, httpx.Cookies] = OrderedDict()
        self._lock = threading.Lock()

    def _new_client(self, transport: httpx.BaseTransport) -> httpx.Client:
        return httpx.Client(
            transport=transport,
            trust_env=False,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            # The client is shared by every source: its own jar must keep nothing (see ``cookies``).
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    def cookies(self, source: Mapping[str, Any]) -> httpx.Cookies:
        """The cookie jar of one source (by id; a source without one gets a jar for this call only).
        Cookies a source's server sets go back to that source's server only, never to another's."""
        key = str(source.get("id") or source.get("uuid") or "")
        if not key:
            return httpx.Cookies()
        with self._lock:
            jar = self._jars.get(key)
            if jar is None:
                jar = self._jars[key] = httpx.Cookies()
                while len(self._jars) > MAX_COOKIE_JARS:
                    self._jars.popitem(last=False)
            self._jars.move_to_end(key)
            return jar

    def default(self) -> httpx.Client:
        if self._default is None:
            with self._lock:
                if self._default is None:
                    transport = self._transport or guarded_transport(self.guard)
                    self._default = self._new_client(transport)
        return self._default

    def for_tls(self, tls: TlsMaterial) -> httpx.Client:
        if tls.is_default or self._transport is not None:
            return self.default()
        key = hashlib.sha256(
            repr((tls.verify, tls.cert, tls.key, tls.cert_password, tls.key_password)).encode()
        ).hexdigest()
        with self._lock:
            client = self._tls_clients.get(key)
            if client is not None:
                self._tls_clients.move_to_end(key)
                return client
            client = self._new_client(guarded_transport(self.guard, verify=_ssl_context(tls)))
            self._tls_clients[key] = client
            while len(self._tls_clients) > MAX_TLS_CLIENTS:
                _, old = self._tls_clients.popitem(last=False)
                old.close()
            return client

    def close(self) -> None:
        with self._lock:
            for client in self._tls_clients.values():
                client.close()
            self._tls_clients.clear()
            if self._default is not None:
                self._default.close()
                self._default = None


def _remote_ip(response: httpx.Response) -> str | None:
    for name in ("x-real-ip", "x-forwarded-for"):
        if name in response.headers:
            return response.headers[name].split(",")[0].strip()
    stream = response.extensions.get("network_stream")
    if stream is not None:
        try:
            address = stream.get_extra_info("server_addr")
        except Exception:  # extra info is best effort
            address = None
        if address:
            return str(address[0])
    return None


def _redirect_request(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    location = response.headers["location"]
    url = request.url.join(location)
    if url.fragment == "" and request.url.fragment:
        url = url.copy_with(fragment=request.url.fragment)
    method = request.method
    if response.status_code == 303 and method != "HEAD":
        method = "GET"
    if response.status_code in (301, 302) and method == "POST":
        method = "GET"
    headers = httpx.Headers(request.headers)
    same_origin = (url.scheme, url.host, url.port) == (request.url.scheme, request.url.host, request.url.port)
    if not same_origin:  # credentials belong to the origin they were configured for
        for name in [name for name in headers if is_secret_name(name)]:
            headers.pop(name, None)
    headers.pop("Host", None)
    content: bytes | None = request.content
    if method != request.method and method == "GET":
        content = None
        headers.pop("Content-Length", None)
        headers.pop("Content-Type", None)
        headers.pop("Transfer-Encoding", None)
    new = httpx.Request(method, url, headers=headers, content=content)
    new.extensions = dict(request.extensions)
    return new


def bounded_timeout(timeout: httpx.Timeout, seconds: float) -> httpx.Timeout:
    """``timeout`` with no phase longer than ``seconds`` (what remains of the deadline)."""
    left = max(0.001, seconds)

    def cap(value: float | None) -> float:
        return left if value is None else min(value, left)

    return httpx.Timeout(
        connect=cap(timeout.connect), read=cap(timeout.read), write=cap(timeout.write), pool=cap(timeout.pool)
    )


def read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLargeError(f"The response exceeded the maximum size of {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise DeadlineExceededError("The source did not answer within the total timeout")
        chunks.append(chunk)
    return b"".join(chunks)


def send(
    client: httpx.Client,
    guard: OutboundGuard,
    request: httpx.Request,
    *,
    auth: httpx.Auth | None,
    follow_redirects: bool,
    max_redirects: int,
    max_bytes: int,
    deadline: float,
    cookies: httpx.Cookies | None = None,
) -> RawResponse:
    """Send ``request`` (and its redirect hops), return the capped body. The only sending loop.
    ``cookies``: the source's jar, read before and filled after every hop."""
    redirects: list[str] = []
    origin = (request.url.scheme, request.url.host, request.url.port)
    configured_cookie = "cookie" in request.headers  # a Cookie header of the source's configuration
    while True:
        guard.check_url(request.url)
        hop_auth: Any = auth
        if redirects and (request.url.scheme, request.url.host, request.url.port) != origin:
            hop_auth = None  # credentials never follow a redirect to another origin
        if cookies and not configured_cookie:  # (the cookie jar's machinery only when it holds any)
            request.headers.pop("cookie", None)
            cookies.set_cookie_header(request)
        response = client.send(request, auth=hop_auth, stream=True, follow_redirects=False)
        if cookies is not None and "set-cookie" in response.headers:
            cookies.extract_cookies(response)
        try:
            if (
                follow_redirects
                and response.status_code in _REDIRECT_STATUSES
                and "location" in response.headers
            ):
                if len(redirects) >= max_redirects:
                    raise TooManyRedirectsError(f"More than {max_redirects} redirects")
                next_request = _redirect_request(response.request, response)
                redirects.append(str(response.request.url))
                request = next_request
                continue
            body = read_capped(response, max_bytes, deadline)
            content_type = response.headers.get("content-type")
            return RawResponse(
                status_code=response.status_code,
                reason=response.reason_phrase,
                headers=[(k, v) for k, v in response.headers.multi_items()],
                body=body,
                url=str(response.request.url),
                http_version=response.http_version,
                charset=response.charset_encoding,
                content_type=content_type,
                remote_ip=_remote_ip(response),
                request=response.request,
                redirects=redirects,
            )
        finally:
            response.close()
