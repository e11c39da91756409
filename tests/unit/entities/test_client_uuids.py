"""A client's ``uuid`` on create must be a UUID no other entity of the resource has — also when
creates race (issue 8)."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import pytest

from openconnector_core.entities.service import EntityService
from openconnector_core.errors import ConflictError
from openconnector_core.store.memory import MemoryEntityStore, MemorySecretStore


class _NetworkLikeStore(MemoryEntityStore):
    """Writes take a moment, as DynamoDB's do: the window between a check and a write is real."""

    def create(self, resource: str, item: dict[str, Any]) -> Any:
        time.sleep(0.002)
        return super().create(resource, item)


def test_racing_creates_with_the_same_client_uuid_leave_exactly_one() -> None:
    service = EntityService(_NetworkLikeStore(), MemorySecretStore())
    for _round in range(3):
        given = str(uuid.uuid4())
        start = threading.Barrier(8)
        outcomes: list[object] = []

        def create(
            number: int,
            given: str = given,
            outcomes: list[object] = outcomes,
            start: threading.Barrier = start,
        ) -> None:
            start.wait()
            try:
                created = service.create("rules", {"name": f"Racer {given} {number}", "uuid": given})
                outcomes.append(created.item["id"])
            except ConflictError as error:
                outcomes.append(error)

        threads = [threading.Thread(target=create, args=(number,)) for number in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        created = [outcome for outcome in outcomes if isinstance(outcome, str)]
        assert len(created) == 1
        assert [item["id"] for item in service.list("rules", {"uuid": given}).items] == created


def test_a_uuid_reserved_by_a_crashed_create_is_taken_over_once_it_cannot_finish() -> None:
    from datetime import UTC, datetime, timedelta

    from openconnector_core.ids import uuid7_floor

    entities = MemoryEntityStore()
    service = EntityService(entities, MemorySecretStore())
    young, old = str(uuid.uuid4()), str(uuid.uuid4())
    # Markers of creates that never wrote their entity: one just now, one an hour ago
    entities.create("uuids:rules", {"id": young, "entityId": uuid7_floor(datetime.now(UTC))})
    entities.create(
        "uuids:rules", {"id": old, "entityId": uuid7_floor(datetime.now(UTC) - timedelta(hours=1))}
    )
    with pytest.raises(ConflictError):
        service.create("rules", {"name": "Young", "uuid": young})  # that create may still finish
    created = service.create("rules", {"name": "Old", "uuid": old}).item
    assert created["uuid"] == old
    # Deleting the entity frees its uuid
    service.delete("rules", created["id"])
    assert service.create("rules", {"name": "Again", "uuid": old}).item["uuid"] == old
