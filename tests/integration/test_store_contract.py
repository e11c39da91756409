"""The storage ports' contract, run on every adapter: in memory and DynamoDB (moto, tables from the
template). What one adapter does, the other does; a difference fails here, not in production."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openconnector_core.errors import BadRequestError, ConflictError, NotFoundError, PreconditionFailedError
from openconnector_core.ids import new_id
from openconnector_core.store.dynamodb import DynamoEntityStore, DynamoLogStore
from openconnector_core.store.memory import MemoryEntityStore, MemoryLogStore, MemorySecretStore
from openconnector_core.store.ports import EntityStore, LogStore, Page, SecretStore
from openconnector_core.store.secrets_manager import SecretsManagerStore


class Clock:
    """The log stores' clock (seconds since the epoch), moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class Stores:
    entities: EntityStore
    logs: LogStore
    clock: Clock


@pytest.fixture(params=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Stores:
    clock = Clock()
    if request.param == "memory":
        return Stores(MemoryEntityStore(), MemoryLogStore(clock), clock)
    client, tables = request.getfixturevalue("dynamodb"), request.getfixturevalue("tables")
    return Stores(
        DynamoEntityStore(client, tables["EntitiesTable"]),
        DynamoLogStore(client, tables["LogsTable"], clock),
        clock,
    )


@pytest.fixture
def entities(stores: Stores) -> EntityStore:
    return stores.entities


@pytest.fixture
def logs(stores: Stores) -> LogStore:
    return stores.logs


@pytest.fixture(params=["memory", "secretsmanager"])
def secrets(request: pytest.FixtureRequest) -> SecretStore:
    if request.param == "memory":
        return MemorySecretStore()
    return SecretsManagerStore(request.getfixturevalue("secretsmanager"), "test/")


def every_page(fetch: Callable[[str | None], Page]) -> Iterator[dict[str, Any]]:
    token = None
    while True:
        page = fetch(token)
        yield from page.items
        token = page.next
        if token is None:
            return


# --- entities ------------------------------------------------------------------------------------


def test_an_entity_is_found_by_id_uuid_and_slug(entities: EntityStore) -> None:
    item = {"id": new_id(), "uuid": "legacy-uuid", "slug": "my-api", "name": "My API"}

    created = entities.create("sources", item)

    assert created.etag == '"1"'
    for key in (item["id"], "legacy-uuid", "my-api"):
        assert entities.get("sources", key).item == item
        assert entities.get("sources", key).etag == '"1"'
    with pytest.raises(NotFoundError):
        entities.get("sources", "unknown")
    with pytest.raises(NotFoundError):
        entities.get("mappings", "my-api")  # one namespace per resource


def test_a_taken_id_or_slug_is_a_conflict_and_changes_nothing(entities: EntityStore) -> None:
    first = {"id": "a", "slug": "same", "n": 1}
    entities.create("rules", first)

    with pytest.raises(ConflictError):
        entities.create("rules", {"id": "a", "slug": "other"})
    with pytest.raises(ConflictError) as caught:
        entities.create("rules", {"id": "b", "slug": "same"})

    assert caught.value.extra["field"] == "slug"
    assert entities.count("rules") == 1
    assert entities.get("rules", "same").item == first
    with pytest.raises(NotFoundError):
        entities.get("rules", "other")
    entities.create("mappings", {"id": "a", "slug": "same"})  # other resources are other namespaces


def test_replace_bumps_the_revision_and_moves_the_slug(entities: EntityStore) -> None:
    entities.create("rules", {"id": "r", "slug": "old"})

    stored = entities.replace("rules", {"id": "r", "slug": "new", "n": 2}, if_match='"1"')

    assert stored.etag == '"2"'
    assert entities.get("rules", "new").item == {"id": "r", "slug": "new", "n": 2}
    with pytest.raises(NotFoundError):
        entities.get("rules", "old")
    entities.create("rules", {"id": "s", "slug": "old"})  # the old slug is free again


def test_replace_to_a_taken_slug_is_a_conflict_and_changes_nothing(entities: EntityStore) -> None:
    entities.create("rules", {"id": "r", "slug": "mine"})
    entities.create("rules", {"id": "s", "slug": "taken"})

    with pytest.raises(ConflictError):
        entities.replace("rules", {"id": "r", "slug": "taken", "n": 1})

    assert entities.get("rules", "mine").item == {"id": "r", "slug": "mine"}
    assert entities.get("rules", "mine").etag == '"1"'
    assert entities.get("rules", "taken").item["id"] == "s"


def test_stale_if_match_is_refused_and_unknown_ids_are_not_found(entities: EntityStore) -> None:
    entities.create("jobs", {"id": "j", "slug": "j"})
    entities.replace("jobs", {"id": "j", "slug": "j", "n": 1}, if_match='"1"')

    with pytest.raises(PreconditionFailedError) as caught:
        entities.replace("jobs", {"id": "j", "slug": "j", "n": 2}, if_match='"1"')
    assert caught.value.extra["etag"] == '"2"'
    with pytest.raises(PreconditionFailedError):
        entities.delete("jobs", "j", if_match='"1"')
    with pytest.raises(NotFoundError):
        entities.replace("jobs", {"id": "nope", "slug": "x"})
    with pytest.raises(NotFoundError):
        entities.delete("jobs", "nope")
    assert entities.get("jobs", "j").item["n"] == 1
    for rev, form in enumerate(('"{}"', "{}", 'W/"{}"', '"99", "{}"', "*"), start=2):
        stored = entities.replace("jobs", {"id": "j", "slug": "j", "n": rev}, if_match=form.format(rev))
        assert stored.etag == f'"{rev + 1}"'


def test_delete_returns_the_item_and_frees_its_slug(entities: EntityStore) -> None:
    entities.create("consumers", {"id": "c", "slug": "client", "name": "Client"})

    assert entities.delete("consumers", "client", if_match='"1"') == {
        "id": "c",
        "slug": "client",
        "name": "Client",
    }

    assert entities.count("consumers") == 0
    with pytest.raises(NotFoundError):
        entities.get("consumers", "c")
    entities.create("consumers", {"id": "d", "slug": "client"})


def test_a_deletion_mark_is_no_write_and_a_marked_delete_needs_its_mark(entities: EntityStore) -> None:
    entities.create("schemas", {"id": "s", "slug": "pet"})
    entities.create("schemas", {"id": "t", "slug": "cow"})
    assert entities.deletion_marks([("schemas", "s"), ("schemas", "t"), ("schemas", "gone")]) == {
        ("schemas", "s"): None,
        ("schemas", "t"): None,
    }
    with pytest.raises(PreconditionFailedError):
        entities.mark_deleting("schemas", "s", "one", if_match='"2"')
    with pytest.raises(NotFoundError):
        entities.mark_deleting("schemas", "gone", "one")
    entities.mark_deleting("schemas", "s", "one", if_match='"1"')
    assert entities.get("schemas", "s") == entities.get("schemas", "pet")
    assert entities.get("schemas", "s").etag == '"1"' and "deleting" not in entities.get("schemas", "s").item
    assert entities.deletion_marks([("schemas", "s")]) == {("schemas", "s"): "one"}

    entities.mark_deleting("schemas", "s", "two")  # a later delete takes the mark over
    with pytest.raises(ConflictError):
        entities.delete("schemas", "s", if_match='"1"', deleting="one")
    assert not entities.unmark_deleting("schemas", "s", "one")  # another's mark stays
    assert entities.unmark_deleting("schemas", "s")  # a writer removes any mark
    with pytest.raises(ConflictError):
        entities.delete("schemas", "s", deleting="two")
    assert entities.unmark_deleting("schemas", "s")  # no mark: nothing to remove, the item is there

    entities.mark_deleting("schemas", "s", "three")
    entities.replace("schemas", {"id": "s", "slug": "pet", "title": "Pet"})  # a new item, no mark
    assert entities.deletion_marks([("schemas", "s")]) == {("schemas", "s"): None}
    with pytest.raises(PreconditionFailedError):
        entities.delete("schemas", "s", if_match='"1"', deleting="three")

    entities.mark_deleting("schemas", "s", "four")
    assert entities.delete("schemas", "s", deleting="four")["title"] == "Pet"
    assert not entities.unmark_deleting("schemas", "s")  # gone: a writer learns the delete won
    assert entities.deletion_marks([("schemas", "s")]) == {}
    with pytest.raises(NotFoundError):
        entities.get("schemas", "s")  # an unmark of a deleted item does not bring it back


def test_list_pages_in_creation_order_none_missing_none_twice(entities: EntityStore) -> None:
    ids = [entities.create("mappings", {"id": new_id(), "slug": f"m{n}"}).item["id"] for n in range(95)]

    seen = [
        item["id"] for item in every_page(lambda token: entities.list("mappings", limit=10, cursor=token))
    ]

    assert seen == ids
    assert entities.count("mappings") == 95
    last = entities.list("mappings", limit=95)
    assert len(last.items) == 95 and last.next is None


def test_list_filters_search_and_null_tests(entities: EntityStore) -> None:
    for name, kind, description, order in [
        ("Alpha", "json", None, 1),
        ("Beta", "xml", "not ALPHA", 2),
        ("Gamma", "json", "", True),
    ]:
        entities.create(
            "sources",
            {
                "id": new_id(),
                "slug": name.lower(),
                "name": name,
                "type": kind,
                "description": description,
                "o": order,
            },
        )

    def names(**kwargs: Any) -> list[str]:
        return [item["name"] for item in entities.list("sources", **kwargs).items]

    assert names(search="alpha") == ["Alpha", "Beta"]
    assert names(filters={"type": "json"}) == ["Alpha", "Gamma"]
    assert names(filters={"type": "json"}, search="gam") == ["Gamma"]
    assert names(filters={"o": "2"}) == ["Beta"]  # compared as text
    assert names(filters={"o": "true"}) == ["Gamma"]
    assert names(filters={"description": "IS NULL"}) == ["Alpha", "Gamma"]
    assert names(filters={"description": "IS NOT NULL"}) == ["Beta"]
    assert names(filters={"type": "yaml"}) == []


def test_filtered_pages_skip_nothing(entities: EntityStore) -> None:
    wanted = []
    for n in range(60):
        item = entities.create("rules", {"id": new_id(), "slug": f"r{n}", "order": n % 3}).item
        if n % 3 == 0:
            wanted.append(item["id"])

    seen = every_page(lambda token: entities.list("rules", filters={"order": "0"}, limit=7, cursor=token))

    assert [item["id"] for item in seen] == wanted


def test_paging_resumes_after_the_boundary_item_was_deleted(entities: EntityStore) -> None:
    ids = [entities.create("rules", {"id": new_id(), "slug": f"r{n}"}).item["id"] for n in range(9)]

    first = entities.list("rules", limit=3)
    entities.delete("rules", first.items[-1]["id"])
    rest = every_page(lambda token: entities.list("rules", limit=3, cursor=token or first.next))

    assert [item["id"] for item in rest] == ids[3:]


def test_a_tampered_cursor_is_a_bad_request(entities: EntityStore) -> None:
    for cursor in (
        "%%%",
        base64.urlsafe_b64encode(b"[1]").decode(),
        base64.urlsafe_b64encode(b'{"after":1}').decode(),
    ):
        with pytest.raises(BadRequestError):
            entities.list("rules", cursor=cursor)


def test_returned_items_are_copies(entities: EntityStore) -> None:
    item = {"id": "x", "slug": "x", "nested": {"a": [1]}}
    entities.create("rules", item)
    item["nested"]["a"].append(2)
    entities.get("rules", "x").item["nested"]["a"].append(3)
    entities.list("rules").items[0]["nested"]["a"].append(4)

    assert entities.get("rules", "x").item["nested"] == {"a": [1]}


def test_racing_writers_with_one_if_match_exactly_one_wins(entities: EntityStore) -> None:
    entities.create("synchronizations", {"id": "s", "slug": "s", "n": 0})
    results: list[str] = []
    start = threading.Barrier(8)

    def write(n: int) -> None:
        start.wait()
        try:
            entities.replace("synchronizations", {"id": "s", "slug": "s", "n": n}, if_match='"1"')
            results.append("won")
        except PreconditionFailedError:
            results.append("refused")

    threads = [threading.Thread(target=write, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["refused"] * 7 + ["won"]
    assert entities.get("synchronizations", "s").etag == '"2"'


def test_racing_creators_of_one_slug_exactly_one_wins(entities: EntityStore) -> None:
    results: list[str] = []
    start = threading.Barrier(6)

    def create(n: int) -> None:
        start.wait()
        try:
            entities.create("mappings", {"id": new_id(), "slug": "contested", "n": n})
            results.append("won")
        except ConflictError:
            results.append("refused")

    threads = [threading.Thread(target=create, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["refused"] * 5 + ["won"]
    assert entities.count("mappings") == 1


# --- logs ----------------------------------------------------------------------------------------


def test_a_log_gets_an_id_and_is_read_back(logs: LogStore) -> None:
    logs.put("call-logs", {"statusCode": 200})
    (item,) = logs.query("call-logs").items

    assert item == {"statusCode": 200, "id": item["id"], "uuid": item["id"]}
    assert logs.get("call-logs", item["id"]) == item
    with pytest.raises(NotFoundError):
        logs.get("call-logs", new_id())
    with pytest.raises(NotFoundError):
        logs.get("job-logs", item["id"])  # one namespace per kind


def test_expired_logs_are_invisible_although_nobody_deleted_them(stores: Stores) -> None:
    logs, clock = stores.logs, stores.clock
    expires = datetime.fromtimestamp(clock.now, UTC) + timedelta(hours=1)
    logs.put("job-logs", {"id": "a"}, expires=expires)
    logs.put("job-logs", {"id": "b"})
    assert logs.get("job-logs", "a")["id"] == "a"

    clock.now += 2 * 3600

    with pytest.raises(NotFoundError):
        logs.get("job-logs", "a")
    assert [item["id"] for item in logs.query("job-logs").items] == ["b"]


def test_log_queries_by_subject_time_order_filter_and_pages(logs: LogStore) -> None:
    ids = []
    for n in range(40):
        log_id = new_id()
        ids.append(log_id)
        logs.put("call-logs", {"id": log_id, "n": n}, subject="s1" if n % 2 else "s2")

    def collect(**kwargs: Any) -> list[str]:
        pages = every_page(lambda token: logs.query("call-logs", limit=6, cursor=token, **kwargs))
        return [item["id"] for item in pages]

    now = datetime.now(UTC)
    assert collect() == list(reversed(ids))
    assert collect(newest_first=False) == ids
    assert collect(subject="s1") == list(reversed(ids[1::2]))
    assert collect(subject="s2", newest_first=False, where=lambda item: item["n"] >= 20) == ids[20::2]
    assert collect(where=lambda item: item["n"] < 5, newest_first=False) == ids[:5]
    assert collect(since=now - timedelta(minutes=1), until=now + timedelta(seconds=1)) == list(reversed(ids))
    assert collect(since=now + timedelta(seconds=5)) == []
    assert collect(until=now - timedelta(minutes=1)) == []
    assert collect(subject="nobody") == []


# --- secrets -------------------------------------------------------------------------------------


def test_secrets_put_get_overwrite_and_delete(secrets: SecretStore) -> None:
    assert secrets.get("sources/x") == {}

    secrets.put("sources/x", {"/password": "pw"})
    secrets.put("sources/x", {"/password": "pw2", "/token": "t"})

    assert secrets.get("sources/x") == {"/password": "pw2", "/token": "t"}
    secrets.delete("sources/x")
    secrets.delete("sources/x")  # deleting what is gone is fine
    assert secrets.get("sources/x") == {}
