"""Fixtures shared by the management API tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def reachable_local(container: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The in-memory container, with 127.0.0.1 allowed through the SSRF guard."""
    from openconnector_core.container import Container, set_container
    from openconnector_core.settings import Settings

    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    instance = Container.in_memory(Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32"))
    set_container(instance)
    yield instance
    set_container(None)
