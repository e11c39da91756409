"""The local stand-in for the management API's authorizer: one admin bearer token."""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

TOKEN_FILE = "admin-token"  # noqa: S105 - a file name
EMULATOR_KEY_FILE = "emulator-access-key"
"""The AWS emulator's per-start access key id, for tools of the same user (e.g. the e2e tests)."""


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
    token = secrets.token_urlsafe(32)
    _write_private(token_path(state_dir), token)
    return token, True


def store_emulator_key(state_dir: Path, access_key: str) -> None:
    _write_private(state_dir / EMULATOR_KEY_FILE, access_key)


def read_emulator_key(state_dir: Path) -> str:
    return (state_dir / EMULATOR_KEY_FILE).read_text(encoding="utf-8").strip()


def _write_private(path: Path, value: str) -> None:
    """Write ``value`` to ``path`` readable by its owner only (also when the file existed before)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")


def is_authorized(authorization_header: str | None, token: str) -> bool:
    """Constant-time check of ``Authorization: Bearer <token>``."""
    if not authorization_header:
        return False
    scheme, _, presented = authorization_header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def authorizer_context(admin_scope: str = "openconnector/admin") -> dict[str, object]:
    """What the handler sees in ``requestContext.authorizer`` after the local check passed (the JWT
    authorizer's shape, with the local admin as subject and the template's admin scope)."""
    return {"jwt": {"claims": {"sub": "local-admin", "scope": admin_scope}, "scopes": [admin_scope]}}
