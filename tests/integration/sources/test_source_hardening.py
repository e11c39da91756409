"""Regressions of the security review (issue 8) on the call engine, against real local servers:
credentials and cookies stay with their origin and source, secrets transformed by a template never
reach a call log, work is bounded by the shared deadline, and bad input becomes a call log."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

from openconnector_core import deadline
from openconnector_core.sources import CallEngine
from openconnector_core.store.memory import MemoryLogStore

try:
    from tests.integration.sources.servers import PeerServer
except ImportError:
    from servers import PeerServer  # type: ignore[no-redef]

API_KEY = "api-key-of-source-a-4821"
SUBSCRIPTION_KEY = "subscription-key-9913"


def test_custom_credential_headers_do_not_follow_a_redirect_to_another_origin(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer, other_peer: PeerServer
) -> None:
    peer.state.redirect_to = f"{other_peer.url}/echo"
    source = make_source(
        peer.url,
        {
            "headers.X-Api-Key": API_KEY,
            "headers.Ocp-Apim-Subscription-Key": SUBSCRIPTION_KEY,
            "headers.Accept": "application/json",
        },
    )
    call_log = engine.call(source["id"], "/redirect")
    assert call_log["statusCode"] == 200
    arrived = other_peer.state.requests[-1]["headers"]
    assert "x-api-key" not in arrived and "ocp-apim-subscription-key" not in arrived
    assert arrived["accept"] == "application/json"  # harmless headers still go along


def test_cookies_are_kept_per_source_never_shared(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer
) -> None:
    # Given two sources on the same server; the server gives source A a session cookie
    first = make_source(peer.url)
    second = make_source(peer.url)
    engine.call(first["id"], "/set-cookie", config={"query": {"value": "session-of-a"}})
    # When both call again
    engine.call(second["id"], "/echo")
    second_headers = peer.state.requests[-1]["headers"]
    engine.call(first["id"], "/echo")
    first_headers = peer.state.requests[-1]["headers"]
    # Then only A sends A's cookie
    assert "cookie" not in second_headers
    assert first_headers["cookie"] == "session=session-of-a"


def test_values_a_template_makes_from_a_secret_never_reach_a_call_log(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer, logs: MemoryLogStore
) -> None:
    transformed = {
        "headers.X-Reversed": "{{ source.apikey|reverse }}",
        "headers.X-Encoded": "{{ source.apikey|b64enc }}",
        "headers.X-Lower": "{{ source.apikey|lower }}",
        "headers.X-Joined": "{{ source.apikey|split('-')|join('+') }}",
        "query.sig": "{{ source.configuration['headers.X-Api-Key']|reverse }}",
        "headers.X-Plain": "{{ source.name }}",
    }
    source = make_source(
        peer.url, {"headers.X-Api-Key": "Other-Key-7741", **transformed}, apikey="Mixed-Case-Key-8842"
    )
    call_log = engine.call(source["id"], "/echo")
    assert call_log["statusCode"] == 200, call_log["statusMessage"]
    sent = peer.state.requests[-1]
    # The server got the real values …
    assert sent["headers"]["x-reversed"] == "Mixed-Case-Key-8842"[::-1]
    assert sent["headers"]["x-plain"] == source["name"]
    # … and neither the returned nor the stored call log holds any of them (the name is no secret)
    stored = logs.query("call-logs", subject=source["id"]).items
    for text in (json.dumps(call_log["request"]), json.dumps(stored)):
        for value in (
            "Mixed-Case-Key-8842"[::-1],
            base64.b64encode(b"Mixed-Case-Key-8842").decode(),
            "mixed-case-key-8842",
            "Mixed+Case+Key+8842",
            "Other-Key-7741"[::-1],
        ):
            assert value not in text
    assert source["name"] in json.dumps(call_log["request"])


def test_a_multipart_call_is_sent(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer
) -> None:
    source = make_source(peer.url)
    call_log = engine.call(
        source["id"], "/echo", "POST", config={"multipart": [{"name": "field", "contents": "value-1"}]}
    )
    assert call_log["statusCode"] == 200, call_log["statusMessage"]
    assert "value-1" in peer.state.requests[-1]["body"]


def test_a_bad_client_certificate_is_a_call_log_error(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer
) -> None:
    source = make_source(
        peer.url.replace("http:", "https:"), {"cert": "-----BEGIN CERTIFICATE-----\nnot a certificate\n"}
    )
    call_log = engine.call(source["id"], "/echo")
    assert call_log["statusCode"] == 409
    assert call_log["statusMessage"].startswith("Invalid TLS configuration")
    assert peer.state.connections == 0


def test_a_call_with_no_time_left_fails_fast_without_connecting(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer
) -> None:
    source = make_source(peer.url)
    with deadline.within(time.monotonic() - 1):
        call_log = engine.call(source["id"], "/echo")
    assert call_log["statusCode"] == 504 and call_log["error"] == "source-timeout"
    assert "time budget" in call_log["statusMessage"]
    assert peer.state.connections == 0


def test_a_slow_source_is_cut_off_at_the_deadline(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer
) -> None:
    # The source's own timeout (30 s) is longer than what remains of the run: the run's deadline wins
    source = make_source(peer.url, {"timeout": 30, "retry": False})
    started = time.monotonic()
    with deadline.within(started + 0.3):
        call_log = engine.call(source["id"], "/slow", config={"query": {"seconds": "3"}})
    assert (
        call_log["statusCode"] == 503 and call_log["response"]["body"] == "The source did not answer in time"
    )
    assert deadline.current() is None


def test_retry_waits_never_reach_past_the_deadline(
    engine: CallEngine, make_source: Callable[..., dict[str, Any]], peer: PeerServer, sleeps: list[float]
) -> None:
    # Given a source answering 429 with Retry-After: 1 once; the run has 0.5 s left
    source = make_source(peer.url)
    with deadline.within(time.monotonic() + 0.5):
        call_log = engine.call(source["id"], "/limited")
    # Then the engine does not wait a second it does not have: the 429 is the result
    assert call_log["statusCode"] == 429
    assert sleeps == []
    assert peer.state.counters["limited"] == 1
