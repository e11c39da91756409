"""On AWS any valid JWT of the issuer passes the authorizer: the handler checks scopes and groups
(``openconnector/admin`` to change, ``openconnector/read`` to read; names are template parameters)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.conftest import Management
from tests.functional.events import http_event


def _with_token(
    event: dict[str, Any], claims: dict[str, Any], scopes: list[str] | None = None
) -> dict[str, Any]:
    event["requestContext"]["authorizer"] = {
        "jwt": {"claims": {"sub": "someone", **claims}, "scopes": scopes}
    }
    return event


@pytest.mark.parametrize(
    ("claims", "scopes", "read", "write"),
    [
        ({}, None, 403, 403),  # a valid token of the issuer, but no grant
        ({"scope": "openid openconnector/read"}, None, 200, 403),
        ({"scope": "openconnector/admin"}, None, 200, 201),
        ({}, ["openconnector/admin"], 200, 201),
        ({"cognito:groups": "[staff openconnector/admin]"}, None, 200, 201),
        ({"scp": ["openconnector/read"]}, None, 200, 403),
    ],
)
def test_reads_need_the_read_or_admin_scope_and_writes_the_admin_scope(
    management: Management, claims: dict[str, Any], scopes: list[str] | None, read: int, write: int
) -> None:
    got = management.invoke(_with_token(http_event("GET", "/api/rules"), claims, scopes))
    created = management.invoke(
        _with_token(
            http_event("POST", "/api/rules", body={"name": "Scoped", "type": "error"}), claims, scopes
        )
    )
    assert (got.status, created.status) == (read, write)
    if write == 403:
        assert "openconnector/admin" in created.body["message"]


def test_scope_names_come_from_the_template_parameters(
    management: Management, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openconnector_core.settings import get_settings

    monkeypatch.setenv("OPENCONNECTOR_ADMIN_SCOPE", "hub/write")
    get_settings.cache_clear()
    try:
        denied = management.invoke(
            _with_token(http_event("DELETE", "/api/rules/x"), {"scope": "openconnector/admin"})
        )
        allowed = management.invoke(_with_token(http_event("DELETE", "/api/rules/x"), {"scope": "hub/write"}))
    finally:
        get_settings.cache_clear()
    assert denied.status == 403 and allowed.status == 404
