"""Authentication schemes: registry completeness and pure auth flows over httpx.MockTransport."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from openconnector_core.sources.auth import SCHEME_NAMES, SCHEMES, TokenCache, UnknownSchemeError, build_auth
from openconnector_core.sources.auth.registry import OAUTH_PLACEHOLDER, resolve_name
from openconnector_core.sources.redaction import Redactor

MINIMAL = {
    "none": {},
    "basic": {"username": "u", "password": "p"},
    "api-key": {"key": "k"},
    "bearer": {"token": "t"},
    "oauth2": {
        "grant_type": "client_credentials",
        "tokenUrl": "https://idp.test/token",
        "client_id": "c",
        "client_secret": "s",
    },
    "jwt": {"secret": "k" * 32, "algorithm": "HS256"},
    "azure-ad": {"tokenUrl": "https://login.test/token", "client_id": "c", "private_key": "x"},
    "decos": {"tokenUrl": "https://decos.test/token"},
}


def _render(text, context):
    return text


def _build(settings, placeholders=frozenset()):
    return build_auth(
        {"id": "src-1"},
        settings,
        redactor=Redactor(),
        cache=TokenCache(),
        render=_render,
        placeholders=placeholders,
    )


def test_every_scheme_name_has_an_implementation() -> None:
    assert set(SCHEME_NAMES) == set(MINIMAL)
    for name in SCHEME_NAMES:
        assert callable(SCHEMES[name])
        scheme = _build({"type": name, **MINIMAL[name]})
        assert scheme is None if name == "none" else isinstance(scheme, httpx.Auth)


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(UnknownSchemeError) as raised:
        resolve_name("ntlm")
    assert raised.value.extra["valid"] == list(SCHEME_NAMES)
    assert resolve_name("apikey") == "api-key" and resolve_name("OAuth") == "oauth2"


class _IdP:
    """A token endpoint + API in one MockTransport handler."""

    def __init__(self) -> None:
        self.issued: list[str] = []
        self.valid: set[str] = set()
        self.token_forms: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            self.token_forms.append({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
            token = f"tok{len(self.issued) + 1}"
            self.issued.append(token)
            self.valid.add(token)
            return httpx.Response(200, json={"access_token": token, "expires_in": 3600})
        auth = request.headers.get("authorization", "")
        return httpx.Response(200 if auth.removeprefix("Bearer ") in self.valid else 401, json={"auth": auth})


def test_oauth_flow_caches_and_retries_once_after_revocation() -> None:
    idp = _IdP()
    cache = TokenCache()
    settings = {
        "type": "oauth2",
        **MINIMAL["oauth2"],
        "authentication": "basic_auth",
        "scope": "a",
        "audience": "api://x",
        "extraParams": {"resource": "r"},
    }
    client = httpx.Client(transport=httpx.MockTransport(idp))

    def scheme():
        return build_auth({"id": "s"}, settings, redactor=Redactor(), cache=cache, render=_render)

    assert client.get("https://api.test/x", auth=scheme()).status_code == 200
    assert client.get("https://api.test/x", auth=scheme()).status_code == 200
    assert idp.issued == ["tok1"]
    assert idp.token_forms[0] == {
        "grant_type": "client_credentials",
        "scope": "a",
        "audience": "api://x",
        "resource": "r",
    }
    idp.valid.clear()
    response = client.get("https://api.test/x", auth=scheme())
    assert response.status_code == 200 and idp.issued == ["tok1", "tok2"]


def test_a_second_401_is_returned_not_retried_again() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": f"t{len(calls)}"})
        return httpx.Response(401)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    assert (
        client.get("https://api.test/x", auth=_build({"type": "oauth2", **MINIMAL["oauth2"]})).status_code
        == 401
    )
    assert calls == ["/token", "/x", "/token", "/x"]


def test_template_placeholder_is_replaced_in_headers_and_query() -> None:
    idp = _IdP()
    scheme = _build(MINIMAL["oauth2"], placeholders=frozenset({OAUTH_PLACEHOLDER}))
    client = httpx.Client(transport=httpx.MockTransport(idp))
    request = client.build_request(
        "GET",
        f"https://api.test/x?t={OAUTH_PLACEHOLDER}",
        headers={"Authorization": f"Bearer {OAUTH_PLACEHOLDER}"},
    )
    response = client.send(request, auth=scheme)
    assert response.status_code == 200
    assert response.request.url.params["t"] == "tok1"


def test_api_key_basic_and_bearer_flows() -> None:
    seen: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(204)))
    client.get("https://a.test/", auth=_build({"type": "api-key", "key": "k1", "in": "query", "name": "key"}))
    client.get("https://a.test/", auth=_build({"type": "api-key", "key": "k2", "prefix": "ApiKey"}))
    client.get("https://a.test/", auth=_build({"type": "basic", "username": "u", "password": "p"}))
    client.get("https://a.test/", auth=_build({"type": "bearer", "token": "t"}))
    assert seen[0].url.params["key"] == "k1"
    assert seen[1].headers["X-Api-Key"] == "ApiKey k2"
    assert seen[2].headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    assert seen[3].headers["Authorization"] == "Bearer t"


def test_jwt_scheme_signs_claims_with_iat_and_exp() -> None:
    import jwt

    seen: list[httpx.Request] = []
    client = httpx.Client(transport=httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(204)))
    settings = {"type": "jwt", "secret": "k" * 64, "algorithm": "HS512", "payload": json.dumps({"sub": "me"})}
    client.get("https://a.test/", auth=_build(settings))
    token = seen[0].headers["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, "k" * 64, algorithms=["HS512"])
    assert claims["sub"] == "me" and claims["exp"] - claims["iat"] == 300


def test_missing_and_unsupported_settings() -> None:
    from openconnector_core.sources.auth import TokenError

    with pytest.raises(TokenError, match="Grant type not set"):
        _build({"type": "oauth2"})
    with pytest.raises(TokenError, match="not supported"):
        _build({"type": "oauth2", "grant_type": "authorization_code", "tokenUrl": "https://x"})
    with pytest.raises(TokenError, match="client_secret"):
        _build(
            {"type": "oauth2", "grant_type": "client_credentials", "tokenUrl": "https://x", "client_id": "c"}
        )
