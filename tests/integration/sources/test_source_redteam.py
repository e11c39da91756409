"""Red-team attacks on outbound calls, kept as regressions. Every server is a local peer on 127.0.0.1;
a refusal is proven by the peer's count of accepted TCP connections staying at 0."""

from __future__ import annotations

import pytest

from openconnector_core.errors import OutboundRefusedError
from openconnector_core.mapping import MappingEngine
from openconnector_core.sources.ssrf import OutboundGuard


def fake_dns(answers: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        return answers.get(host, ["93.184.216.34"])

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.0x0.0x0.0x1/",
        "http://127.000000000000000001/",
        "http://127.1/",
        "http://0/",
        "http://0.0.0.0/",
        "http://127.0.0.1./",
        "http://127\u30020\u30020\u30021/",  # ideographic full stops, IDNA-mapped to dots
        "HTTP://127.0.0.1/",
        "http://[::]/",
        "http://[0::1]/",
        "http://[::ffff:7f00:1]/",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/",
        "http://[::ffff:0:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[2002:7f00:1::]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b:1::a9fe:a9fe]/",
        "http://[fe80::1%25eth0]/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:169.254.169.254]/",
        "http://100.100.100.200/",
        "http://LOCALHOST/",
        "http://localhost./",
        "http://foo.localhost/",
        "http://evil@127.0.0.1/",
        "http://127.0.0.1#@good.example/",
        "http://good.example\\@127.0.0.1/",
        "http://loopback.example/",
        "http://rebind.example/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "ftp://127.0.0.1/",
        "//127.0.0.1/",
        "http:/127.0.0.1/",
    ],
)
def test_the_guard_refuses_every_spelling_of_an_internal_destination(url: str) -> None:
    guard = OutboundGuard(
        [],
        resolver=fake_dns(
            {"loopback.example": ["127.0.0.1"], "rebind.example": ["93.184.216.34", "10.0.0.7"]}
        ),
    )
    with pytest.raises((OutboundRefusedError,)):
        guard.check_url(url)


@pytest.mark.parametrize("host", ["0x7f.0.0.1", "127.0.1", "[::ffff:7f00:1]", "127.0.0.1.", "[::127.0.0.1]"])
def test_forms_of_loopback_never_connect(make_engine, make_source, peer, host) -> None:
    engine = make_engine(allow="")
    call_log = engine.call(make_source(f"http://{host}:{peer.port}")["id"], "/items")
    assert call_log["statusCode"] in (403, 409)
    assert peer.state.connections == 0


@pytest.mark.parametrize(
    "endpoint",
    ["@127.0.0.1:{other}/items", ".evil.example/items", ":{other}/items", "@[::1]:{other}/items"],
)
def test_an_endpoint_cannot_move_the_call_to_another_host(
    make_engine, make_source, peer, other_peer, endpoint
) -> None:
    # Given a source on one allowed peer (with credentials in its configuration)
    engine = make_engine()  # 127.0.0.1 is allow-listed: only the endpoint check can stop this
    source = make_source(
        f"http://127.0.0.1:{peer.port}", {"headers": {"Authorization": "Bearer source-secret"}}
    )

    # When the endpoint is written to change the host or port of the concatenated URL
    call_log = engine.call(source["id"], endpoint.format(other=other_peer.port))

    # Then nothing is sent anywhere, and the secret never leaves
    assert call_log["statusCode"] == 409  # refused as moving the host, or as an invalid URL
    assert other_peer.state.connections == 0
    assert peer.state.connections == 0


def test_call_source_from_a_mapping_cannot_move_the_host_either(
    make_engine, make_source, peer, other_peer
) -> None:
    engine = make_engine()
    source = make_source(f"http://127.0.0.1:{peer.port}")
    mapping_engine = MappingEngine(functions={"callSource": engine.call_source_function})
    template = "{{ callSource(id, '@127.0.0.1:" + str(other_peer.port) + "/items') }}"

    result = mapping_engine.run({"mapping": {"r": template}}, {"id": source["id"]})

    assert result == {"r": ""}
    assert other_peer.state.connections == 0


def test_an_ordinary_endpoint_still_reaches_its_source(make_engine, make_source, peer) -> None:
    engine = make_engine()
    source = make_source(f"http://127.0.0.1:{peer.port}")
    assert engine.call(source["id"], "/items?page=1")["statusCode"] == 200
    # the location repeated in the endpoint is stripped by callSource, as upstream
    body = engine.call_source_function(source["id"], f"http://127.0.0.1:{peer.port}/items")
    assert body
