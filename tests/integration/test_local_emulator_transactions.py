"""The local stack's faster transaction backup for moto keeps DynamoDB transactions atomic."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openconnector_core.errors import ConflictError
from openconnector_core.store.dynamodb import DynamoEntityStore
from openconnector_local.emulator import _speed_up_dynamodb_transactions


@pytest.fixture
def patched_store(dynamodb: Any, tables: dict[str, str]) -> Iterator[DynamoEntityStore]:
    import moto.dynamodb.models as dynamodb_models

    original = dynamodb_models.copy
    _speed_up_dynamodb_transactions()
    try:
        yield DynamoEntityStore(dynamodb, tables["EntitiesTable"])
    finally:
        dynamodb_models.copy = original


def test_a_failed_transaction_changes_nothing(patched_store: DynamoEntityStore) -> None:
    # Given two mappings
    first = patched_store.create("mappings", {"id": "a", "slug": "first", "name": "A"})
    second = patched_store.create("mappings", {"id": "b", "slug": "second", "name": "B"})

    # When the second is renamed to the first's slug (its put of the new slug marker fails after the
    # entity itself was written within the same transaction)
    with pytest.raises(ConflictError):
        patched_store.replace(
            "mappings", {**second.item, "slug": "first", "name": "B2"}, if_match=second.etag
        )

    # Then both are as they were, and each slug still leads to its own entity
    assert patched_store.get("mappings", "second").item["name"] == "B"
    assert patched_store.get("mappings", "first").item["id"] == first.item["id"]
    with pytest.raises(ConflictError):
        patched_store.create("mappings", {"id": "c", "slug": "second", "name": "C"})


def test_successful_transactions_still_apply(patched_store: DynamoEntityStore) -> None:
    created = patched_store.create("mappings", {"id": "a", "slug": "one", "name": "A"})
    renamed = patched_store.replace("mappings", {**created.item, "slug": "two"}, if_match=created.etag)
    assert patched_store.get("mappings", "two").item["id"] == "a"
    patched_store.delete("mappings", "a", if_match=renamed.etag)
    assert patched_store.list("mappings").items == []


def test_a_failed_transaction_undoes_its_updates(
    patched_store: DynamoEntityStore, dynamodb: Any, tables: dict[str, str]
) -> None:
    # Given two counters
    table = tables["LogsTable"]
    for key, value in (("a", "1"), ("b", "1")):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"S": key}, "n": {"N": value}})

    # When a transaction updates the first and its condition on the second fails
    def update(key: str, condition: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "t"}, "sk": {"S": key}},
                "UpdateExpression": "SET m = :one ADD n :one",
                "ConditionExpression": condition,
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        }

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[update("a", "n = :one"), update("b", "n > :one")])

    # Then neither item changed (moto updates items in place; the backup must undo that too)
    for key in ("a", "b"):
        item = dynamodb.get_item(TableName=table, Key={"pk": {"S": "t"}, "sk": {"S": key}})["Item"]
        assert item["n"] == {"N": "1"} and "m" not in item
