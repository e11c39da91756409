"""Unit tests cannot open sockets: engines are tested on data, the network belongs to integration tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


class SocketBlockedError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def guard(*args: object, **kwargs: object) -> None:
        raise SocketBlockedError("unit tests may not open network connections")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    monkeypatch.setattr(socket, "getaddrinfo", guard)
    yield
