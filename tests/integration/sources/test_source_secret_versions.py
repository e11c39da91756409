"""A source and its secret never tear: concurrent writers (real threads) race on one source, and the
call that follows goes out (to a real server that records it) with the winning write's password.
The same races run against the real local stack in ``tests/e2e/test_local_secret_races.py``."""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Any

from openconnector_core.entities.service import EntityService
from openconnector_core.errors import PreconditionFailedError
from openconnector_core.sources import CallEngine
from openconnector_core.store.memory import MemoryEntityStore, MemorySecretStore

try:
    from tests.integration.sources.servers import PeerServer
except ImportError:
    from servers import PeerServer  # type: ignore[no-redef]

WRITERS = 8


def _race(writers: list[Callable[[], Any]]) -> list[Any]:
    """Run every writer at the same moment on its own thread; each result or exception, in order."""
    start = threading.Barrier(len(writers))
    results: list[Any] = [None] * len(writers)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = writers[index]()
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(writers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _password_sent(peer: PeerServer) -> str:
    header = peer.state.requests[-1]["headers"]["authorization"]
    return base64.b64decode(header.split(" ", 1)[1]).decode().split(":", 1)[1]


def _basic(password: str) -> dict[str, str]:
    return {
        "authentication.type": "basic",
        "authentication.username": "u",
        "authentication.password": password,
    }


def _slow_secret_store() -> MemorySecretStore:
    """Secret writes that take a little time, as Secrets Manager's do: the window a torn write needs."""
    store = MemorySecretStore()
    put = store.put
    barrier_like = threading.Event()

    def slow_put(name: str, values: dict[str, Any]) -> None:
        barrier_like.wait(0.005)
        put(name, values)

    store.put = slow_put  # type: ignore[method-assign]
    return store


def test_conditional_puts_exactly_one_wins_and_the_call_uses_its_password(
    make_engine: Callable[..., CallEngine], peer: PeerServer
) -> None:
    for _round in range(5):
        # Given a source with basic auth, read by eight clients (all holding the same ETag)
        service = EntityService(MemoryEntityStore(), _slow_secret_store())
        engine = make_engine()
        created = service.create(
            "sources",
            {"name": "Basic", "location": peer.url, "configuration": _basic("initial")},
        )
        # When each PUTs its own password with If-Match
        results = _race(
            [
                lambda n=n, service=service, created=created: service.update(
                    "sources",
                    created.item["id"],
                    {"configuration": _basic(f"password-{n}")},
                    if_match=created.etag,
                )
                for n in range(WRITERS)
            ]
        )
        # Then exactly one is acknowledged, the others get 412, and the source calls out with its password
        won = [n for n, result in enumerate(results) if not isinstance(result, Exception)]
        assert len(won) == 1
        assert all(isinstance(results[n], PreconditionFailedError) for n in range(WRITERS) if n not in won)
        engine.entities = service
        call_log = engine.call(created.item["id"], "/echo")
        assert call_log["statusCode"] == 200
        assert _password_sent(peer) == f"password-{won[0]}"


def test_unconditional_puts_are_all_acknowledged_and_the_last_one_wins(
    make_engine: Callable[..., CallEngine], peer: PeerServer
) -> None:
    for _round in range(5):
        service = EntityService(MemoryEntityStore(), _slow_secret_store())
        engine = make_engine()
        engine.entities = service
        created = service.create(
            "sources",
            {"name": "Basic", "location": peer.url, "configuration": _basic("initial")},
        )
        results = _race(
            [
                lambda n=n, service=service, created=created: service.update(
                    "sources",
                    created.item["id"],
                    {"configuration": _basic(f"password-{n}"), "description": str(n)},
                )
                for n in range(WRITERS)
            ]
        )
        # Every PUT without If-Match is acknowledged (no 412); the last committed one is what stays
        assert not [result for result in results if isinstance(result, Exception)]
        last = max(range(WRITERS), key=lambda n: int(results[n].etag.strip('"')))
        assert service.get("sources", created.item["id"]).item["description"] == str(last)
        engine.call(created.item["id"], "/echo")
        assert _password_sent(peer) == f"password-{last}"


def test_superseded_versions_are_removed_and_a_deleted_source_leaves_no_secret() -> None:
    secrets = MemorySecretStore()
    service = EntityService(MemoryEntityStore(), secrets)
    created = service.create("sources", {"name": "S", "location": "https://x.example", "password": "one"})
    for password in ("two", "three", "four"):
        service.update("sources", "s", {"password": password})
    [only] = secrets.names("sources/")
    assert secrets.get(only) == {"/password": "four"}
    service.update("sources", "s", {"name": "Renamed"})  # secrets unchanged: the same version
    assert secrets.names("sources/") == [only]
    service.delete("sources", created.item["id"])
    assert secrets.names() == []


def test_a_burst_of_source_calls_reads_the_secret_once(
    make_engine: Callable[..., CallEngine], peer: PeerServer
) -> None:
    # Given a source written by one container, called by another (its own cache, the same stores)
    entities, secrets = MemoryEntityStore(), MemorySecretStore()
    writer = EntityService(entities, secrets)
    created = writer.create(
        "sources", {"name": "Burst", "location": peer.url, "configuration": _basic("pw-1")}
    )
    reads: list[str] = []
    get = secrets.get

    def counting_get(name: str) -> dict[str, Any]:
        reads.append(name)
        return get(name)

    secrets.get = counting_get  # type: ignore[method-assign]
    engine = make_engine()
    engine.entities = EntityService(entities, secrets)
    # When it makes 50 calls, then the password changes (elsewhere), then 50 more
    for _ in range(50):
        engine.call(created.item["id"], "/echo")
    writer.update("sources", created.item["id"], {"configuration": _basic("pw-2")})
    for _ in range(50):
        engine.call(created.item["id"], "/echo")
    # Then the secret store was read once per version, and the change took effect at the next call
    assert len(reads) == 2
    assert _password_sent(peer) == "pw-2"
