"""ObjectStore semantics on the in-memory storage: references, CRUD, ETags, lists, bulk, audit, events."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from openconnector_core.objects.ports import ObjectEvent, ObjectService, SchemaRef
from openconnector_core.objects.service import ObjectStore


def test_the_store_implements_the_port(store: ObjectStore) -> None:
    service: ObjectService = store  # mypy checks the protocol; this checks the container builds it
    assert service is store


# --- references -------------------------------------------------------------------------------


def test_each_half_resolves_by_id_uuid_or_slug(container: Container, store: ObjectStore) -> None:
    register = container.entities.get("registers", "zoo").item
    schema = container.entities.get("schemas", "pet").item
    for reg_key in (register["id"], register["uuid"], "zoo"):
        for schema_key in (schema["id"], schema["uuid"], "pet"):
            ref = store.resolve(f"{reg_key}/{schema_key}")
            assert ref.register["id"] == register["id"]
            assert ref.schema["id"] == schema["id"]
            assert ref.key == f"{register['id']}/{schema['id']}"


def test_unknown_register_or_schema_is_a_404_naming_which(store: ObjectStore) -> None:
    with pytest.raises(NotFoundError, match="register 'nope'") as register_error:
        store.resolve("nope/pet")
    assert register_error.value.extra == {"register": "nope"}
    with pytest.raises(NotFoundError, match="schema 'nope'") as schema_error:
        store.resolve("zoo/nope")
    assert schema_error.value.extra == {"schema": "nope"}


def test_a_schema_outside_the_registers_list_is_not_found(container: Container, store: ObjectStore) -> None:
    container.entities.create("schemas", {"title": "Car"})
    with pytest.raises(NotFoundError, match="not part of register 'zoo'"):
        store.resolve("zoo/car")
    container.entities.create("registers", {"title": "Open"})  # no schemas listed: any schema
    assert store.resolve("open/car").schema["slug"] == "car"


@pytest.mark.parametrize("reference", ["zoo", "zoo/pet/x", "/pet", ""])
def test_a_malformed_reference_is_a_400(store: ObjectStore, reference: str) -> None:
    with pytest.raises(BadRequestError, match="register/schema"):
        store.resolve(reference)


# --- single objects ---------------------------------------------------------------------------


def test_create_returns_the_object_with_id_and_self(store: ObjectStore) -> None:
    stored = store.create("zoo/pet", {"name": "Rex", "age": 3}, actor="alice")
    obj = stored.object
    assert uuid.UUID(obj["id"])
    assert {k: v for k, v in obj.items() if k not in ("id", "@self")} == {"name": "Rex", "age": 3}
    ref = store.resolve("zoo/pet")
    assert obj["@self"]["register"] == ref.register["id"]
    assert obj["@self"]["schema"] == ref.schema["id"]
    assert obj["@self"]["version"] == "0.0.1"
    assert obj["@self"]["created"] == obj["@self"]["updated"]
    assert stored.etag == '"1"'
    assert store.get("zoo/pet", obj["id"]).object == obj


def test_create_ignores_a_sent_self_block_and_takes_a_new_uuid_id(store: ObjectStore) -> None:
    chosen = str(uuid.uuid4())
    obj = store.create("zoo/pet", {"id": chosen, "name": "Rex", "@self": {"version": "9"}}).object
    assert obj["id"] == chosen
    assert obj["@self"]["version"] == "0.0.1"
    with pytest.raises(ConflictError, match=chosen):
        store.create("zoo/pet", {"id": chosen, "name": "Other"})
    with pytest.raises(ValidationError, match="uuid"):
        store.create("zoo/pet", {"id": "not-a-uuid", "name": "Other"})


def test_an_invalid_object_is_refused_with_every_error_and_nothing_is_stored(store: ObjectStore) -> None:
    with pytest.raises(ValidationError) as caught:
        store.create("zoo/pet", {"age": -1, "email": "not an email", "address": {"city": 5}})
    errors = caught.value.extra["errors"]
    assert {"property": "name", "message": "'name' is a required property"} in errors
    assert {error["property"] for error in errors} == {"name", "age", "email", "address.city"}
    assert caught.value.to_body()["error"] == "Validation failed"
    assert store.count("zoo/pet") == 0


@pytest.mark.parametrize("body", [[1, 2], "text", 5, None])
def test_a_body_that_is_not_an_object_is_a_400(store: ObjectStore, body: Any) -> None:
    with pytest.raises(BadRequestError, match="JSON object"):
        store.create("zoo/pet", body)


def test_replace_patch_and_versions(store: ObjectStore) -> None:
    created = store.create("zoo/pet", {"name": "Rex", "age": 3, "tags": ["a"]}).object
    replaced = store.replace("zoo/pet", created["id"], {"name": "Max"})
    assert {k: v for k, v in replaced.object.items() if k != "@self"} == {"id": created["id"], "name": "Max"}
    assert replaced.object["@self"]["version"] == "0.0.2"
    assert replaced.etag == '"2"'
    patched = store.patch("zoo/pet", created["id"], {"age": 4}).object
    assert patched["name"] == "Max" and patched["age"] == 4
    assert patched["@self"]["created"] == created["@self"]["created"]
    with pytest.raises(ValidationError):
        store.patch("zoo/pet", created["id"], {"name": ""})
    assert store.get("zoo/pet", created["id"]).object == patched


def test_a_write_that_changes_nothing_keeps_the_revision(store: ObjectStore) -> None:
    created = store.create("zoo/pet", {"name": "Rex"})
    again = store.replace("zoo/pet", created.object["id"], {"name": "Rex"})
    assert again.etag == created.etag


def test_stale_if_match_is_a_412_and_changes_nothing(store: ObjectStore) -> None:
    created = store.create("zoo/pet", {"name": "Rex"})
    object_id = created.object["id"]
    store.patch("zoo/pet", object_id, {"age": 1}, if_match=created.etag)
    with pytest.raises(PreconditionFailedError):
        store.patch("zoo/pet", object_id, {"age": 2}, if_match=created.etag)
    with pytest.raises(PreconditionFailedError):
        store.delete("zoo/pet", object_id, if_match='"1"')
    assert store.get("zoo/pet", object_id).object["age"] == 1
    store.delete("zoo/pet", object_id, if_match='W/"2"')
    with pytest.raises(NotFoundError, match=object_id):
        store.get("zoo/pet", object_id)


def test_unknown_object_is_a_404(store: ObjectStore) -> None:
    missing = str(uuid.uuid4())
    for call in (
        lambda: store.get("zoo/pet", missing),
        lambda: store.replace("zoo/pet", missing, {"name": "x"}),
        lambda: store.patch("zoo/pet", missing, {"name": "x"}),
        lambda: store.delete("zoo/pet", missing),
    ):
        with pytest.raises(NotFoundError, match="does not exist"):
            call()


def test_objects_are_separate_per_register(container: Container, store: ObjectStore) -> None:
    container.entities.create("registers", {"title": "Farm", "schemas": ["pet"]})
    created = store.create("zoo/pet", {"name": "Rex"}).object
    with pytest.raises(NotFoundError):
        store.get("farm/pet", created["id"])
    assert store.count("farm/pet") == 0


def test_concurrent_merges_never_lose_a_change(store: ObjectStore) -> None:
    object_id = store.create("zoo/pet", {"name": "Rex"}).object["id"]
    barrier = threading.Barrier(8)

    def set_field(n: int) -> None:
        barrier.wait()
        store.patch("zoo/pet", object_id, {f"f{n}": n})

    threads = [threading.Thread(target=set_field, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = store.get("zoo/pet", object_id)
    assert all(final.object[f"f{n}"] == n for n in range(8))
    assert final.etag == '"9"'


def test_concurrent_updates_with_the_same_if_match_have_one_winner(store: ObjectStore) -> None:
    created = store.create("zoo/pet", {"name": "Rex"})
    object_id = created.object["id"]
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def update(n: int) -> None:
        barrier.wait()
        try:
            store.patch("zoo/pet", object_id, {"age": n}, if_match=created.etag)
            outcomes.append("won")
        except PreconditionFailedError:
            outcomes.append("412")

    threads = [threading.Thread(target=update, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["412"] * 5 + ["won"]
    assert store.get("zoo/pet", object_id).etag == '"2"'


# --- lists ------------------------------------------------------------------------------------


def _seed(store: ObjectStore) -> list[dict[str, Any]]:
    rows = [
        {"name": "Rex", "age": 3, "address": {"city": "Utrecht"}, "tags": ["dog", "old"]},
        {"name": "Tom", "age": 5, "address": {"city": "Amsterdam"}, "tags": ["cat"]},
        {"name": "Kitty", "age": 5, "address": {"city": "Utrecht"}},
        {"name": "Bello", "description": "A friendly DOG from Utrecht"},
    ]
    return [store.create("zoo/pet", row).object for row in rows]


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


def test_lists_are_in_creation_order_and_page_with_next(store: ObjectStore) -> None:
    created = _seed(store)
    first = store.list("zoo/pet", limit=3)
    assert names(first.items) == ["Rex", "Tom", "Kitty"] and first.next
    second = store.list("zoo/pet", limit=3, cursor=first.next)
    assert names(second.items) == ["Bello"] and second.next is None
    assert first.items[0] == created[0]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"age": "5"}, ["Tom", "Kitty"]),
        ({"address.city": "Utrecht"}, ["Rex", "Kitty"]),
        ({"address.city": "Utrecht", "age": "5"}, ["Kitty"]),
        ({"tags": "dog"}, ["Rex"]),
        ({"name": "Nobody"}, []),
        ({"age": "IS NULL"}, ["Bello"]),
        ({"address.city": "IS NOT NULL"}, ["Rex", "Tom", "Kitty"]),
    ],
)
def test_filters_on_top_level_and_dot_path_fields(
    store: ObjectStore, filters: dict[str, str], expected: list[str]
) -> None:
    _seed(store)
    assert names(store.list("zoo/pet", filters=filters).items) == expected
    assert store.count("zoo/pet", filters=filters) == len(expected)


def test_search_is_a_case_insensitive_substring_over_string_fields(store: ObjectStore) -> None:
    _seed(store)
    assert names(store.list("zoo/pet", search="utrecht").items) == ["Rex", "Kitty", "Bello"]
    assert names(store.list("zoo/pet", search="DOG").items) == ["Rex", "Bello"]


def test_a_filtered_list_pages_through_every_match_once(store: ObjectStore) -> None:
    for n in range(25):
        store.create("zoo/pet", {"name": f"p{n}", "age": n % 2})
    seen, cursor = [], None
    while True:
        page = store.list("zoo/pet", filters={"age": "1"}, limit=4, cursor=cursor)
        seen += names(page.items)
        cursor = page.next
        if cursor is None:
            break
    assert seen == [f"p{n}" for n in range(25) if n % 2]


# --- bulk -------------------------------------------------------------------------------------


def test_put_many_reports_one_outcome_per_object(store: ObjectStore) -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    first = store.put_many(
        "zoo/pet",
        [
            {"id": ids[0], "name": "A"},
            {"id": ids[1], "name": "B"},
            {"id": ids[2], "age": "old"},
            {"name": "C"},
        ],
        actor="synchronization:1",
    )
    assert [outcome.action for outcome in first] == ["created", "created", "invalid", "invalid"]
    assert {e["property"] for e in first[2].errors} == {"name", "age"}
    assert first[3].errors == [{"property": "id", "message": "id is required"}]
    assert first[0].object is not None and first[0].object["name"] == "A"
    second = store.put_many("zoo/pet", [{"id": ids[0], "name": "A"}, {"id": ids[1], "name": "B2"}])
    assert [outcome.action for outcome in second] == ["unchanged", "updated"]
    got = store.get_many("zoo/pet", [*ids, str(uuid.uuid4())])
    assert sorted(got) == sorted(ids[:2])
    assert got[ids[1]]["name"] == "B2" and got[ids[1]]["@self"]["version"] == "0.0.2"
    store.delete_many("zoo/pet", [ids[0], ids[2]], actor="synchronization:1")
    assert list(store.get_many("zoo/pet", ids)) == [ids[1]]


def test_put_many_with_a_repeated_id_keeps_the_last(store: ObjectStore) -> None:
    object_id = str(uuid.uuid4())
    outcomes = store.put_many("zoo/pet", [{"id": object_id, "name": "A"}, {"id": object_id, "name": "B"}])
    assert [outcome.action for outcome in outcomes] == ["created", "updated"]
    assert store.get("zoo/pet", object_id).object["name"] == "B"


# --- audit trail and events -------------------------------------------------------------------


def test_every_write_is_in_the_audit_trail_newest_first(store: ObjectStore) -> None:
    object_id = store.create("zoo/pet", {"name": "Rex", "age": 3}, actor="alice").object["id"]
    store.patch("zoo/pet", object_id, {"age": 4}, actor="consumer:web")
    store.delete("zoo/pet", object_id, actor="bob")
    trail = store.audit_trail("zoo/pet", object_id).items
    assert [(entry["action"], entry["actor"]) for entry in trail] == [
        ("deleted", "bob"),
        ("updated", "consumer:web"),
        ("created", "alice"),
    ]
    assert trail[1]["changed"] == {"age": {"old": 3, "new": 4}}
    assert trail[2]["changed"] == {"name": {"old": None, "new": "Rex"}, "age": {"old": None, "new": 3}}
    assert trail[0]["changed"]["name"] == {"old": "Rex", "new": None}
    assert all(entry["created"] for entry in trail)
    page = store.audit_trail("zoo/pet", object_id, limit=2)
    assert len(page.items) == 2 and page.next
    assert store.audit_trail("zoo/pet", object_id, cursor=page.next).items == trail[2:]


def test_bulk_writes_are_audited_too(store: ObjectStore) -> None:
    object_id = str(uuid.uuid4())
    store.put_many("zoo/pet", [{"id": object_id, "name": "A"}], actor="synchronization:7")
    store.delete_many("zoo/pet", [object_id], actor="synchronization:7")
    trail = store.audit_trail("zoo/pet", object_id).items
    assert [(entry["action"], entry["actor"]) for entry in trail] == [
        ("deleted", "synchronization:7"),
        ("created", "synchronization:7"),
    ]


def test_audit_trail_of_an_unknown_object_is_a_404(store: ObjectStore) -> None:
    with pytest.raises(NotFoundError):
        store.audit_trail("zoo/pet", str(uuid.uuid4()))


def test_large_values_are_summarized_in_the_audit_trail(store: ObjectStore) -> None:
    object_id = store.create("zoo/pet", {"name": "Rex", "blob": "x" * 100_000}).object["id"]
    (entry,) = store.audit_trail("zoo/pet", object_id).items
    assert entry["changed"]["blob"]["new"]["truncated"] is True
    assert entry["changed"]["blob"]["new"]["bytes"] == 100_002


def test_listeners_hear_every_committed_write(store: ObjectStore) -> None:
    heard: list[ObjectEvent] = []
    store.subscribe(heard.append)
    store.subscribe(lambda event: (_ for _ in ()).throw(RuntimeError("broken listener")))
    object_id = store.create("zoo/pet", {"name": "Rex"}, actor="alice").object["id"]
    store.patch("zoo/pet", object_id, {"age": 1})
    with pytest.raises(ValidationError):
        store.patch("zoo/pet", object_id, {"age": "x"})
    store.put_many("zoo/pet", [{"id": object_id, "name": "Rex", "age": 1}])  # unchanged: no event
    store.delete("zoo/pet", object_id)
    assert [event.action for event in heard] == ["created", "updated", "deleted"]
    assert heard[0].actor == "alice" and heard[0].previous is None
    assert heard[1].previous is not None and "age" not in heard[1].previous
    assert heard[1].object["age"] == 1
    assert heard[2].object["age"] == 1
    assert isinstance(heard[0].ref, SchemaRef)
