"""Fixtures: a local peer server, an EntityService on memory stores and a CallEngine that may reach
127.0.0.1 (the allow-list a test server needs) — or not, for the SSRF tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from openconnector_core.entities.service import EntityService
from openconnector_core.settings import Settings
from openconnector_core.sources import CallEngine
from openconnector_core.store.memory import MemoryEntityStore, MemoryLogStore, MemorySecretStore

try:
    from tests.integration.sources.servers import PeerServer
except ImportError:  # tests/integration is not a package: pytest put this directory on sys.path
    from servers import PeerServer  # type: ignore[no-redef]


@pytest.fixture
def peer() -> Iterator[PeerServer]:
    server = PeerServer().start()
    yield server
    server.stop()


@pytest.fixture
def other_peer() -> Iterator[PeerServer]:
    server = PeerServer().start()
    yield server
    server.stop()


@pytest.fixture
def logs() -> MemoryLogStore:
    return MemoryLogStore()


@pytest.fixture
def entities(logs: MemoryLogStore) -> EntityService:
    return EntityService(MemoryEntityStore(), MemorySecretStore(), logs=logs)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_engine(
    entities: EntityService, logs: MemoryLogStore, sleeps: Sleeps
) -> Iterator[Callable[..., CallEngine]]:
    made: list[CallEngine] = []

    def make(allow: str = "127.0.0.1/32") -> CallEngine:
        engine = CallEngine(entities, logs, Settings(OPENCONNECTOR_OUTBOUND_ALLOW=allow), sleep=sleeps)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


@pytest.fixture
def engine(make_engine: Callable[..., CallEngine]) -> CallEngine:
    return make_engine()


@pytest.fixture
def make_source(entities: EntityService) -> Callable[..., dict[str, Any]]:
    numbers = iter(range(1, 10_000))

    def make(location: str, configuration: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        body = {
            "name": fields.pop("name", f"Test source {next(numbers)}"),
            "location": location,
            "type": "api",
            "isEnabled": True,
            "configuration": configuration or {},
            **fields,
        }
        return entities.create("sources", body).item

    return make
