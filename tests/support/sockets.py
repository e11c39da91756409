"""Keeps tests that should not touch the network from doing so."""

from __future__ import annotations

import socket

import pytest


class SocketBlockedError(RuntimeError):
    pass


def block_sockets(monkeypatch: pytest.MonkeyPatch, who: str) -> None:
    """Make every outbound connection (and name lookup) fail for the rest of the test."""

    def guard(*args: object, **kwargs: object) -> None:
        raise SocketBlockedError(f"{who} may not open network connections")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)
