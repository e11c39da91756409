"""The admin token of the local stack."""

from __future__ import annotations

import stat
from pathlib import Path

from openconnector_local.auth import admin_token, is_authorized, token_path


def test_a_token_is_generated_once_and_stored_private(tmp_path: Path) -> None:
    token, generated = admin_token(tmp_path, None)
    assert generated and len(token) >= 32
    assert stat.S_IMODE(token_path(tmp_path).stat().st_mode) == 0o600
    assert admin_token(tmp_path, None) == (token, False)


def test_the_variable_wins_and_is_not_stored(tmp_path: Path) -> None:
    assert admin_token(tmp_path, "from-env") == ("from-env", False)
    assert not token_path(tmp_path).exists()


def test_bearer_check() -> None:
    assert is_authorized("Bearer s3cret", "s3cret")
    assert is_authorized("bearer s3cret", "s3cret")
    assert not is_authorized("Bearer wrong", "s3cret")
    assert not is_authorized("Basic s3cret", "s3cret")
    assert not is_authorized(None, "s3cret")
    assert not is_authorized("Bearer", "s3cret")
