"""Bearer tokens of an OAuth 2.0 authorization server, for the ``oauth`` authentication type.

Configured on the rule (``configuration.authentication``), through a *source* so that the call
engine's SSRF guard, client authentication and call logs apply:

* ``introspection: {source, endpoint}`` — RFC 7662: ``POST token=…``; ``active`` must be true.
* ``jwks: {source, endpoint}`` (+ ``issuer``, ``audience``) — a signed JWT checked against the
  server's key set (RS/PS/ES only), cached per container for ten minutes; an unknown ``kid``
  refetches the set at most every 30 seconds.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from openconnector_core.gateway.tokens import ASYMMETRIC_ALGORITHMS, LEEWAY_SECONDS

if TYPE_CHECKING:
    from openconnector_core.container import Container

JWKS_TTL = 600.0
REFETCH_AFTER = 30.0


class OAuthRejected(Exception):
    pass


def check_bearer(token: str, config: dict[str, Any], container: Container) -> dict[str, Any]:
    """The token's claims when the authorization server vouches for it; else :class:`OAuthRejected`."""
    if not token:
        raise OAuthRejected("no token")
    introspection = config.get("introspection")
    if isinstance(introspection, dict) and introspection.get("source"):
        return _introspect(token, introspection, container)
    jwks = config.get("jwks")
    if isinstance(jwks, dict) and jwks.get("source"):
        return _verify_jwks(token, jwks, config, container)
    raise OAuthRejected("no authorization server configured")


def _introspect(token: str, settings: dict[str, Any], container: Container) -> dict[str, Any]:
    call_log = container.call_engine.call(
        str(settings["source"]),
        str(settings.get("endpoint") or ""),
        "POST",
        {"form_params": {"token": token, "token_type_hint": "access_token"}},
    )
    response = call_log.get("response") or {}
    data = response.get("data")
    if call_log.get("statusCode") != 200 or not isinstance(data, dict) or data.get("active") is not True:
        raise OAuthRejected("inactive")
    return data


_key_sets: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}


def _key_set(settings: dict[str, Any], container: Container, *, refresh: bool = False) -> dict[str, Any]:
    cache_key = (str(settings["source"]), str(settings.get("endpoint") or ""))
    cached = _key_sets.get(cache_key)
    now = time.monotonic()
    if (
        cached is not None
        and (now - cached[0] < JWKS_TTL)
        and not (refresh and now - cached[0] >= REFETCH_AFTER)
    ):
        return cached[1]
    call_log = container.call_engine.call(cache_key[0], cache_key[1], "GET")
    data = (call_log.get("response") or {}).get("data")
    if (
        call_log.get("statusCode") != 200
        or not isinstance(data, dict)
        or not isinstance(data.get("keys"), list)
    ):
        raise OAuthRejected("no key set")
    _key_sets[cache_key] = (now, data)
    return data


def _verify_jwks(
    token: str, settings: dict[str, Any], config: dict[str, Any], container: Container
) -> dict[str, Any]:
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise OAuthRejected("malformed") from None
    algorithm = str(header.get("alg") or "")
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise OAuthRejected("algorithm")
    key = _find_key(header.get("kid"), _key_set(settings, container)) or _find_key(
        header.get("kid"), _key_set(settings, container, refresh=True)
    )
    if key is None:
        raise OAuthRejected("unknown key")
    try:
        public = jwt.PyJWK.from_json(json.dumps(key), algorithm=algorithm)
        claims: dict[str, Any] = jwt.decode(
            token,
            public.key,
            algorithms=[algorithm],
            audience=config.get("audience") or None,
            issuer=config.get("issuer") or None,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp"], "verify_aud": bool(config.get("audience"))},
        )
    except jwt.PyJWTError:
        raise OAuthRejected("invalid") from None
    return claims


def _find_key(kid: Any, key_set: dict[str, Any]) -> dict[str, Any] | None:
    keys = [key for key in key_set.get("keys", []) if isinstance(key, dict)]
    if kid is None:
        return keys[0] if len(keys) == 1 else None
    return next((key for key in keys if key.get("kid") == kid), None)
