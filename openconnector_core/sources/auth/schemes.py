"""The authentication schemes. Each is an ``httpx.Auth``; none does I/O outside its flow."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Generator

import httpx

from openconnector_core.sources.auth.base import SchemeAuth, SchemeContext, TokenAuth, token_from_response
from openconnector_core.sources.auth.jwt_signing import (
    DEFAULT_LIFETIME,
    TokenError,
    certificate_thumbprint,
    claims_from_payload,
    client_assertion_claims,
    sign,
)

JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class NoAuth(SchemeAuth):
    name = "none"

    def __init__(self, context: SchemeContext | None = None) -> None:
        self.context = context


class BasicScheme(SchemeAuth):
    """``authentication.username`` / ``authentication.password`` → ``Authorization: Basic``."""

    name = "basic"

    def __init__(self, context: SchemeContext) -> None:
        context.require("username")
        self._username = str(context.settings["username"])
        self._password = str(context.settings.get("password") or "")
        context.redactor.add_basic(self._username, self._password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        credentials = base64.b64encode(f"{self._username}:{self._password}".encode()).decode("ascii")
        request.headers["Authorization"] = f"Basic {credentials}"
        yield request


class ApiKeyScheme(SchemeAuth):
    """``authentication.key`` sent in a header (``in: header``, default, ``name`` default
    ``X-Api-Key``, optional ``prefix``) or as a query parameter (``in: query``, ``name`` default
    ``api_key``)."""

    name = "api-key"

    def __init__(self, context: SchemeContext) -> None:
        settings = context.settings
        key = settings.get("key", settings.get("apikey", settings.get("value")))
        if key in (None, ""):
            raise TokenError("Some required authentication parameters are not set: ['key']")
        self._key = str(key)
        self._in = str(settings.get("in") or "header").lower()
        if self._in not in {"header", "query"}:
            raise TokenError("authentication.in must be 'header' or 'query'")
        default_name = "X-Api-Key" if self._in == "header" else "api_key"
        self._name = str(settings.get("name") or settings.get("header") or default_name)
        self._prefix = str(settings.get("prefix") or "")
        context.redactor.add(self._key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._in == "query":
            request.url = request.url.copy_set_param(self._name, self._key)
        else:
            request.headers[self._name] = f"{self._prefix} {self._key}".strip() if self._prefix else self._key
        yield request


class BearerScheme(SchemeAuth):
    """``authentication.token`` → ``Authorization: Bearer <token>``."""

    name = "bearer"

    def __init__(self, context: SchemeContext) -> None:
        context.require("token")
        self._token = str(context.settings["token"])
        context.redactor.add(self._token)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class OAuth2Scheme(TokenAuth):
    """OAuth 2.0 client-credentials and password grants (§4.5 keys of the original).

    ``grant_type``, ``tokenUrl``, ``scope``, ``audience``, ``extraParams`` (object), ``client_id``,
    ``client_secret``, ``username``/``password`` (password grant), ``authentication`` =
    ``body`` (credentials in the form) or ``basic_auth``, ``tokenLocation`` (top-level key of the
    answer, default ``access_token``), ``client_assertion_type`` (Microsoft certificate credentials,
    see :class:`AzureClientAssertionScheme`)."""

    name = "oauth2"
    GRANTS = ("client_credentials", "password")

    def __init__(self, context: SchemeContext) -> None:
        super().__init__(context)
        settings = context.settings
        if not settings.get("grant_type"):
            raise TokenError("Grant type not set, cannot request token")
        if not settings.get("tokenUrl"):
            raise TokenError("Token URL not set, cannot request token")
        self.grant = str(settings["grant_type"])
        if self.grant not in self.GRANTS:
            raise TokenError(f"Grant type {self.grant!r} not supported; use one of {', '.join(self.GRANTS)}")
        if self.grant == "client_credentials" and not self.uses_assertion():
            context.require("client_id", "client_secret")
        if self.grant == "password":
            context.require("username", "password")
        self.token_url = str(settings["tokenUrl"])

    def uses_assertion(self) -> bool:
        return self.context.settings.get("client_assertion_type") == JWT_BEARER_ASSERTION

    def extra_urls(self) -> list[str]:
        return [self.token_url]

    def client_assertion(self) -> str:
        settings = self.context.settings
        client_id = str(settings.get("client_id") or "")
        claims = claims_from_payload(settings.get("payload"), self.context.render, settings) or (
            client_assertion_claims(client_id, self.token_url)
        )
        x5t = settings.get("x5t") or (
            certificate_thumbprint(str(settings["certificate"])) if settings.get("certificate") else None
        )
        assertion = sign(
            claims,
            secret=settings.get("private_key"),
            algorithm=str(settings.get("algorithm") or "PS256"),
            x5t=str(x5t) if x5t else None,
            lifetime=int(settings.get("expiresIn") or DEFAULT_LIFETIME),
        )
        self.context.redactor.add(assertion)
        return assertion

    def token_request(self) -> httpx.Request:
        settings = self.context.settings
        form: dict[str, str] = {"grant_type": self.grant}
        for name in ("scope", "audience", "resource"):
            if settings.get(name) not in (None, ""):
                form[name] = str(settings[name])
        extra = settings.get("extraParams")
        if isinstance(extra, dict):
            form.update({str(k): str(v) for k, v in extra.items()})
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        in_body = str(settings.get("authentication") or "body") != "basic_auth"
        if self.grant == "password":
            user, secret = str(settings["username"]), str(settings["password"])
            if in_body:
                form.update(username=user, password=secret)
            else:
                headers["Authorization"] = _basic(user, secret)
            if settings.get("client_id") and settings.get("client_secret"):
                form.update(
                    client_id=str(settings["client_id"]), client_secret=str(settings["client_secret"])
                )
        elif self.uses_assertion():
            form.update(
                client_id=str(settings.get("client_id") or ""),
                client_assertion_type=JWT_BEARER_ASSERTION,
                client_assertion=self.client_assertion(),
            )
        else:
            client_id, secret = str(settings["client_id"]), str(settings["client_secret"])
            if in_body:
                form.update(client_id=client_id, client_secret=secret)
            else:
                headers["Authorization"] = _basic(client_id, secret)
        return httpx.Request("POST", self.token_url, headers=headers, data=form)

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        location = self.context.settings.get("tokenLocation")
        return token_from_response(
            response, location=str(location) if location else None, default_field="access_token", what="token"
        )


class AzureClientAssertionScheme(OAuth2Scheme):
    """Microsoft identity platform: client-credentials grant with a certificate-signed client
    assertion (PS256 default, RS256 allowed) carrying the ``x5t`` thumbprint header. Keys:
    ``tokenUrl``, ``client_id``, ``scope``, ``private_key`` (PEM or base64 PEM), ``x5t`` or
    ``certificate`` (PEM, thumbprint computed), optional ``payload`` template."""

    name = "azure-ad"

    def __init__(self, context: SchemeContext) -> None:
        settings = dict(context.settings)
        settings.setdefault("grant_type", "client_credentials")
        settings["client_assertion_type"] = JWT_BEARER_ASSERTION
        if str(settings.get("algorithm") or "PS256").upper() not in {"PS256", "RS256"}:
            raise TokenError("Microsoft client assertions are signed PS256 or RS256")
        context.settings = settings
        super().__init__(context)
        context.require("client_id", "private_key")


class JwtScheme(SchemeAuth):
    """A signed JWT as bearer token: claims from the ``payload`` template (rendered with the
    authentication block as context), ``iat``/``exp`` generated (``expiresIn`` seconds, default
    300), ``secret`` (HMAC key or PEM / base64 PEM), ``algorithm``, optional ``x5t``. The token is
    reused until shortly before it expires."""

    name = "jwt"

    def __init__(self, context: SchemeContext) -> None:
        context.require("secret", "algorithm")
        self.context = context
        context.redactor.add(str(context.settings["secret"]))

    def token(self) -> str:
        cached = self.context.cache.get(self.context.cache_key)
        if cached is not None:
            self.context.redactor.add(cached)
            return cached
        token = sign_from_settings(self.context)
        lifetime = float(self.context.settings.get("expiresIn") or DEFAULT_LIFETIME)
        self.context.cache.put(self.context.cache_key, token, lifetime)
        return token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token()}"
        yield request


class DecosScheme(TokenAuth):
    """Decos-style token (§4.5): POST the authentication block minus ``tokenUrl`` as JSON; token =
    ``result[tokenLocation]`` or ``result.token``."""

    name = "decos"

    def __init__(self, context: SchemeContext) -> None:
        super().__init__(context)
        context.require("tokenUrl")
        self.token_url = str(context.settings["tokenUrl"])

    def extra_urls(self) -> list[str]:
        return [self.token_url]

    def token_request(self) -> httpx.Request:
        body = {k: v for k, v in self.context.settings.items() if k not in {"tokenUrl", "type"}}
        return httpx.Request("POST", self.token_url, json=body, headers={"Accept": "application/json"})

    def parse_token(self, response: httpx.Response) -> tuple[str, float]:
        location = self.context.settings.get("tokenLocation")
        return token_from_response(
            response, location=str(location) if location else None, default_field="token", what="Decos token"
        )


def sign_from_settings(context: SchemeContext) -> str:
    settings = context.settings
    claims = claims_from_payload(settings.get("payload"), context.render, settings)
    claims.setdefault("jti", str(uuid.uuid4()))
    token = sign(
        claims,
        secret=settings.get("secret"),
        algorithm=str(settings.get("algorithm") or ""),
        x5t=str(settings["x5t"]) if settings.get("x5t") else None,
        lifetime=int(settings.get("expiresIn") or DEFAULT_LIFETIME),
    )
    context.redactor.add(token)
    return token


def _basic(user: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
