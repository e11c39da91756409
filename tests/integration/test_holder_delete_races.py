"""Deleting a schema or register while objects are written to it, with real threads, on both stores.

Either the delete wins (every racing writer is refused naming the schema or register, and nothing it
wrote stays stored) or a writer wins (the delete is a 409 "still holds objects" and every answered
write is readable). Never both: an object answered 201 under a deleted schema is unreachable.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Callable, Iterator

import boto3
import pytest

from openconnector_core.container import Container
from openconnector_core.errors import ConflictError, NotFoundError, OpenConnectorError
from openconnector_core.objects.holders import delete_holder
from openconnector_core.settings import Settings
from openconnector_core.store.dynamodb import DynamoEntityStore, DynamoLogStore
from openconnector_core.store.memory import MemorySecretStore
from openconnector_core.store.objects_dynamodb import DynamoObjectStorage

ROUNDS = {"memory": 150, "dynamodb": 40}
PET = {"title": "Pet", "type": "object", "properties": {"name": {"type": "string"}}}


@pytest.fixture(autouse=True)
def preempt_often() -> Iterator[None]:
    """Switch threads every few microseconds, so the rounds try many interleavings."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


@pytest.fixture(params=["memory", "dynamodb"])
def container(request: pytest.FixtureRequest) -> Container:
    if request.param == "memory":
        return Container.in_memory()
    client, tables = request.getfixturevalue("dynamodb"), request.getfixturevalue("tables")
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket="files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return Container(
        Settings(),
        entity_store=DynamoEntityStore(client, tables["EntitiesTable"]),
        contract_store=DynamoEntityStore(client, tables["ContractsTable"]),
        log_store=DynamoLogStore(client, tables["LogsTable"]),
        secret_store=MemorySecretStore(),
        object_storage=DynamoObjectStorage(client, tables["ObjectsTable"], s3=s3, bucket="files"),
    )


def _race(container: Container, resource: str, round_no: int) -> bool:
    """One round: a delete and three writes start together; whether the delete won."""
    schema = container.entities.create("schemas", {**PET, "slug": f"pet-{round_no}"}).item
    register = container.entities.create(
        "registers", {"title": f"Zoo {round_no}", "schemas": [schema["slug"]]}
    ).item
    ref = f"{register['slug']}/{schema['slug']}"
    target = schema if resource == "schemas" else register
    kind = resource.removesuffix("s")
    written: list[list[str]] = []  # the ids of each write that was answered with success
    refused: list[OpenConnectorError] = []
    deleted: list[bool] = []
    start = threading.Barrier(4)

    def write(action: Callable[[], list[str]]) -> None:
        start.wait()
        try:
            written.append(action())
        except (ConflictError, NotFoundError) as error:
            refused.append(error)

    def create() -> list[str]:
        return [container.objects.create(ref, {"name": "Rex"}).object["id"]]

    def put_many() -> list[str]:
        batch = [{"id": str(uuid.uuid4()), "name": f"Pet {n}"} for n in range(3)]
        return [outcome.id for outcome in container.objects.put_many(ref, batch)]

    def delete() -> None:
        start.wait()
        try:
            delete_holder(container.entities, container.objects, resource, target["id"])
            deleted.append(True)
        except ConflictError as error:
            assert "still holds objects" in error.message
            deleted.append(False)

    threads = [
        threading.Thread(target=job) for job in (delete, lambda: write(create), lambda: write(put_many))
    ]
    threads.append(threading.Thread(target=lambda: write(create)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(deleted) == 1 and len(written) + len(refused) == 3
    for error in refused:  # a refusal names what was deleted
        assert error.extra.get(kind) in (target["id"], target["slug"]), error.to_body()
    storage = container.object_storage
    if deleted[0]:
        assert written == [], f"round {round_no}: writes answered as stored under a deleted {kind}"
        register_id = register["id"] if resource == "registers" else None
        assert not storage.holds_objects(schema["id"], register_id), f"round {round_no}: orphaned objects"
    else:
        assert container.entities.get(resource, target["id"]).item["id"] == target["id"]
        for ids in written:
            assert set(container.objects.get_many(ref, ids)) == set(ids)
    return deleted[0]


@pytest.mark.parametrize("resource", ["schemas", "registers"])
def test_a_delete_and_concurrent_writes_serialize(
    container: Container, resource: str, request: pytest.FixtureRequest
) -> None:
    store = request.node.callspec.params["container"]
    for round_no in range(ROUNDS[store]):
        _race(container, resource, round_no)


def test_rounds_cover_both_outcomes(container: Container) -> None:
    """The race above is not vacuous: deletes do win, and writers do win."""
    outcomes: set[bool] = set()
    for round_no in range(60):
        outcomes.add(_race(container, "schemas", round_no))
        if outcomes == {True, False}:
            return
    pytest.fail(f"only one outcome in 60 rounds: {outcomes}")
