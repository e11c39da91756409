"""``authentication``: apikey, jwt/jwt-zgw, basic, oauth — with the original's gaps closed.

Failures carry the original's messages only; nothing says which part of a credential was wrong.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING, Any

from openconnector_core.gateway.response import GatewayResponse, json_response

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

UNAUTHENTICATED = "you are not allowed to access this endpoint unauththenticated"  # sic, as the original


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any] | GatewayResponse:
    config = (rule.get("configuration") or {}).get("authentication")
    if not isinstance(config, dict):
        return data
    value = _credential(flow, config.get("header"))
    if not value:
        return json_response(403, {"error": "forbidden", "details": UNAUTHENTICATED})
    kind = str(config.get("type") or "").lower()
    if kind in ("apikey", "api-key", "api_key"):
        outcome = _apikey(value, config)
    elif kind in ("jwt", "jwt-zgw"):
        outcome = _jwt(value, flow)
    elif kind == "basic":
        outcome = _basic(value, flow)
    elif kind in ("oauth", "oauth2"):
        outcome = _oauth(value, config, flow)
    else:
        return json_response(501, {"error": "The authentication method is not supported"})
    if isinstance(outcome, GatewayResponse):
        return outcome
    user, groups = outcome
    if not _allowed(user, groups, config):
        return json_response(
            403, {"error": "forbidden", "details": "you are not allowed to access this endpoint"}
        )
    flow.user = user
    return data


def _credential(flow: Flow, header: Any) -> str:
    names = ["authorization"]
    if isinstance(header, str) and header.strip():
        name = header.strip().lower()
        names = [name, name.replace("_", "-"), name.replace("-", "_")]
    for name in names:
        value = flow.request.headers.get(name)
        if value:
            return value.strip()
    return ""


def _unauthorized(message: str, details: Any = None) -> GatewayResponse:
    return json_response(401, {"error": message, "details": details if details is not None else []})


def _allowed(user: str | None, groups: list[str], config: dict[str, Any]) -> bool:
    """The ``users``/``groups`` allow-lists (empty or absent = everyone authenticated)."""
    users = [str(item) for item in config.get("users") or [] if item not in (None, "")]
    allowed_groups = [str(item) for item in config.get("groups") or [] if item not in (None, "")]
    if not users and not allowed_groups:
        return True
    return (user is not None and user in users) or bool(set(groups) & set(allowed_groups))


# --------------------------------------------------------------------------- apikey


def _api_keys(config: dict[str, Any]) -> list[tuple[str, str | None]]:
    """Both shapes: ``{key: user}`` and the UI's ``[{key: user}, …]``."""
    keys = config.get("keys")
    pairs: list[tuple[str, str | None]] = []
    entries = [keys] if isinstance(keys, dict) else keys if isinstance(keys, list) else []
    for entry in entries:
        if isinstance(entry, dict):
            pairs.extend((str(k), None if v is None else str(v)) for k, v in entry.items())
        elif isinstance(entry, str):
            pairs.append((entry, None))
    return pairs


def _apikey(value: str, config: dict[str, Any]) -> tuple[str | None, list[str]] | GatewayResponse:
    found: tuple[str | None, list[str]] | None = None
    for key, user in _api_keys(config):  # every key compared: the time says nothing about which
        if hmac.compare_digest(key.encode(), value.encode()) and found is None:
            found = (user, [])
    return found if found is not None else _unauthorized("Invalid API key")


# --------------------------------------------------------------------------- jwt


def _jwt(value: str, flow: Flow) -> tuple[str | None, list[str]] | GatewayResponse:
    from openconnector_core.gateway.tokens import TokenRejected, unverified_claims, verify

    token = value[7:].strip()  # "Bearer " (the original drops seven characters, whatever they are)
    if not token:
        return _unauthorized("No token has been provided")
    try:
        _, payload = unverified_claims(token)
        issuer = payload.get("iss")
        if not issuer:
            return _unauthorized("The token could not be validated", {"reason": "No issuer mentioned"})
        consumer = next((c for c in flow.cache.consumers() if c.get("name") == issuer), None)
        if consumer is None:
            return _unauthorized("The issuer was not found", {"iss": issuer})
        verify(token, consumer)
    except TokenRejected as rejected:
        return _unauthorized(rejected.message, rejected.details)
    return _consumer_identity(consumer)


def _consumer_identity(consumer: dict[str, Any]) -> tuple[str | None, list[str]]:
    config = consumer.get("authorizationConfiguration") or {}
    groups = config.get("groups") or []
    user = consumer.get("userId") or consumer.get("name")
    return (None if user is None else str(user)), [str(g) for g in groups] if isinstance(groups, list) else []


# --------------------------------------------------------------------------- basic


def _basic(value: str, flow: Flow) -> tuple[str | None, list[str]] | GatewayResponse:
    scheme, _, encoded = value.partition(" ")
    try:
        user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        sep = ""
    if scheme.lower() != "basic" or not sep:
        return _unauthorized("Invalid username or password")
    found: dict[str, Any] | None = None
    for consumer in flow.cache.consumers():  # every consumer compared, in constant time each
        config = consumer.get("authorizationConfiguration") or {}
        expected_user = str(config.get("username") or "")
        expected_password = str(config.get("password") or "")
        user_ok = hmac.compare_digest(expected_user.encode(), user.encode())
        password_ok = hmac.compare_digest(expected_password.encode(), password.encode())
        if user_ok and password_ok and expected_user and expected_password and found is None:
            found = consumer
    if found is None:
        return _unauthorized("Invalid username or password")
    groups = (found.get("authorizationConfiguration") or {}).get("groups") or []
    return user, [str(g) for g in groups] if isinstance(groups, list) else []


# --------------------------------------------------------------------------- oauth


def _oauth(value: str, config: dict[str, Any], flow: Flow) -> tuple[str | None, list[str]] | GatewayResponse:
    from openconnector_core.gateway.oauth import OAuthRejected, check_bearer

    if not value.lower().startswith("bearer"):
        return _unauthorized("Invalid method")
    token = value[6:].strip()
    try:
        claims = check_bearer(token, config, flow.container)
    except OAuthRejected:
        return _unauthorized("Not authorized")
    user = claims.get("username") or claims.get("preferred_username") or claims.get("sub")
    groups = claims.get("groups") or []
    scopes = str(claims.get("scope") or "").split()
    return (None if user is None else str(user)), [str(g) for g in groups if g] + scopes if isinstance(
        groups, list
    ) else scopes
