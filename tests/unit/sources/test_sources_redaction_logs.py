"""Redaction (B10) and call-log expiry/persistence rules."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta

from openconnector_core.sources.call_logs import expiry, stored_copy
from openconnector_core.sources.redaction import (
    MASK,
    Redactor,
    SecretScrubbingFilter,
    current_redactor,
    is_secret_name,
)


def test_secret_names() -> None:
    for name in (
        "Authorization",
        "Proxy-Authorization",
        "Cookie",
        "X-Api-Key",
        "client_secret",
        "password",
        "access_token",
        "Ocp-Apim-Subscription-Key",
        "private_key",
        "apikey",
    ):
        assert is_secret_name(name), name
    for name in ("Accept", "Content-Type", "page", "limit", "monkey"):
        assert not is_secret_name(name), name


def test_values_of_the_source_are_scrubbed_everywhere() -> None:
    source = {
        "password": "top-secret-pw",
        "configuration": {
            "authentication.client_secret": "client-secret-1",
            "auth": ["user", "basic-pass-9"],
            "headers.X-Token": "hdr-token-xyz",
            "query.limit": "10",
        },
    }
    redactor = Redactor.for_source(source)
    text = (
        "a top-secret-pw b client-secret-1 c hdr-token-xyz d "
        + base64.b64encode(b"user:basic-pass-9").decode()
    )
    assert redactor.scrub(text) == f"a {MASK} b {MASK} c {MASK} d {MASK}"
    assert redactor.url("https://u:p@x.org/a?token=abc&limit=10&q=client-secret-1") == (
        f"https://x.org/a?token={MASK}&limit=10&q={MASK}"
    )
    assert redactor.headers({"Authorization": "Bearer x", "Accept": "json"}) == {
        "Authorization": [MASK],
        "Accept": ["json"],
    }
    assert redactor.data({"password": "p", "nested": {"v": "client-secret-1"}}) == {
        "password": MASK,
        "nested": {"v": MASK},
    }


def test_log_filter_scrubs_records() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, "f", 1, "GET %s", ("https://x/?api_key=k123&q=secret-value",), None
    )
    scope = current_redactor.set(Redactor(["secret-value"]))
    try:
        SecretScrubbingFilter().filter(record)
    finally:
        current_redactor.reset(scope)
    assert record.getMessage() == f"GET https://x/?api_key={MASK}&q={MASK}"


def test_expiry_by_status_and_zero_means_never() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert expiry({}, 200, now) == now + timedelta(seconds=3600)
    assert expiry({"errorRetention": 60}, 404, now) == now + timedelta(seconds=60)
    assert expiry({"logRetention": 0}, 200, now) is None


def test_stored_copy_keeps_bodies_for_errors_only_and_caps_them() -> None:
    ok = {"statusCode": 200, "response": {"body": "x", "data": {"a": 1}}}
    assert "body" not in stored_copy(ok, log_body=False)["response"]
    assert stored_copy(ok, log_body=True)["response"]["body"] == "x"
    error = stored_copy({"statusCode": 500, "response": {"body": "y" * 10_000, "data": None}}, log_body=False)
    assert len(error["response"]["body"]) < 2100 and error["response"]["bodyTruncated"]
    assert "data" not in error["response"] and error["size"] >= 4096
