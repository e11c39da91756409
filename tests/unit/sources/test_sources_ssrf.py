"""The SSRF guard's policy, with a fake resolver (no sockets)."""

from __future__ import annotations

import ipaddress

import pytest

from openconnector_core.errors import OutboundRefusedError
from openconnector_core.sources.ssrf import OutboundGuard, is_public, parse_numeric_host


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("10.1", "10.0.0.1"),
        ("example.org", None),
        ("1.2.3.4.5", None),
    ],
)
def test_numeric_host_forms(host, address) -> None:
    parsed = parse_numeric_host(host)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a00:1",
    ],
)
def test_internal_addresses_are_not_public(address) -> None:
    assert not is_public(ipaddress.ip_address(address))


def test_public_addresses_pass() -> None:
    assert is_public(ipaddress.ip_address("93.184.216.34"))
    assert is_public(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946"))


def _guard(allow=(), answers=None):
    return OutboundGuard(allow, resolver=lambda host, port: (answers or {}).get(host, ["93.184.216.34"]))


def test_every_resolved_address_is_checked() -> None:
    guard = _guard(answers={"mixed.test": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(OutboundRefusedError, match=r"10\.0\.0\.5"):
        guard.check_url("https://mixed.test/")
    _guard().check_url("https://public.test/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x/",
        "file:///etc/passwd",
        "gopher://x",
        "http://localhost/",
        "http://app.localhost/",
        "http://[::1]/",
        "http://0.0.0.0/",
    ],
)
def test_refused_urls(url) -> None:
    with pytest.raises(OutboundRefusedError):
        _guard().check_url(url)


def test_allow_list_by_cidr_and_host() -> None:
    guard = _guard(["127.0.0.1/32", "internal.corp"], answers={"internal.corp": ["10.1.1.1"]})
    guard.check_url("http://127.0.0.1:8080/")
    guard.check_url("http://internal.corp/")
    with pytest.raises(OutboundRefusedError):
        guard.check_url("http://127.0.0.2/")
