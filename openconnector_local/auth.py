"""The local stand-in for the management API's authorizer: one admin bearer token."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

TOKEN_FILE = "admin-token"  # noqa: S105 - a file name


def token_path(state_dir: Path) -> Path:
    return state_dir / TOKEN_FILE


def read_stored_token(state_dir: Path) -> str | None:
    try:
        token = token_path(state_dir).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return token or None


def admin_token(state_dir: Path, environment_value: str | None) -> tuple[str, bool]:
    """The token to require: the variable when set, else the stored one, else a new one (stored with
    mode 0600). Returns ``(token, generated_now)``."""
    if environment_value:
        return environment_value, False
    stored = read_stored_token(state_dir)
    if stored:
        return stored, False
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(token_path(state_dir), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return token, True


def is_authorized(authorization_header: str | None, token: str) -> bool:
    """Constant-time check of ``Authorization: Bearer <token>``."""
    if not authorization_header:
        return False
    scheme, _, presented = authorization_header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def authorizer_context() -> dict[str, object]:
    """What the handler sees in ``requestContext.authorizer`` after the local check passed (the JWT
    authorizer's shape, with the local admin as subject)."""
    return {
        "jwt": {
            "claims": {"sub": "local-admin", "scope": "openconnector/admin"},
            "scopes": ["openconnector/admin"],
        }
    }
