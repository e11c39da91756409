"""The SSRF guard: which outbound destinations a source call may reach.

Two layers, one policy (:class:`OutboundGuard`):

* :meth:`OutboundGuard.check_url` — a pre-flight check of every URL (each redirect hop, the token
  endpoint, the WSDL) before anything is sent: scheme, host form, resolved addresses. It gives the
  clear refusal message in the call log.
* :class:`GuardedNetworkBackend` — the authoritative check at connect time. httpcore asks it for a
  TCP connection to ``host:port``; it resolves the host itself, checks EVERY address and connects to
  a vetted address. The URL keeps the host name, so ``Host`` and TLS SNI/certificate checks are
  unchanged, and a DNS answer that changes between the pre-flight and the connect (DNS rebinding)
  cannot reach an internal address.

Refused: loopback, RFC 1918, link-local (169.254.169.254 included), CGNAT 100.64/10, unique-local
fc00::/7, 0.0.0.0/8, multicast, reserved and every other non-global range, IPv4 addresses embedded in
IPv6 (mapped, compatible, 6to4, NAT64), and ``localhost`` names. Hosts written as integers, hex or
octal (``2130706433``, ``0x7f.1``) are parsed the way the C resolver would and checked as addresses.
``OPENCONNECTOR_OUTBOUND_ALLOW`` (host names or CIDRs) admits chosen internal destinations.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from openconnector_core.errors import OutboundRefusedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

_ALLOWED_SCHEMES = frozenset({"http", "https"})
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver returns for ``host`` (no connection is made)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise httpx.ConnectError(f"Could not resolve host {host!r}") from error
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    return addresses


def parse_numeric_host(host: str) -> IPAddress | None:
    """The address a numeric host denotes, in any form the C resolver accepts, else ``None``.

    Covers dotted quads, ``2130706433``, ``0x7f.1``, ``0177.0.0.1``, bracketed IPv6.
    """
    text = host.strip().strip("[]").rstrip(".")
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        pass
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part, 8))
            else:
                numbers.append(int(part, 10))
        except ValueError:
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = 0
    for n in head:
        value = value * 256 + n
    value = value * 256 ** (5 - len(numbers)) + last
    return ipaddress.IPv4Address(value)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv6 one (mapped, compatible, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    packed = int(address)
    if address in _NAT64:
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    if packed >> 32 == 0 and packed > 1:  # IPv4-compatible ::a.b.c.d (deprecated)
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    """True for a globally routable unicast address (and nothing internal hidden inside it)."""
    inner = embedded_ipv4(address)
    if inner is not None and not is_public(inner):
        return False
    if any(address in net for net in _EXTRA_BLOCKED if net.version == address.version):
        return False
    return bool(address.is_global) and not (
        address.is_multicast or address.is_reserved or address.is_loopback or address.is_link_local
    )


class OutboundGuard:
    """The outbound policy. ``allow`` holds host names and/or CIDRs that are admitted anyway."""

    def __init__(
        self,
        allow: Iterable[str] = (),
        *,
        resolver: Resolver = system_resolver,
        enabled: bool = True,
        cache_seconds: float = 30.0,
        own_ports: Iterable[int] = (),
    ) -> None:
        self.enabled = enabled
        self._own_ports = frozenset(own_ports)
        """Ports of the local stack and its AWS emulator: refused on every internal address, whatever
        ``allow`` says (a source must never read the emulator's secrets or call its own stack)."""
        self._resolver = resolver
        self._allowed_hosts: set[str] = set()
        self._allowed_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow:
            entry = entry.strip()
            if not entry:
                continue
            try:
                self._allowed_networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                self._allowed_hosts.add(entry.lower().rstrip("."))
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[str, int], tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    # -- policy ---------------------------------------------------------------------------------
    def address_allowed(self, address: IPAddress) -> bool:
        if any(address in net for net in self._allowed_networks if net.version == address.version):
            return True
        inner = embedded_ipv4(address)
        if inner is not None and any(inner in net for net in self._allowed_networks if net.version == 4):
            return True
        return is_public(address)

    def host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self._allowed_hosts

    def vet(self, host: str, port: int, *, use_cache: bool = False) -> list[str]:
        """The addresses of ``host`` that may be connected to; refuses when ANY address is refused.

        Raises :class:`OutboundRefusedError` (nothing connected) or ``httpx.ConnectError`` when the
        host does not resolve.
        """
        name = host.strip("[]").lower().rstrip(".")
        if not name:
            raise OutboundRefusedError("Outbound call refused: the URL has no host")
        named_allowed = self.host_allowed(name)
        numeric = parse_numeric_host(name)
        if numeric is not None:
            self._refuse_own_port(host, numeric, port)
            if named_allowed or not self.enabled or self.address_allowed(numeric):
                return [str(numeric)]
            raise OutboundRefusedError(
                f"Outbound call refused: {host} is an internal address ({numeric}); "
                "add it to OPENCONNECTOR_OUTBOUND_ALLOW to permit it"
            )
        local_name = name in _LOCAL_NAMES or name.endswith(".localhost")
        if self.enabled and local_name and not named_allowed and not self._allowed_networks:
            raise OutboundRefusedError(
                f"Outbound call refused: {host} is a local host name; "
                "add it to OPENCONNECTOR_OUTBOUND_ALLOW to permit it"
            )
        addresses = self._resolve(name, port, use_cache=use_cache)
        for text in addresses:
            self._refuse_own_port(host, ipaddress.ip_address(text), port)
        if not self.enabled or named_allowed:
            return addresses
        for text in addresses:
            address = ipaddress.ip_address(text)
            if not self.address_allowed(address):
                raise OutboundRefusedError(
                    f"Outbound call refused: {host} resolves to an internal address ({address}); "
                    "add it to OPENCONNECTOR_OUTBOUND_ALLOW to permit it"
                )
        return addresses

    def _refuse_own_port(self, host: str, address: IPAddress, port: int) -> None:
        if port in self._own_ports and not is_public(address):
            raise OutboundRefusedError(
                f"Outbound call refused: {host}:{port} is the local stack itself or its AWS emulator"
            )

    def check_url(self, url: httpx.URL | str) -> None:
        """Pre-flight check of one URL (scheme and destination). Raises ``OutboundRefusedError``."""
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        if parsed.scheme not in _ALLOWED_SCHEMES:
            raise OutboundRefusedError(
                f"Outbound call refused: scheme {parsed.scheme or '(none)'!r} is not http or https"
            )
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if not self.enabled and port not in self._own_ports:
            return
        self.vet(parsed.host, port, use_cache=True)

    # -- resolution -----------------------------------------------------------------------------
    def _resolve(self, name: str, port: int, *, use_cache: bool) -> list[str]:
        key = (name, port)
        now = time.monotonic()
        if use_cache:
            with self._lock:
                hit = self._cache.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        addresses = self._resolver(name, port)
        if not addresses:
            raise httpx.ConnectError(f"Could not resolve host {name!r}")
        with self._lock:
            if len(self._cache) > 1024:
                self._cache.clear()
            self._cache[key] = (now + self._cache_seconds, addresses)
        return addresses


class GuardedNetworkBackend(httpcore.NetworkBackend):
    """httpcore network backend that connects only to addresses the guard vetted at connect time."""

    def __init__(self, guard: OutboundGuard, inner: httpcore.NetworkBackend | None = None) -> None:
        self._guard = guard
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._guard.vet(host, port)  # fresh resolution, never the pre-flight cache
        last_error: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last_error = error
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise OutboundRefusedError("Outbound call refused: unix sockets are not reachable")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guarded_transport(
    guard: OutboundGuard,
    *,
    verify: Any = True,
    cert: Any = None,
    http2: bool = True,
    limits: httpx.Limits | None = None,
) -> httpx.HTTPTransport:
    """An ``httpx.HTTPTransport`` (HTTP/1.1 + HTTP/2, pooled) whose connections pass the guard."""
    transport = httpx.HTTPTransport(verify=verify, cert=cert, http2=http2, trust_env=False)
    old_pool = transport._pool
    limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=getattr(old_pool, "_ssl_context", None),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        http1=True,
        http2=http2,
        retries=0,
        network_backend=GuardedNetworkBackend(guard),
    )
    old_pool.close()
    return transport
