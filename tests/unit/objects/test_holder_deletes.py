"""Deleting a schema or register against object writes, step by step (ADR 0195); the same protocol
raced by real threads on both stores is in ``tests/integration/test_holder_delete_races.py``."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.errors import ConflictError, NotFoundError
from openconnector_core.objects.holders import delete_holder
from openconnector_core.objects.ports import ObjectEvent
from openconnector_core.objects.service import ObjectStore

PET_ID = "01900000-0000-7000-8000-000000000001"


def _id(container: Container, resource: str, key: str) -> str:
    return str(container.entities.get(resource, key).item["id"])


def test_a_write_after_the_look_for_objects_calls_the_delete_off(
    container: Container, store: ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    look = store.in_use

    def look_then_write(resource: str, entity: dict[str, Any]) -> bool:
        found = look(resource, entity)
        if not written:  # lands after the delete looked and before it deletes
            written.append(store.create("zoo/pet", {"name": "Rex"}).object["id"])
        return found

    monkeypatch.setattr(store, "in_use", look_then_write)
    with pytest.raises(ConflictError, match="schema 'pet' still holds objects") as refused:
        delete_holder(container.entities, store, "schemas", "pet")
    schema_id = _id(container, "schemas", "pet")
    assert refused.value.extra == {"schema": schema_id}
    assert store.get("zoo/pet", written[0]).object["name"] == "Rex"
    assert container.entity_store.deletion_marks([("schemas", schema_id)]) == {("schemas", schema_id): None}


def test_a_refused_delete_removes_its_mark(container: Container, store: ObjectStore) -> None:
    store.create("zoo/pet", {"name": "Rex"})
    with pytest.raises(ConflictError, match="register 'zoo' still holds objects"):
        delete_holder(container.entities, store, "registers", "zoo")
    register_id = _id(container, "registers", "zoo")
    assert container.entity_store.deletion_marks([("registers", register_id)]) == {
        ("registers", register_id): None
    }


@pytest.mark.parametrize("resource", ["schemas", "registers"])
def test_a_write_whose_holder_was_deleted_meanwhile_is_refused_and_taken_back(
    container: Container, store: ObjectStore, resource: str
) -> None:
    heard: list[ObjectEvent] = []
    store.subscribe(heard.append)
    ref = store.resolve("zoo/pet")  # the writer resolved before the delete
    delete_holder(container.entities, store, resource, "zoo" if resource == "registers" else "pet")
    kind = resource.removesuffix("s")
    entity_id = ref.register["id"] if kind == "register" else ref.schema["id"]

    with pytest.raises(
        ConflictError, match=f"{kind} '(zoo|pet)' was deleted while this write ran"
    ) as refused:
        store.create(ref, {"id": PET_ID, "name": "Rex"})
    assert refused.value.extra == {kind: entity_id}
    with pytest.raises(ConflictError, match="was deleted"):
        store.put_many(ref, [{"id": PET_ID, "name": "Rex"}, {"id": PET_ID.replace("1", "2"), "name": "Max"}])
    assert not container.object_storage.holds_objects(ref.schema["id"])
    assert heard == []  # nothing is announced or audited that did not stay
    with pytest.raises(NotFoundError, match=kind):
        store.create("zoo/pet", {"name": "Rex"})  # resolved afterwards: simply unknown


def test_an_update_under_a_schema_deleted_meanwhile_takes_the_object_away(
    container: Container, store: ObjectStore
) -> None:
    ref = store.resolve("zoo/pet")
    object_id = store.create(ref, {"name": "Rex"}).object["id"]
    container.entity_store.delete("schemas", ref.schema["id"])  # a delete that won the race
    with pytest.raises(ConflictError, match="schema 'pet' was deleted"):
        store.patch(ref, object_id, {"age": 4})
    assert not container.object_storage.holds_objects(ref.schema["id"])


def test_a_left_over_mark_only_costs_the_next_writer_its_removal(
    container: Container, store: ObjectStore
) -> None:
    """A delete that died between marking and deleting leaves its mark: writes go on."""
    schema_id = _id(container, "schemas", "pet")
    container.entity_store.mark_deleting("schemas", schema_id, "crashed")
    assert store.create("zoo/pet", {"name": "Rex"}).object["name"] == "Rex"
    assert container.entity_store.deletion_marks([("schemas", schema_id)]) == {("schemas", schema_id): None}
    assert container.entities.get("schemas", "pet").etag == '"1"'
