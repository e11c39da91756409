"""Unit tests cannot open sockets: engines are tested on data, the network belongs to integration tests."""

from __future__ import annotations

import pytest

from tests.support.sockets import block_sockets


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    block_sockets(monkeypatch, "unit tests")
