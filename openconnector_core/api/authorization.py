"""Who may do what on the management API behind a JWT authorizer.

API Gateway's JWT authorizer admits any valid token of the issuer; the route cannot tell reads
from writes (it is ``ANY /api/{proxy+}``). So the handler checks the token's scopes and groups:
reads need the read scope (or the admin one), everything else the admin scope. Behind the IAM
authorizer, IAM policies decide and nothing is checked here."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_GRANT_CLAIMS = ("scope", "scp", "cognito:groups", "groups", "roles")


def granted(claims: Mapping[str, Any], scopes: Iterable[str] = ()) -> set[str]:
    """Every scope and group a token carries: space-separated strings, lists, and the
    ``[a b]`` form in which API Gateway passes list claims such as ``cognito:groups``."""
    found = {str(scope) for scope in scopes}
    for name in _GRANT_CLAIMS:
        value = claims.get(name)
        if isinstance(value, list):
            found.update(str(item) for item in value)
        elif isinstance(value, str):
            found.update(value.strip("[]").replace(",", " ").split())
    return found


def forbidden(event: Mapping[str, Any], admin_scope: str, read_scope: str) -> dict[str, Any] | None:
    """A 403 response (payload format 2.0) when the JWT lacks the scope the method needs, else ``None``."""
    context = event.get("requestContext") or {}
    jwt = (context.get("authorizer") or {}).get("jwt")
    if not isinstance(jwt, Mapping):
        return None  # an unauthenticated route (health) or the IAM authorizer
    have = granted(jwt.get("claims") or {}, jwt.get("scopes") or ())
    method = str((context.get("http") or {}).get("method") or "GET").upper()
    needed = {read_scope, admin_scope} if method in READ_METHODS else {admin_scope}
    if have & needed:
        return None
    wanted = " or ".join(sorted(needed))
    body = {
        "error": "Forbidden",
        "message": f"This token may not {'read' if method in READ_METHODS else 'change'} anything here: "
        f"it needs the scope or group {wanted}",
    }
    return {
        "statusCode": 403,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }
