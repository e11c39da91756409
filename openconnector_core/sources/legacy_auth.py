"""Sources as the original's UI writes them.

The UI (and CommonGateway before it) stores authentication in top-level fields — ``auth``,
``apikey``, ``authorizationHeader``, ``authorizationPassthroughMethod``, ``username``, ``password``,
``jwt``, ``jwtId``, ``secret`` — which the original stores but ignores. When the source's
``configuration`` names no authentication of its own, they drive the call as the UI meant, through
the ordinary schemes of the registry (CommonGateway's meaning of each ``auth`` value):

* ``apikey``: the key in the header named ``authorizationHeader`` (default ``Authorization``), or in
  the query parameter of that name when ``authorizationPassthroughMethod`` is ``query``;
* ``username-password`` (``basic``): HTTP basic authentication;
* ``jwt``, ``jwt-HS256``, ``jwt-RS512``: ``Authorization: Bearer`` with the stored ``jwt``, or with a
  token signed by ``secret`` (HS256, or RS512 with a base64 PEM key) for the client ``jwtId``;
* ``none`` or empty: nothing.

Also here: a clear message when an ``endpoint`` without a leading ``/`` is glued to a ``location``
without a trailing one (``https://api.example:8080`` + ``pets`` is not "Invalid port").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from openconnector_core.errors import BadRequestError

NAMED_IN_CONFIGURATION = ("authorization",)
JWT_ALGORITHMS = {"jwt": "HS256", "jwt-hs256": "HS256", "jwt-rs512": "RS512"}


class UnsupportedOriginalAuthError(BadRequestError):
    code, title = "unsupported-original-auth", "Unsupported authentication"


def original_auth_settings(
    source: Mapping[str, Any], headers: Iterable[tuple[str, str]], *, has_basic_auth: bool
) -> dict[str, Any]:
    """The ``configuration.authentication``-style settings the top-level fields stand for, or ``{}``
    when the source has no top-level ``auth`` or the request already authenticates (the ``auth``
    option, an ``Authorization`` header). Called only when ``configuration`` has no
    ``authentication`` block and no token template."""
    kind = str(source.get("auth") or "").strip().lower()
    header_names = {name.lower() for name, _ in headers}
    if not kind or kind == "none" or has_basic_auth:
        return {}
    if header_names & set(NAMED_IN_CONFIGURATION):
        return {}
    if kind == "apikey":
        name = str(source.get("authorizationHeader") or "Authorization")
        where = (
            "query"
            if str(source.get("authorizationPassthroughMethod") or "").lower() == "query"
            else "header"
        )
        if where == "header" and name.lower() in header_names:
            return {}
        return {"type": "api-key", "key": source.get("apikey"), "name": name, "in": where}
    if kind in ("username-password", "basic"):
        return {"type": "basic", "username": source.get("username"), "password": source.get("password")}
    if kind in JWT_ALGORITHMS:
        if source.get("jwt"):
            return {"type": "bearer", "token": source.get("jwt")}
        client = str(source.get("jwtId") or "")
        claims = {"iss": client, "client_id": client, "user_id": client}  # iat and exp: the scheme's
        return {
            "type": "jwt",
            "secret": source.get("secret"),
            "algorithm": JWT_ALGORITHMS[kind],
            "payload": claims,
        }
    # The value itself is not repeated: ``auth`` is redacted like the credentials next to it.
    raise UnsupportedOriginalAuthError(
        "The source's top-level auth (a field of the original's UI) names a type we do not support: "
        "use apikey, username-password, jwt, jwt-HS256 or jwt-RS512, or set configuration.authentication "
        "(docs/sources.md)"
    )


def endpoint_join_problem(location: str, endpoint: str) -> str | None:
    """Why ``location + endpoint`` is not the URL the user meant, when the join itself is the fault."""
    # Only a path-like start is a forgotten '/'; '@host', ':port' or '.domain' moves the call
    # elsewhere and stays the SSRF refusal (engine._moves_origin).
    if not endpoint or not (endpoint[0].isalnum() or endpoint[0] in "_-~%") or location.endswith("/"):
        return None
    try:
        httpx.URL(location + endpoint)
    except (httpx.InvalidURL, ValueError):
        joined_fails = True
    else:
        joined_fails = httpx.URL(location).host != httpx.URL(location + endpoint).host
    if not joined_fails:
        return None
    return (
        f"The endpoint {endpoint!r} does not start with '/' and the location {location!r} does not end "
        f"with one, so they join to {location + endpoint!r}: write the endpoint as {'/' + endpoint!r}"
    )
