"""The configuration cache and its version item (docs/adr/0210), on the in-memory stores."""

from __future__ import annotations

import threading
from typing import Any

from openconnector_core.container import Container
from openconnector_core.gateway.cache import GatewayCache, bump_version, read_version


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_writes_of_watched_resources_change_the_version() -> None:
    container = Container.in_memory()
    assert read_version(container.entity_store) is None
    container.entities.create("sources", {"name": "not watched"})
    assert read_version(container.entity_store) is None
    container.entities.create("endpoints", {"name": "e", "endpoint": "a", "method": "GET"})
    first = read_version(container.entity_store)
    container.entities.update("endpoints", "e", {"endpoint": "b"})
    second = read_version(container.entity_store)
    container.entities.delete("endpoints", "e")
    assert len({first, second, read_version(container.entity_store)}) == 3


def test_the_snapshot_is_reread_only_after_a_version_change_and_the_interval() -> None:
    container = Container.in_memory()
    clock = Clock()
    cache = GatewayCache(
        container.entity_store, reveal=container.entities.reveal, check_every=2.0, clock=clock
    )
    container.entities.create("endpoints", {"name": "one", "endpoint": "a", "method": "GET"})
    assert [e.name for e in cache.current().endpoints] == ["one"]

    container.entities.create("endpoints", {"name": "two", "endpoint": "b", "method": "GET"})
    clock.now = 1.0
    assert len(cache.current().endpoints) == 1  # within the interval: the snapshot stands
    assert len(cache.current(recheck=True).endpoints) == 2  # before a 404: checked now
    container.entities.create("endpoints", {"name": "three", "endpoint": "c", "method": "GET"})
    clock.now = 3.5
    assert len(cache.current().endpoints) == 3


def test_concurrent_bumps_never_lose_the_change() -> None:
    """Racing writers (real threads) each leave a valid, new token; none fails."""
    container = Container.in_memory()
    store = container.entity_store
    seen: set[str | None] = set()
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer() -> None:
        barrier.wait()
        try:
            for _ in range(20):
                bump_version(store, "rules")
                seen.add(read_version(store))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert None not in seen and len(seen) > 1
    before: Any = read_version(store)
    bump_version(store, "mappings")
    assert read_version(store) != before


def test_a_failed_bump_does_not_fail_the_write(monkeypatch: Any, caplog: Any) -> None:
    container = Container.in_memory()
    store = container.entity_store

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("throttled")

    monkeypatch.setattr(store, "replace", broken)

    created = container.entities.create("rules", {"name": "r", "type": "error"})

    assert created.item["name"] == "r"
    assert "Could not mark the gateway configuration changed" in caplog.text


def test_execute_mapping_reads_each_sub_mapping_once_per_version() -> None:
    """A synchronization maps thousands of records: executeMapping's references are read from the
    store once per configuration version, not once per reference and record."""
    container = Container.in_memory()
    clock = Clock()
    container.__dict__["configuration"] = GatewayCache(
        container.entity_store, reveal=container.entities.reveal, check_every=2.0, clock=clock
    )
    sub = container.entities.create("mappings", {"name": "Sub", "slug": "sub", "mapping": {"b": "a"}}).item
    parent = {"name": "Parent", "mapping": {"x": "{{ executeMapping('sub', {'a': value})|json_encode }}"}}
    reads: list[str] = []
    get = container.entity_store.get

    def counted(namespace: str, key: str) -> Any:
        reads.append(namespace)
        return get(namespace, key)

    container.entity_store.get = counted  # type: ignore[method-assign]
    engine = container.mapping_engine
    results = [engine.run(parent, {"value": n}) for n in range(50)]

    assert results[49] == {"x": '{"b":49}'}
    assert reads.count("mappings") == 1

    container.entities.update("mappings", sub["id"], {"mapping": {"c": "a"}})
    reads.clear()
    clock.now = 1.0
    assert engine.run(parent, {"value": 1}) == {"x": '{"b":1}'}  # within the interval: as it was
    clock.now = 2.5
    assert engine.run(parent, {"value": 1}) == {"x": '{"c":1}'}  # the version moved: read again
    assert reads == ["gateway-state", "mappings"]
