"""Given the SSRF guard, when a source points inside, then the call is refused before connecting."""

from __future__ import annotations

import pytest

from openconnector_core.errors import OutboundRefusedError
from openconnector_core.settings import Settings
from openconnector_core.sources import CallEngine
from openconnector_core.sources.ssrf import GuardedNetworkBackend, OutboundGuard


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "2130706433", "[::ffff:127.0.0.1]", "0x7f.1", "127.1", "[::1]"],
)
def test_internal_destinations_are_refused_without_a_connection(make_engine, make_source, peer, host) -> None:
    engine = make_engine(allow="")
    source = make_source(f"http://{host}:{peer.port}")

    call_log = engine.call(source["id"], "/items")

    assert call_log["statusCode"] == 403
    assert call_log["error"] == "outbound-refused"
    assert "refused" in call_log["statusMessage"]
    assert peer.state.connections == 0


def test_octal_host_is_not_reachable(make_engine, make_source, peer) -> None:
    engine = make_engine(allow="")
    call_log = engine.call(make_source(f"http://0177.0.0.1:{peer.port}")["id"], "/items")
    assert call_log["statusCode"] in (403, 409)  # httpx rejects the URL itself; the guard would refuse it
    assert peer.state.connections == 0


def test_the_guard_raises_before_connecting(peer) -> None:
    guard = OutboundGuard([])
    with pytest.raises(OutboundRefusedError):
        guard.check_url(f"http://127.0.0.1:{peer.port}/")
    with pytest.raises(OutboundRefusedError):
        GuardedNetworkBackend(guard).connect_tcp("127.0.0.1", peer.port)
    assert peer.state.connections == 0


def test_metadata_address_and_other_schemes_are_refused(make_engine, make_source) -> None:
    engine = make_engine(allow="")
    assert engine.call(make_source("http://169.254.169.254")["id"], "/latest/meta-data")["statusCode"] == 403
    assert engine.call(make_source("file:///etc")["id"], "/passwd")["statusCode"] == 403


def test_redirect_to_a_refused_host_is_refused(engine, make_source, peer) -> None:
    peer.state.redirect_to = "http://169.254.169.254/latest/meta-data/"
    call_log = engine.call(make_source(peer.url)["id"], "/redirect")
    assert call_log["statusCode"] == 403
    assert "169.254.169.254" in call_log["statusMessage"]


def test_redirects_within_allowed_hosts_are_followed(engine, make_source, peer) -> None:
    call_log = engine.call(make_source(peer.url)["id"], "/redirect")
    assert call_log["statusCode"] == 200
    assert call_log["request"]["redirects"] == [f"{peer.url}/redirect"]


def test_dns_rebinding_cannot_reach_an_internal_address(peer) -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # public at check time, internal at connect time
    guard = OutboundGuard([], resolver=lambda host, port: next(answers))
    guard.check_url(f"http://rebind.test:{peer.port}/")
    with pytest.raises(OutboundRefusedError):
        GuardedNetworkBackend(guard).connect_tcp("rebind.test", peer.port)
    assert peer.state.connections == 0


def test_connection_goes_to_the_vetted_address_with_the_host_name_kept(
    entities, logs, make_source, peer
) -> None:
    guard = OutboundGuard(["127.0.0.1/32"], resolver=lambda host, port: ["127.0.0.1"])
    engine = CallEngine(entities, logs, Settings(), guard=guard)
    try:
        call_log = engine.call(make_source(f"http://api.example.test:{peer.port}")["id"], "/echo")
    finally:
        engine.close()
    assert call_log["statusCode"] == 200
    assert call_log["response"]["data"]["headers"]["host"] == f"api.example.test:{peer.port}"


def test_allow_list_admits_a_chosen_internal_target(make_engine, make_source, peer) -> None:
    engine = make_engine(allow="127.0.0.1/32")
    assert engine.call(make_source(peer.url)["id"], "/items")["statusCode"] == 200
    assert peer.state.connections == 1
