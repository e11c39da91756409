"""A bulk write hands its object events to a batch listener in one call; plain listeners still get
one call per event; without an event bus no event is built at all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from openconnector_core.container import Container
from openconnector_core.events.transport import InlineBus
from openconnector_core.objects.ports import ObjectEvent
from openconnector_core.objects.service import ObjectStore
from tests.unit.objects.conftest import PET_SCHEMA


class Batches:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, change: ObjectEvent) -> None:
        self.many([change])

    def many(self, changes: Sequence[ObjectEvent]) -> None:
        self.calls.append([change.action for change in changes])


def test_a_bulk_write_reaches_a_batch_listener_once_and_a_plain_one_per_object(store: ObjectStore) -> None:
    batches, plain = Batches(), []
    store.subscribe(batches)
    store.subscribe(plain.append)
    ids = [str(uuid.uuid4()) for _ in range(25)]

    store.put_many("zoo/pet", [{"id": object_id, "name": f"P{n}"} for n, object_id in enumerate(ids)])

    assert batches.calls == [["created"] * 25]
    assert [change.action for change in plain] == ["created"] * 25


def test_a_failing_batch_listener_does_not_fail_the_committed_write(store: ObjectStore) -> None:
    class Broken(Batches):
        def many(self, changes: Sequence[ObjectEvent]) -> None:
            raise RuntimeError("bus down")

    store.subscribe(Broken())
    object_id = str(uuid.uuid4())
    [outcome] = store.put_many("zoo/pet", [{"id": object_id, "name": "Rex"}])
    assert outcome.action == "created"
    assert store.get("zoo/pet", object_id).object["name"] == "Rex"


def test_object_events_are_published_only_where_a_bus_is_configured() -> None:
    quiet, bus = Container.in_memory(), InlineBus()
    loud = Container.in_memory(event_bus=bus)
    for container in (quiet, loud):
        container.entities.create("schemas", dict(PET_SCHEMA))
        container.entities.create("registers", {"title": "Zoo", "schemas": ["pet"]})
        container.objects.put_many("zoo/pet", [{"id": str(uuid.uuid4()), "name": n} for n in "abc"])

    assert quiet.objects._listeners == []  # no listener: no CloudEvent is even built
    assert [event["type"] for event in bus.published] == ["com.nextcloud.openregister.object.created"] * 3
