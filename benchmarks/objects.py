"""Object store bulk throughput on moto: ``put_many``/``get_many`` against a plain boto3 loop.

    .venv/bin/python benchmarks/objects.py [N] [--rounds R]

Tables come from template.yaml (in-process moto). The store writes N synthetic objects in pages of
100 (as a synchronization page does) with everything a bulk write does — JSON Schema validation,
reading the current objects for created/updated/unchanged, the objects themselves and one audit
entry each — and reads them back with ``get_many``. The baseline writes the same documents with a
plain BatchWriteItem loop (25 items per request, JSON in one attribute) and reads them with a plain
BatchGetItem loop (100 keys per request, JSON decoded). Prints objects/s for both and the ratio
(store / baseline); each side runs R rounds alternately and the best round counts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
for name, value in {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
}.items():
    os.environ[name] = value

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from openconnector_core.container import Container  # noqa: E402
from openconnector_core.objects.storage import ObjectRecord, Partition  # noqa: E402
from openconnector_core.settings import Settings  # noqa: E402
from openconnector_core.store.dynamodb import DynamoEntityStore, DynamoLogStore  # noqa: E402
from openconnector_core.store.memory import MemorySecretStore  # noqa: E402
from openconnector_core.store.objects_dynamodb import DynamoObjectStorage  # noqa: E402
from tests.integration.tables import create_tables  # noqa: E402

PAGE = 100
NOW = "2024-05-17T10:00:00+00:00"
SCHEMA = {
    "title": "Case",
    "type": "object",
    "properties": {
        "identification": {"type": "string"},
        "title": {"type": "string"},
        "status": {"enum": ["open", "closed"]},
        "registered": {"type": "string", "format": "date"},
        "amount": {"type": "number"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["identification", "title"],
}


def documents(n: int, round_no: int) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "identification": f"ZAAK-{round_no}-{i:06d}",
            "title": f"Case number {i} about a building permit",
            "status": "open" if i % 3 else "closed",
            "registered": "2024-05-17",
            "amount": i * 1.5,
            "address": {"street": "Stationsplein", "number": i, "city": "Utrecht"},
            "tags": ["permit", "building"],
            "description": "x" * 200,
        }
        for i in range(n)
    ]


def chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def baseline(client: Any, table: str, docs: list[dict[str, Any]]) -> tuple[float, float]:
    started = time.perf_counter()
    for batch in chunks(docs, 25):
        requests = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": "bench"},
                        "sk": {"S": doc["id"]},
                        "doc": {"S": json.dumps(doc, separators=(",", ":"))},
                    }
                }
            }
            for doc in batch
        ]
        pending: dict[str, Any] = {table: requests}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    found = []
    for batch in chunks(docs, 100):
        keys = [{"pk": {"S": "bench"}, "sk": {"S": doc["id"]}} for doc in batch]
        request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
        while request:
            response = client.batch_get_item(RequestItems=request)
            found += [json.loads(raw["doc"]["S"]) for raw in response["Responses"].get(table, [])]
            request = response.get("UnprocessedKeys") or {}
    read = time.perf_counter() - started
    assert len(found) == len(docs)
    return wrote, read


def timed(
    docs: list[dict[str, Any]],
    write: Callable[[list[dict[str, Any]]], None],
    read: Callable[[list[str]], Mapping[str, Any]],
) -> tuple[float, float]:
    """Seconds to write ``docs`` page by page, then to read them back by id the same way."""
    started = time.perf_counter()
    for page in chunks(docs, PAGE):
        write(page)
    wrote = time.perf_counter() - started
    started = time.perf_counter()
    found: dict[str, Any] = {}
    for page in chunks(docs, PAGE):
        found.update(read([doc["id"] for doc in page]))
    read_time = time.perf_counter() - started
    assert len(found) == len(docs)
    return wrote, read_time


def storage_run(storage: DynamoObjectStorage, docs: list[dict[str, Any]]) -> tuple[float, float]:
    """The storage adapter alone: the same documents as records, batched the same way."""
    partition = Partition(register="bench-register", schema="bench-schema")

    def write(page: list[dict[str, Any]]) -> None:
        storage.put_many(partition, [ObjectRecord(doc["id"], doc, 1, "0.0.1", NOW, NOW) for doc in page])

    return timed(docs, write, lambda ids: storage.get_many(partition, ids))


def store_run(container: Container, ref: Any, docs: list[dict[str, Any]]) -> tuple[float, float]:
    store = container.objects

    def write(page: list[dict[str, Any]]) -> None:
        outcomes = store.put_many(ref, page, actor="synchronization:bench")
        assert all(outcome.action == "created" for outcome in outcomes), outcomes[0]

    return timed(docs, write, lambda ids: store.get_many(ref, ids))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-1")
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(Bucket="bench-files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        tables = create_tables(client, prefix="bench-")
        client.create_table(
            TableName="bench-plain",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        container = Container(
            Settings(),
            entity_store=DynamoEntityStore(client, tables["EntitiesTable"]),
            log_store=DynamoLogStore(client, tables["LogsTable"]),
            secret_store=MemorySecretStore(),
            object_storage=DynamoObjectStorage(client, tables["ObjectsTable"], s3=s3, bucket="bench-files"),
        )
        container.entities.create("schemas", SCHEMA)
        container.entities.create("registers", {"title": "Cases"})
        ref = container.objects.resolve("cases/case")  # once per run, as a synchronization does
        storage = container.object_storage
        assert isinstance(storage, DynamoObjectStorage)
        runs = {
            "plain boto3": lambda docs: baseline(client, "bench-plain", docs),
            "storage adapter": lambda docs: storage_run(storage, docs),
            "object store": lambda docs: store_run(container, ref, docs),
        }
        best = {label: [float("inf"), float("inf")] for label in runs}
        for round_no in range(-1, arguments.rounds):  # round -1 warms up (validator, clients)
            for label, run in runs.items():
                wrote, read = run(documents(arguments.n if round_no >= 0 else 200, round_no))
                if round_no >= 0:
                    best[label] = [min(best[label][0], wrote), min(best[label][1], read)]
    n = arguments.n
    plain = best["plain boto3"]
    print(f"{n} objects in pages of {PAGE}, best of {arguments.rounds} rounds; ratio = plain time / time")
    for label, (wrote, read) in best.items():
        print(
            f"{label:>16}: write {n / wrote:6.0f}/s (ratio {plain[0] / wrote:.2f})"
            f" · read {n / read:6.0f}/s (ratio {plain[1] / read:.2f})"
            f" · write+read ratio {sum(plain) / (wrote + read):.2f}"
        )


if __name__ == "__main__":
    main()
