"""Object store writes become CloudEvents in the original's shape (§8.2) and start the
synchronizations they trigger (§5.10)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openconnector_core.container import Container, set_container
from openconnector_core.events.transport import InlineBus

PET = {
    "title": "Pet",
    "type": "object",
    "properties": {"name": {"type": "string"}, "owner": {"type": "string"}},
}
OWNER = {"title": "Owner", "type": "object", "properties": {"name": {"type": "string"}}}
PREFIX = "com.nextcloud.openregister.object."


@pytest.fixture
def container() -> Iterator[Container]:
    """Events on: object writes publish to an in-process bus that dispatches at once."""
    instance = Container.in_memory(event_bus=InlineBus())
    set_container(instance)
    yield instance
    set_container(None)


@pytest.fixture
def zoo(container: Container) -> Container:
    container.entities.create("schemas", dict(PET))
    container.entities.create("schemas", dict(OWNER))
    container.entities.create("registers", {"title": "Zoo", "schemas": ["pet", "owner"]})
    return container


def _pull(container: Container, subscription: str) -> list[dict[str, Any]]:
    return [message["payload"] for message in container.events.pull(subscription, None)["messages"]]


def test_create_update_delete_publish_the_originals_event_shape(zoo: Container) -> None:
    subscription = zoo.entities.create(
        "event-subscriptions", {"name": "pets", "style": "pull", "filters": [{"prefix": {"type": PREFIX}}]}
    ).item["id"]
    created = zoo.objects.create("zoo/pet", {"name": "Rex"}).object
    zoo.objects.patch("zoo/pet", created["id"], {"name": "Max"})
    zoo.objects.delete("zoo/pet", created["id"])
    events = _pull(zoo, subscription)
    assert [event["type"] for event in events] == [f"{PREFIX}created", f"{PREFIX}updated", f"{PREFIX}deleted"]
    first, second, third = events
    assert first["source"] == "/objects/pet" and first["subject"] == created["id"]
    assert first["specversion"] == "1.0" and first["datacontenttype"] == "application/json"
    assert first["data"]["type"] == "pet" and first["data"]["id"] == created["id"]
    assert first["data"]["attributes"]["name"] == "Rex" and "@self" not in first["data"]["attributes"]
    assert second["data"]["previous"]["attributes"]["name"] == "Rex"
    assert second["data"]["attributes"]["name"] == "Max"
    assert third["data"]["id"] == created["id"]


def test_object_events_start_the_synchronizations_they_trigger(
    zoo: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openconnector_core.sync.runs as runs

    started: list[tuple[str, str | None, dict[str, Any] | None]] = []

    def record(container: Any, synchronization: str, **options: Any) -> dict[str, Any]:
        started.append((synchronization, options.get("object_id"), options.get("data")))
        assert options["force"] is True
        return {"status": "running"}

    monkeypatch.setattr(runs, "start_run", record)
    every = zoo.entities.create(
        "synchronizations", {"name": "pets out", "sourceType": "register/schema", "sourceId": "zoo/pet"}
    ).item["id"]
    only_deletes = zoo.entities.create(
        "synchronizations",
        {
            "name": "pet deletes",
            "sourceType": "register/schema",
            "sourceId": "zoo/pet",
            "sourceConfig": {"triggerOnlyOnEvents": ["Delete"]},
        },
    ).item["id"]
    owners = zoo.entities.create(
        "synchronizations",
        {
            "name": "owners out",
            "sourceType": "register/schema",
            "sourceId": "zoo/owner",
            "sourceConfig": {"triggerFromRelatedObjects": {"zoo/pet": {"owner": ["update"]}}},
        },
    ).item["id"]
    owner = zoo.objects.create("zoo/owner", {"name": "Ann"}).object
    started.clear()  # the owner's own creation is not what this test is about
    pet = zoo.objects.create(
        "zoo/pet", {"name": "Rex", "owner": f"https://x.example/owners/{owner['id']}"}
    ).object
    assert (every, pet["id"]) in [(sync, object_id) for sync, object_id, _ in started]
    # create and update are one group: configuring "update" allows a create too
    assert (owners, owner["id"]) in [(sync, object_id) for sync, object_id, _ in started]
    assert only_deletes not in [sync for sync, _, _ in started]
    started.clear()
    zoo.objects.delete("zoo/pet", pet["id"])
    by_sync = {sync: (object_id, data) for sync, object_id, data in started}
    assert by_sync[only_deletes][1] is not None and by_sync[only_deletes][1]["mutationType"] == "delete"
    assert owners not in by_sync  # delete only when listed


def test_a_truncated_object_event_reads_the_object_from_the_store(
    zoo: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openconnector_core.sync.runs as runs
    from openconnector_core.events.triggers import run_triggered_synchronizations

    seen: list[dict[str, Any]] = []
    monkeypatch.setattr(
        runs, "start_run", lambda container, sync, **options: seen.append(options["data"]) or {}
    )
    zoo.entities.create(
        "synchronizations", {"name": "pets", "sourceType": "register/schema", "sourceId": "zoo/pet"}
    )
    pet = zoo.objects.create("zoo/pet", {"name": "Rex"}).object
    seen.clear()
    ref = zoo.objects.resolve("zoo/pet")
    event = {
        "type": f"{PREFIX}updated",
        "register": ref.register["id"],
        "schema": ref.schema["id"],
        "data": {"type": "pet", "id": pet["id"], "truncated": True},
    }
    assert run_triggered_synchronizations(zoo, event)
    assert seen[0]["name"] == "Rex"
