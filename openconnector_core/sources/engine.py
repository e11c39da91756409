"""The call engine: one call through a source → one call log (§4.2, B8–B10 fixed).

Everything here is decisions around a single sending loop (:func:`.client.send`): configuration
(:mod:`.config`), authentication (:mod:`.auth`), the SSRF guard (:mod:`.ssrf`), rate limits
(:mod:`.ratelimit`), retries (:mod:`.retry`), redaction (:mod:`.redaction`) and call logs
(:mod:`.call_logs`). Failures of the remote or of the configuration are *results* (call logs with
a status), never exceptions, except where a caller asks for :class:`RateLimitedError`.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from openconnector_core import deadline
from openconnector_core.errors import OpenConnectorError, OutboundRefusedError, RateLimitedError
from openconnector_core.settings import Settings
from openconnector_core.sources import ratelimit
from openconnector_core.sources.auth import TokenCache, build_auth
from openconnector_core.sources.auth.registry import DECOS_PLACEHOLDER, OAUTH_PLACEHOLDER
from openconnector_core.sources.call_logs import CallLogWriter, new_call_log
from openconnector_core.sources.client import (
    DeadlineExceededError,
    HttpClients,
    RawResponse,
    bounded_timeout,
    send,
)
from openconnector_core.sources.config import (
    RequestSpec,
    SourceConfigError,
    apply_pagination,
    effective_method,
    prepare_options,
    render_strings,
    strip_authentication,
    translate,
    unknown_options,
)
from openconnector_core.sources.legacy_auth import endpoint_join_problem, original_auth_settings
from openconnector_core.sources.redaction import (
    Redactor,
    current_redactor,
    install_log_filters,
    is_secret_name,
)
from openconnector_core.sources.responses import body_text, decode_data
from openconnector_core.sources.retry import RetryPolicy
from openconnector_core.sources.ssrf import OutboundGuard
from openconnector_core.sources.templating import RendererFactory, SourceTemplates, issued_tokens

logger = logging.getLogger(__name__)

_DISABLED_VALUES = (False, 0, "0", "false", "")


class CallEngine:
    """Calls sources. Build once per container (clients, token cache and WSDLs are reused)."""

    def __init__(
        self,
        entities: Any,
        logs: Any,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        renderer_factory: RendererFactory | None = None,
        *,
        guard: OutboundGuard | None = None,
        clock: Callable[[], float] = time.time,
        retention: Callable[[], Mapping[str, int]] | None = None,
    ) -> None:
        self.entities = entities
        self.settings = settings
        self.guard = guard or OutboundGuard(settings.outbound_allow_list, own_ports=settings.local_port_list)
        self.clients = HttpClients(self.guard, transport)
        self.tokens = TokenCache()
        self.templates = SourceTemplates(renderer_factory, self.tokens)
        self._writer = CallLogWriter(logs, retention=retention) if logs is not None else None
        self._sleep = sleep
        self._clock = clock
        self._soap: Any = None
        install_log_filters()

    # -- public -------------------------------------------------------------------------------
    def call(
        self,
        source: str | Mapping[str, Any],
        endpoint: str = "",
        method: str = "GET",
        config: Mapping[str, Any] | None = None,
        *,
        read: bool = False,
        raise_rate_limited: bool = False,
        support_calls: bool = True,
    ) -> dict[str, Any]:
        """One call; returns the (redacted) call log with the full response body and
        ``response.data`` in memory. ``raise_rate_limited`` turns a local or remote 429 into
        :class:`RateLimitedError` (``retryAfter`` in its extra)."""
        revealed = self._reveal(source)
        caller = dict(config or {})
        redactor = Redactor.for_source(revealed, caller)
        scope = current_redactor.set(redactor)
        try:
            if deadline.remaining() == 0.0:
                raise DeadlineExceededError(
                    "No time left for this call: the run that made it has spent its time budget"
                )
            call_log = self._call(
                revealed, endpoint, method, caller, read=read, redactor=redactor, support_calls=support_calls
            )
        except (OpenConnectorError, httpx.TransportError) as error:  # anything unforeseen: a result
            call_log = self._error_log(revealed, error, redactor)
        finally:
            current_redactor.reset(scope)
        if raise_rate_limited and call_log["statusCode"] == 429:
            raise RateLimitedError(call_log["statusMessage"], retryAfter=call_log.get("retryAfter"))
        return call_log

    def call_source_function(
        self,
        source_id: str,
        endpoint: str = "",
        method: str = "GET",
        configuration: Mapping[str, Any] | None = None,
        decode: bool = True,
    ) -> str:
        """``callSource()`` for mapping templates: the raw response body string (``decode`` is
        ignored, as upstream); an endpoint that contains the source location is stripped of it."""
        revealed = self._reveal(source_id)
        location = str(revealed.get("location") or "")
        if location and endpoint.startswith(location):
            endpoint = endpoint[len(location) :]
        call_log = self.call(revealed, endpoint, method, dict(configuration or {}))
        response = call_log.get("response") or {}
        return str(response.get("body") or "")

    def close(self) -> None:
        self.clients.close()

    # -- the algorithm ----------------------------------------------------------------------------
    def _reveal(self, source: str | Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(source, Mapping):
            return dict(source)
        return dict(self.entities.reveal("sources", source))

    def _call(
        self,
        source: dict[str, Any],
        endpoint: str,
        method: str,
        caller: dict[str, Any],
        *,
        read: bool,
        redactor: Redactor,
        support_calls: bool,
    ) -> dict[str, Any]:
        method = effective_method(method, caller, read=read)
        if source.get("isEnabled", True) in _DISABLED_VALUES:
            return self._local_log(source, 409, "This source is not enabled")
        location = source.get("location")
        if not location:
            return self._local_log(source, 409, "This source has no location")

        state = ratelimit.RateLimitState.of(source)
        checked, wait = ratelimit.before_call(state, self._clock())
        if checked != state:
            self._record_state(source, checked.fields())
        if wait is not None:
            return self._local_log(
                source,
                429,
                "The rate limit for this source has been exceeded. Try again later.",
                retryAfter=wait,
                error="rate-limited",
            )

        options = prepare_options(source.get("configuration"), caller)
        pre_request = options.pop("preRequest", None)
        post_request = options.pop("postRequest", None)
        apply_pagination(options)
        auth_settings = options.get("authentication")
        auth_settings = dict(auth_settings) if isinstance(auth_settings, Mapping) else {}
        redactor.add_secret_fields({"authentication": auth_settings})

        tokens: list[str] = []
        token_scope = issued_tokens.set(tokens)
        try:
            rendered = render_strings(strip_authentication(options), self._render_for(source, redactor))
        finally:
            issued_tokens.reset(token_scope)
        for token in tokens:
            redactor.add(token)
        ignored = unknown_options(rendered)
        if ignored:
            logger.debug("Source options not used for HTTP calls: %s", ", ".join(ignored))

        if support_calls and isinstance(pre_request, Mapping):
            self._support_call(source, pre_request, redactor)
        if str(source.get("type") or "").lower() == "soap":
            call_log = self._soap_call(source, endpoint, rendered, redactor)
        else:
            url = str(location) + endpoint
            glued = endpoint_join_problem(str(location), endpoint)
            if glued:
                return self._local_log(source, 400, redactor.scrub(glued), error="invalid-endpoint")
            moved = _moves_origin(str(location), url)
            if moved:
                return self._local_log(
                    source, 409, redactor.scrub(f"Invalid endpoint: {moved}"), error="invalid-request"
                )
            call_log = self._http_call(source, url, method, rendered, auth_settings, redactor)
        if support_calls and isinstance(post_request, Mapping):
            self._support_call(source, post_request, redactor)
        return call_log

    def _render_for(self, source: Mapping[str, Any], redactor: Redactor) -> Callable[[str], str]:
        """Renders option templates. What a template makes from a secret (``source.apikey|reverse``)
        is a secret of the call too: a template whose output changes when the source's secrets are
        swapped for stand-ins read one. Rendering does no I/O, so the second render is only CPU."""
        context = {"source": source}
        stand_in: dict[str, Any] = {}

        def render(text: str) -> str:
            rendered = self.templates.render(text, context)
            if "source" not in text or rendered in redactor.values:
                return rendered
            if not stand_in:
                stand_in["source"] = _with_stand_ins(source)
            try:
                reads_secret = self.templates.render(text, stand_in) != rendered
            except Exception:  # cannot tell: treat it as reading one
                reads_secret = True
            if reads_secret:
                redactor.add(rendered)
            return rendered

        return render

    def _support_call(self, source: dict[str, Any], request: Mapping[str, Any], redactor: Redactor) -> None:
        config = request.get("config")
        self.call(
            source,
            str(request.get("endpoint") or ""),
            str(request.get("method") or "GET"),
            dict(config) if isinstance(config, Mapping) else {},
            support_calls=False,
        )

    # -- HTTP -------------------------------------------------------------------------------------
    def _http_call(
        self,
        source: dict[str, Any],
        url: str,
        method: str,
        options: dict[str, Any],
        auth_settings: dict[str, Any],
        redactor: Redactor,
    ) -> dict[str, Any]:
        spec = translate(options, method=method, url=url)
        placeholders = frozenset(
            p
            for p in (OAUTH_PLACEHOLDER, DECOS_PLACEHOLDER)
            if p in url or any(p in v for _, v in spec.headers) or any(p in v for _, v in spec.params)
        )
        if not auth_settings and not placeholders:  # the original UI's top-level fields
            auth_settings = original_auth_settings(source, spec.headers, has_basic_auth=bool(spec.basic_auth))
        scheme = build_auth(
            source,
            auth_settings,
            redactor=redactor,
            cache=self.tokens,
            render=self.templates.render,
            placeholders=placeholders,
        )
        auth: httpx.Auth | None = scheme
        if auth is None and spec.basic_auth is not None:
            user, password, kind = spec.basic_auth
            redactor.add_basic(user, password)
            auth = httpx.DigestAuth(user, password) if kind == "digest" else httpx.BasicAuth(user, password)
        try:
            client = self.clients.for_tls(spec.tls)
        except (ssl.SSLError, ValueError, OSError):
            raise SourceConfigError(
                "Invalid TLS configuration: configuration.cert, ssl_key or verify is not a usable PEM "
                "certificate, key or CA bundle (or the key's password is wrong)"
            ) from None
        try:
            request = spec.build(client)
            request.read()  # a multipart body is a stream until read; the log and retries need its bytes
        except (httpx.InvalidURL, ValueError, TypeError):
            raise SourceConfigError(
                "Invalid request: the URL, headers or body cannot be sent as given"
            ) from None
        logged_request = self._logged_request(request, spec, redactor)
        try:
            self.guard.check_url(request.url)
            for extra in scheme.extra_urls() if scheme is not None else []:
                self.guard.check_url(extra)
        except (OpenConnectorError, httpx.TransportError) as error:
            return self._error_log(source, error, redactor, request=logged_request)
        return self._send_with_retries(source, client, request, spec, auth, logged_request, redactor)

    def _send_with_retries(
        self,
        source: dict[str, Any],
        client: httpx.Client,
        request: httpx.Request,
        spec: RequestSpec,
        auth: httpx.Auth | None,
        logged_request: dict[str, Any],
        redactor: Redactor,
    ) -> dict[str, Any]:
        """Send, retrying per the policy; every timeout and wait is bounded by the shared deadline."""
        policy = RetryPolicy.from_config(spec.retry)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            attempt_started = time.monotonic()
            ends = _earliest(attempt_started + spec.total_timeout, deadline.current())
            request.extensions["timeout"] = bounded_timeout(spec.timeout, ends - attempt_started).as_dict()
            try:
                raw = send(
                    client,
                    self.guard,
                    request,
                    auth=auth,
                    follow_redirects=spec.follow_redirects,
                    max_redirects=spec.max_redirects,
                    max_bytes=spec.max_response_bytes,
                    deadline=ends,
                    cookies=self.clients.cookies(source),
                )
            except httpx.TransportError as error:
                elapsed_ms = (time.monotonic() - attempt_started) * 1000
                wait = self._retry_wait(policy, request.method, None, attempt, started, None)
                if wait is None:
                    return self._error_log(
                        source,
                        error,
                        redactor,
                        request=logged_request,
                        elapsed_ms=elapsed_ms,
                        attempts=attempt,
                    )
                logger.info("Source call failed to connect (attempt %d), retrying in %.2fs", attempt, wait)
                self._sleep(wait)
                continue
            except OpenConnectorError as error:  # refused, token endpoint, size cap, deadline, redirects
                return self._error_log(source, error, redactor, request=logged_request, attempts=attempt)
            elapsed_ms = (time.monotonic() - attempt_started) * 1000
            retry_after = ratelimit.parse_retry_after(
                httpx.Headers(raw.headers).get("retry-after"), self._clock()
            )
            wait = self._retry_wait(policy, request.method, raw.status_code, attempt, started, retry_after)
            if wait is not None:
                logger.info(
                    "Source answered %d (attempt %d), retrying in %.2fs", raw.status_code, attempt, wait
                )
                self._sleep(wait)
                continue
            return self._response_log(source, raw, spec, logged_request, redactor, elapsed_ms, attempt)

    @staticmethod
    def _retry_wait(
        policy: RetryPolicy,
        method: str,
        status: int | None,
        attempt: int,
        started: float,
        retry_after: float | None,
    ) -> float | None:
        """The wait before another attempt, or ``None``: not retryable, budget spent, or the wait
        would end past the shared deadline (no point waiting for an attempt with no time left)."""
        if not policy.retryable(method, status):
            return None
        wait = policy.next_delay(attempt, time.monotonic() - started, retry_after)
        left = deadline.remaining()
        if wait is None or (left is not None and wait >= left):
            return None
        return wait

    def _response_log(
        self,
        source: dict[str, Any],
        raw: RawResponse,
        spec: RequestSpec,
        logged_request: dict[str, Any],
        redactor: Redactor,
        elapsed_ms: float,
        attempts: int,
    ) -> dict[str, Any]:
        now = self._clock()
        state = ratelimit.after_response(
            ratelimit.RateLimitState.of(source), raw.status_code, raw.header_map(), now
        )
        self._record_state(source, {**state.fields(), "lastCall": _now_iso()})
        headers = redactor.headers(raw.headers)
        headers.update(ratelimit.synthetic_headers(state))
        text, encoding = body_text(raw.body, raw.charset)
        response = _response(
            raw.status_code,
            raw.reason,
            elapsed_ms,
            text,
            headers=headers,
            size=len(raw.body),
            remote_ip=raw.remote_ip,
            encoding=encoding,
            http_version=raw.http_version,
            data=decode_data(text, raw.content_type, encoding),
        )
        if raw.redirects:
            logged_request = {
                **logged_request,
                "url": redactor.url(raw.url),
                "redirects": [redactor.url(u) for u in raw.redirects],
            }
        extra: dict[str, Any] = {"attempts": attempts}
        if raw.status_code == 429:
            wait = ratelimit.before_call(state, now)[1]
            extra["retryAfter"] = wait
        call_log = new_call_log(
            source,
            raw.status_code,
            raw.reason,
            now=_utcnow(),
            request=logged_request,
            response=response,
            **extra,
        )
        return self._persist(call_log, log_body=spec.log_body)

    def _error_log(
        self,
        source: Mapping[str, Any],
        error: Exception,
        redactor: Redactor,
        *,
        request: dict[str, Any] | None = None,
        elapsed_ms: float = 0.0,
        attempts: int = 1,
    ) -> dict[str, Any]:
        """The one place an exception becomes a call log. A connection failure is a synthetic 503
        whose body is the (scrubbed) reason; our own errors keep their status and code, except
        those of the remote side (token endpoint, size cap, deadline, redirects): 502."""
        if isinstance(error, httpx.TransportError):
            if isinstance(source, dict):
                self._record_state(source, {"lastCall": _now_iso()})
            message = redactor.scrub(_transport_message(error))
            response = _response(503, "Service Unavailable", elapsed_ms, message, size=len(message))
            return self._local_log(
                source,
                503,
                message,
                request=request,
                response=response,
                attempts=attempts,
                error="source-timeout" if isinstance(error, httpx.TimeoutException) else "source-unreachable",
            )
        assert isinstance(error, OpenConnectorError)
        if isinstance(error, OutboundRefusedError):
            status = error.status
        elif isinstance(error, DeadlineExceededError):
            status = 504
        else:  # before anything was sent: the configuration is at fault; after: the remote side
            status = 502 if request is not None else 409
        return self._local_log(
            source,
            status,
            redactor.scrub(error.message),
            request=request,
            attempts=attempts,
            error=error.code,
        )

    # -- SOAP -------------------------------------------------------------------------------------
    def _soap_call(
        self, source: dict[str, Any], operation: str, options: dict[str, Any], redactor: Redactor
    ) -> dict[str, Any]:
        from openconnector_core.sources.soap import SoapCaller

        if self._soap is None:
            self._soap = SoapCaller(self.clients, self.guard)
        logged_request = {
            "url": redactor.url(str(source.get("location"))),
            "method": "POST",
            "operation": operation,
            "headers": redactor.headers(options.get("headers") or {}),
        }
        started = time.monotonic()
        try:
            outcome = self._soap.call(source, operation, options)
        except (OpenConnectorError, httpx.TransportError) as error:
            return self._error_log(source, error, redactor, request=logged_request)
        elapsed_ms = (time.monotonic() - started) * 1000
        response = _response(
            outcome.status_code,
            outcome.reason,
            elapsed_ms,
            outcome.body,
            headers={"Content-Type": ["application/json"]},
            size=len(outcome.body.encode()),
            data=outcome.data,
        )
        call_log = new_call_log(
            source,
            outcome.status_code,
            outcome.reason,
            now=_utcnow(),
            request=logged_request,
            response=response,
        )
        return self._persist(call_log, log_body=bool(options.get("logBody")))

    # -- logs and state ---------------------------------------------------------------------------
    def _logged_request(
        self, request: httpx.Request, spec: RequestSpec, redactor: Redactor
    ) -> dict[str, Any]:
        body: str | None = None
        content = request.content if request.content else b""
        if content:
            from openconnector_core.sources.call_logs import preview

            text, encoding = body_text(content, None)
            if encoding != "UTF-8":
                body = "(binary)"
            elif spec.has_json:
                body = preview(_redact_json(text, redactor))
            elif spec.form is not None:
                body = preview(redactor.scrub(_redact_form(text)))
            else:
                body = preview(redactor.scrub(text))
        return {
            "url": redactor.url(str(request.url)),
            "method": request.method,
            "headers": redactor.headers(list(request.headers.multi_items())),
            "body": body,
            "size": len(content),
            **spec.logged_options,
        }

    def _local_log(
        self,
        source: Mapping[str, Any],
        status: int,
        message: str,
        *,
        request: dict[str, Any] | None = None,
        response: dict[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        call_log = new_call_log(
            source, status, message, now=_utcnow(), request=request, response=response, **extra
        )
        return self._persist(call_log, log_body=False)

    def _persist(self, call_log: dict[str, Any], *, log_body: bool) -> dict[str, Any]:
        if self._writer is not None:
            try:
                self._writer.write(call_log, log_body=log_body)
            except Exception:  # a log store outage must not fail the call itself
                logger.exception("Could not persist call log %s", call_log.get("id"))
        return call_log

    def _record_state(self, source: dict[str, Any], fields: dict[str, Any]) -> None:
        # One write per call at most, and none when nothing changed: ``lastCall`` is kept to the
        # minute, so a busy source without rate-limit headers costs no storage write per call.
        changed = {name: value for name, value in fields.items() if source.get(name) != value}
        if "lastCall" in changed and _seconds_between(source.get("lastCall"), changed["lastCall"]) < 60:
            del changed["lastCall"]
        source.update(changed)
        key = source.get("id") or source.get("uuid")
        if not changed or key is None or self.entities is None:
            return
        fields = changed
        try:
            self.entities.record_state("sources", str(key), fields)
        except Exception:  # bookkeeping failures are logged, the call result stands
            logger.warning("Could not record the state of source %s", key, exc_info=True)


def _redact_form(text: str) -> str:
    from urllib.parse import parse_qsl, urlencode

    pairs = parse_qsl(text, keep_blank_values=True)
    return urlencode([(k, "***" if is_secret_name(k) else v) for k, v in pairs], safe="*")


def _redact_json(text: str, redactor: Redactor) -> str:
    import json

    try:
        return json.dumps(redactor.data(json.loads(text)))
    except ValueError:
        return redactor.scrub(text)


def _with_stand_ins(source: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``source`` with every secret replaced by a different, random stand-in."""
    import secrets as random

    from openconnector_core.entities.registry import SOURCE_SECRETS
    from openconnector_core.entities.secrets import pointer, reveal, secret_locations

    salt = random.token_hex(8)
    stand_ins = {
        pointer(path): f"stand-in-{number}-{salt}"
        for number, (path, _) in enumerate(secret_locations(source, SOURCE_SECRETS))
    }
    return reveal(dict(source), stand_ins)


def _response(
    status: int,
    reason: str,
    elapsed_ms: float,
    body: str,
    *,
    headers: dict[str, list[str]] | None = None,
    size: int,
    remote_ip: str | None = None,
    encoding: str = "UTF-8",
    http_version: str | None = None,
    data: Any = None,
) -> dict[str, Any]:
    """The ``response`` of a call log (§1.16); the one place it is shaped."""
    response = {
        "statusCode": status,
        "statusMessage": reason,
        "responseTime": round(elapsed_ms, 3),
        "size": size,
        "remoteIp": remote_ip,
        "headers": headers or {},
        "body": body,
        "encoding": encoding,
        "data": data,
    }
    if http_version is not None:
        response["httpVersion"] = http_version
    return response


def _transport_message(error: httpx.TransportError) -> str:
    """Why a connection failed, in our words (a library's exception text names its internals)."""
    if isinstance(error, httpx.TimeoutException):
        return "The source did not answer in time"
    if isinstance(error, httpx.ConnectError):
        detail = str(error)
        if "resolve" in detail.lower() or "name or service" in detail.lower():
            return "The source host name could not be resolved"
        if "certificate" in detail.lower() or "ssl" in detail.lower():
            return "The TLS handshake with the source failed (certificate or protocol)"
        return "Could not connect to the source"
    if isinstance(error, httpx.RemoteProtocolError):
        return "The source broke the HTTP protocol or closed the connection"
    return "The connection to the source failed"


def _earliest(first: float, second: float | None) -> float:
    return first if second is None else min(first, second)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _now_iso() -> str:
    return _utcnow().isoformat(timespec="seconds")


def _seconds_between(earlier: Any, later: str) -> float:
    """Seconds from ``earlier`` (ISO text or None) to ``later``; infinite when unknown."""
    try:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(str(earlier))).total_seconds()
    except (TypeError, ValueError):
        return float("inf")


def _moves_origin(location: str, url: str) -> str | None:
    """Why ``url`` (the location with the endpoint appended) no longer points at the location's
    scheme, host, port and user, else ``None``. The endpoint is appended as text (as upstream), so
    ``@evil.example/``, ``.evil.example/`` or ``:8080/`` would otherwise send the source's
    credentials to another host."""
    try:
        base, target = httpx.URL(location), httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None  # the request builder reports the invalid URL
    for part in ("scheme", "host", "port", "userinfo"):
        if getattr(base, part) != getattr(target, part):
            return f"the endpoint changes the {part} of the source location"
    return None
