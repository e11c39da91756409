"""The object store on moto: DynamoDB items (Query, never Scan), S3 bodies for large objects,
conditional writes under racing threads, batches that resend unprocessed items, the audit trail."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from typing import Any

import boto3
import pytest

from openconnector_core.container import Container
from openconnector_core.errors import PreconditionFailedError, ValidationError
from openconnector_core.objects.service import ObjectStore
from openconnector_core.objects.storage import ObjectRecord, Partition
from openconnector_core.settings import Settings
from openconnector_core.store.dynamodb import DynamoEntityStore, DynamoLogStore
from openconnector_core.store.memory import MemorySecretStore
from openconnector_core.store.objects_dynamodb import INLINE_LIMIT, DynamoObjectStorage

REGION = "eu-west-1"
BUCKET = "test-files"


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


@pytest.fixture
def calls(dynamodb: Any) -> Counter[str]:
    """Every DynamoDB operation the client sends, by name."""
    seen: Counter[str] = Counter()
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: seen.update([model.name]))
    return seen


@pytest.fixture
def container(dynamodb: Any, tables: dict[str, str], s3: Any) -> Container:
    return Container(
        Settings(),
        entity_store=DynamoEntityStore(dynamodb, tables["EntitiesTable"]),
        contract_store=DynamoEntityStore(dynamodb, tables["ContractsTable"]),
        log_store=DynamoLogStore(dynamodb, tables["LogsTable"]),
        secret_store=MemorySecretStore(),
        object_storage=DynamoObjectStorage(dynamodb, tables["ObjectsTable"], s3=s3, bucket=BUCKET),
    )


@pytest.fixture
def store(container: Container) -> ObjectStore:
    container.entities.create(
        "schemas",
        {"title": "Pet", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}},
    )
    container.entities.create("registers", {"title": "Zoo"})
    return container.objects


def body_versions(s3: Any) -> list[dict[str, Any]]:
    return s3.list_object_versions(Bucket=BUCKET).get("Versions", [])


def test_crud_round_trip(store: ObjectStore) -> None:
    created = store.create("zoo/pet", {"name": "Rex", "age": 3, "nested": {"ä": [1, 2.5, None]}})
    object_id = created.object["id"]
    assert store.get("zoo/pet", object_id) == created
    updated = store.patch("zoo/pet", object_id, {"age": 4}, if_match=created.etag)
    assert updated.etag == '"2"' and updated.object["@self"]["version"] == "0.0.2"
    with pytest.raises(PreconditionFailedError):
        store.replace("zoo/pet", object_id, {"name": "Max"}, if_match=created.etag)
    store.delete("zoo/pet", object_id)
    assert store.get_many("zoo/pet", [object_id]) == {}


def test_listing_one_register_schema_is_a_query_never_a_scan(
    container: Container, store: ObjectStore, calls: Counter[str]
) -> None:
    container.entities.create("registers", {"title": "Farm"})
    for n in range(7):
        store.create("zoo/pet", {"name": f"zoo{n}", "age": n})
        store.create("farm/pet", {"name": f"farm{n}", "age": n})
    calls.clear()
    seen, cursor = [], None
    while True:
        page = store.list("zoo/pet", limit=3, cursor=cursor, filters={"age": "IS NOT NULL"})
        seen += [item["name"] for item in page.items]
        if not (cursor := page.next):
            break
    assert seen == [f"zoo{n}" for n in range(7)]
    assert store.count("farm/pet") == 7
    assert [item["name"] for item in store.list("farm/pet", search="FARM6").items] == ["farm6"]
    assert "Scan" not in calls and calls["Query"] > 0


@pytest.mark.parametrize("size", [401 * 1024, 5 * 1024 * 1024])
def test_large_objects_round_trip_byte_identical(
    store: ObjectStore, dynamodb: Any, tables: dict[str, str], s3: Any, size: int
) -> None:
    payload = {"name": "Big", "blob": "é" + "x" * size, "list": list(range(100))}
    created = store.create("zoo/pet", payload).object
    read = store.get("zoo/pet", created["id"]).object
    assert json.dumps(read) == json.dumps(created)
    assert {key: read[key] for key in payload} == payload
    assert set(read) == {"id", "@self", *payload}  # nothing tells a large object from a small one
    listed = store.list("zoo/pet").items
    assert json.dumps(listed[0]) == json.dumps(created)
    (item,) = dynamodb.scan(TableName=tables["ObjectsTable"])["Items"]
    assert "doc" not in item and item["bodyKey"]["S"].endswith(f"{created['id']}.json")
    # shrinking it moves the body back into the item and deletes the S3 version
    store.replace("zoo/pet", created["id"], {"name": "Small"})
    assert store.get("zoo/pet", created["id"]).object["name"] == "Small"
    assert body_versions(s3) == []


def test_a_large_object_replaced_by_a_large_one_keeps_one_body(store: ObjectStore, s3: Any) -> None:
    object_id = store.create("zoo/pet", {"name": "A", "blob": "a" * INLINE_LIMIT}).object["id"]
    store.patch("zoo/pet", object_id, {"blob": "b" * INLINE_LIMIT})
    assert store.get("zoo/pet", object_id).object["blob"] == "b" * INLINE_LIMIT
    assert len(body_versions(s3)) == 1
    store.delete("zoo/pet", object_id)
    assert body_versions(s3) == []


def test_an_invalid_large_object_stores_nothing(store: ObjectStore, s3: Any) -> None:
    with pytest.raises(ValidationError):
        store.create("zoo/pet", {"name": 5, "blob": "x" * INLINE_LIMIT})
    assert body_versions(s3) == [] and store.count("zoo/pet") == 0


def test_racing_updates_with_one_etag_have_exactly_one_winner(store: ObjectStore) -> None:
    created = store.create("zoo/pet", {"name": "Rex", "age": 0})
    object_id = created.object["id"]
    barrier = threading.Barrier(8)
    results: list[str] = []

    def update(n: int) -> None:
        barrier.wait()
        try:
            store.replace("zoo/pet", object_id, {"name": f"writer{n}", "age": n}, if_match=created.etag)
            results.append(f"writer{n}")
        except PreconditionFailedError:
            results.append("412")

    threads = [threading.Thread(target=update, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [result for result in results if result != "412"]
    assert len(winners) == 1 and len(results) == 8
    final = store.get("zoo/pet", object_id)
    assert final.object["name"] == winners[0] and final.etag == '"2"'


def test_racing_merges_without_if_match_lose_nothing(store: ObjectStore) -> None:
    object_id = store.create("zoo/pet", {"name": "Rex"}).object["id"]
    barrier = threading.Barrier(6)

    def merge(n: int) -> None:
        barrier.wait()
        store.patch("zoo/pet", object_id, {f"field{n}": n})

    threads = [threading.Thread(target=merge, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = store.get("zoo/pet", object_id).object
    assert all(final[f"field{n}"] == n for n in range(6))
    assert final["@self"]["version"] == "0.0.7"


def test_bulk_writes_reads_and_deletes_in_batches(store: ObjectStore, calls: Counter[str]) -> None:
    objects = [{"id": str(uuid.uuid4()), "name": f"p{n}", "age": n} for n in range(130)]
    ref = store.resolve("zoo/pet")  # resolved once, as a synchronization run does
    calls.clear()
    outcomes = store.put_many(ref, objects, actor="synchronization:1")
    assert Counter(outcome.action for outcome in outcomes) == {"created": 130}
    assert calls["BatchWriteItem"] == 2 * 6  # 130 objects + 130 audit entries, 25 per request
    assert calls["PutItem"] == 0
    calls.clear()
    got = store.get_many(ref, [obj["id"] for obj in objects])
    assert calls["BatchGetItem"] == 2 and calls["GetItem"] == 0
    assert {key: value["name"] for key, value in got.items()} == {obj["id"]: obj["name"] for obj in objects}
    store.delete_many("zoo/pet", [obj["id"] for obj in objects[:100]], actor="synchronization:1")
    assert store.count("zoo/pet") == 30
    trail = store.audit_trail("zoo/pet", objects[0]["id"]).items
    assert [entry["action"] for entry in trail] == ["deleted", "created"]


class _Stingy:
    """A DynamoDB client that leaves part of every other batch unprocessed, as a throttled table does."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.unprocessed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, requests), *_ = RequestItems.items()
        if len(requests) > 1:
            keep, later = requests[: len(requests) // 2], requests[len(requests) // 2 :]
            self._client.batch_write_item(RequestItems={table: keep})
            self.unprocessed += len(later)
            return {"UnprocessedItems": {table: later}}
        return self._client.batch_write_item(RequestItems=RequestItems)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, spec), *_ = RequestItems.items()
        keys = spec["Keys"]
        if len(keys) > 1:
            response = self._client.batch_get_item(RequestItems={table: {**spec, "Keys": keys[:1]}})
            self.unprocessed += len(keys) - 1
            return {**response, "UnprocessedKeys": {table: {**spec, "Keys": keys[1:]}}}
        return self._client.batch_get_item(RequestItems=RequestItems)


def test_unprocessed_batch_items_are_resent(
    dynamodb: Any, tables: dict[str, str], s3: Any, store: ObjectStore
) -> None:
    stingy = _Stingy(dynamodb)
    storage = DynamoObjectStorage(stingy, tables["ObjectsTable"], s3=s3, bucket=BUCKET)
    ref = store.resolve("zoo/pet")
    partition = Partition(ref.register["id"], ref.schema["id"])
    records = [ObjectRecord(str(uuid.uuid4()), {"n": n}, 1, "0.0.1", "t", "t") for n in range(40)]
    storage.put_many(partition, records)
    got = storage.get_many(partition, [record.id for record in records])
    assert stingy.unprocessed > 0
    assert sorted(record.data["n"] for record in got.values()) == list(range(40))


def test_in_use_looks_across_registers_or_in_one(container: Container, store: ObjectStore) -> None:
    schema = container.entities.get("schemas", "pet").item
    zoo = container.entities.get("registers", "zoo").item
    farm = container.entities.create("registers", {"title": "Farm", "schemas": ["pet"]}).item
    assert not store.in_use("schemas", schema)
    object_id = store.create("farm/pet", {"name": "Rex"}).object["id"]
    assert store.in_use("schemas", schema)
    assert store.in_use("registers", farm)  # lists the schema
    assert not store.in_use("registers", zoo)  # lists none: every schema is looked at
    store.delete("farm/pet", object_id)
    assert not store.in_use("schemas", schema) and not store.in_use("registers", farm)
