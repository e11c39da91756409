"""The DynamoDB adapters on moto, tables built from template.yaml: what only DynamoDB has (item layout,
size limit, missing tables) and the entity service on top of it. The port semantics both adapters
share are in ``test_store_contract.py``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from openconnector_core.entities.service import EntityService
from openconnector_core.errors import (
    BadRequestError,
    ConflictError,
    DeploymentError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from openconnector_core.ids import new_id
from openconnector_core.store.dynamodb import MAX_ITEM_BYTES, DynamoEntityStore, DynamoLogStore
from openconnector_core.store.memory import MemorySecretStore


@pytest.fixture
def entity_store(dynamodb: Any, tables: dict[str, str]) -> DynamoEntityStore:
    return DynamoEntityStore(dynamodb, tables["EntitiesTable"])


@pytest.fixture
def contract_store(dynamodb: Any, tables: dict[str, str]) -> DynamoEntityStore:
    return DynamoEntityStore(dynamodb, tables["ContractsTable"])


@pytest.fixture
def log_store(dynamodb: Any, tables: dict[str, str]) -> DynamoLogStore:
    return DynamoLogStore(dynamodb, tables["LogsTable"])


@pytest.fixture
def service(
    entity_store: DynamoEntityStore, contract_store: DynamoEntityStore, log_store: DynamoLogStore
) -> EntityService:
    return EntityService(entity_store, MemorySecretStore(), contracts=contract_store, logs=log_store)


def scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=table)["Items"]


def test_tables_come_from_the_template(tables: dict[str, str], dynamodb: Any) -> None:
    assert {"EntitiesTable", "ContractsTable", "LogsTable"} <= set(tables)
    logs = dynamodb.describe_table(TableName=tables["LogsTable"])["Table"]
    assert [index["IndexName"] for index in logs["GlobalSecondaryIndexes"]] == ["bySubject"]
    ttl = dynamodb.describe_time_to_live(TableName=tables["LogsTable"])["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"


def test_item_layout(service: EntityService, dynamodb: Any, tables: dict[str, str]) -> None:
    created = service.create("sources", {"name": "My API"}).item

    items = {(item["pk"]["S"], item["sk"]["S"]): item for item in scan(dynamodb, tables["EntitiesTable"])}

    entity = items[("sources", created["id"])]
    assert json.loads(entity["doc"]["S"]) == created
    assert entity["rev"] == {"N": "1"}
    assert entity["slug"] == {"S": "my-api"}
    assert items[("sources#slug", "my-api")]["id"] == {"S": created["id"]}


def test_create_and_get_by_id_uuid_and_slug(service: EntityService) -> None:
    legacy = "12f23206-a455-42b2-a717-15dbad24ff5e"
    created = service.create("mappings", {"name": "Zaak to Publicatie", "uuid": legacy})

    for key in (created.item["id"], legacy, "zaak-to-publicatie"):
        stored = service.get("mappings", key)
        assert stored.item == created.item
        assert stored.etag == '"1"'
    with pytest.raises(NotFoundError):
        service.get("mappings", "unknown")


def test_duplicate_slug_is_a_conflict_and_writes_nothing(
    service: EntityService, dynamodb: Any, tables: dict[str, str]
) -> None:
    service.create("rules", {"name": "Same"})
    before = scan(dynamodb, tables["EntitiesTable"])

    with pytest.raises(ConflictError, match="same"):
        service.create("rules", {"name": "Other", "slug": "same"})  # a chosen slug; a derived one moves aside

    assert scan(dynamodb, tables["EntitiesTable"]) == before
    assert service.create("rules", {"name": "same"}).item["slug"] == "same-2"


def test_update_with_slug_change_moves_the_marker(
    service: EntityService, dynamodb: Any, tables: dict[str, str]
) -> None:
    created = service.create("rules", {"name": "Old"}).item
    service.create("rules", {"name": "Taken"})

    stored = service.update("rules", "old", {"slug": "new"})

    assert stored.etag == '"2"'
    assert stored.item["version"] == "0.0.2"
    assert service.get("rules", "new").item["id"] == created["id"]
    with pytest.raises(NotFoundError):
        service.get("rules", "old")
    with pytest.raises(ConflictError):
        service.update("rules", "new", {"slug": "taken"})
    markers = sorted(
        i["sk"]["S"] for i in scan(dynamodb, tables["EntitiesTable"]) if i["pk"]["S"] == "rules#slug"
    )
    assert markers == ["new", "taken"]


def test_stale_if_match_is_a_precondition_failure(service: EntityService) -> None:
    created = service.create("synchronizations", {"name": "S"})
    service.update("synchronizations", "s", {"description": "one"}, if_match=created.etag)

    with pytest.raises(PreconditionFailedError):
        service.update("synchronizations", "s", {"description": "two"}, if_match=created.etag)
    with pytest.raises(PreconditionFailedError):
        service.delete("synchronizations", "s", if_match=created.etag)
    assert service.get("synchronizations", "s").item["description"] == "one"


def test_delete_removes_entity_and_marker(
    service: EntityService, dynamodb: Any, tables: dict[str, str]
) -> None:
    service.create("consumers", {"name": "Client"})
    service.delete("consumers", "client")

    assert scan(dynamodb, tables["EntitiesTable"]) == []
    with pytest.raises(NotFoundError):
        service.delete("consumers", "client")
    service.create("consumers", {"name": "Client"})


def test_validation_failure_writes_nothing(
    service: EntityService, dynamodb: Any, tables: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create("endpoints", {"name": "E", "colour": "red"})
    assert caught.value.extra["fields"] == ["colour"]
    assert scan(dynamodb, tables["EntitiesTable"]) == []


def test_list_filters_and_search(service: EntityService) -> None:
    service.create("sources", {"name": "Alpha", "type": "json"})
    service.create("sources", {"name": "Beta", "description": "not alpha", "type": "xml"})
    service.create("sources", {"name": "Gamma", "type": "json"})

    assert [i["name"] for i in service.list("sources", {"_search": "ALPHA"}).items] == ["Alpha", "Beta"]
    assert [i["name"] for i in service.list("sources", {"type": "json"}).items] == ["Alpha", "Gamma"]
    assert service.counts()["sources"] == 3


def test_contracts_live_in_their_own_table(
    service: EntityService, contract_store: DynamoEntityStore, dynamodb: Any, tables: dict[str, str]
) -> None:
    contract_store.create(
        "synchronization-contracts", {"id": new_id(), "synchronizationId": "s1", "originId": "o"}
    )

    assert len(service.list("synchronization-contracts", {"synchronizationId": "s1"}).items) == 1
    assert scan(dynamodb, tables["EntitiesTable"]) == []
    assert service.counts()["synchronizationContracts"] == 1


def test_record_state_on_dynamodb(service: EntityService) -> None:
    created = service.create("sources", {"name": "S"})
    item = service.record_state("sources", "s", {"rateLimitRemaining": 3})
    assert item["rateLimitRemaining"] == 3
    assert item["version"] == created.item["version"]
    assert service.get("sources", "s").etag == '"2"'


def test_a_missing_table_is_a_deployment_error(dynamodb: Any) -> None:
    with pytest.raises(DeploymentError) as caught:
        DynamoEntityStore(dynamodb, "no-such-table").get("sources", "x")
    assert isinstance(caught.value.__cause__, ClientError)


# --- logs -----------------------------------------------------------------------------------------


def test_logs_put_get_query_and_layout(
    log_store: DynamoLogStore, dynamodb: Any, tables: dict[str, str]
) -> None:
    log_store.put(
        "call-logs", {"statusCode": 200}, subject="source-1", expires=datetime.now(UTC) + timedelta(hours=1)
    )

    (raw,) = scan(dynamodb, tables["LogsTable"])
    log_id = raw["sk"]["S"]
    assert raw["pk"] == {"S": "call-logs"}
    assert raw["gsi1pk"] == {"S": "call-logs#source-1"}
    assert raw["gsi1sk"] == {"S": log_id}
    assert raw["subject"] == {"S": "source-1"}
    assert int(raw["expiresAt"]["N"]) > time.time()
    assert log_store.get("call-logs", log_id) == {"statusCode": 200, "id": log_id, "uuid": log_id}


def test_call_logs_through_the_service(service: EntityService, log_store: DynamoLogStore) -> None:
    log_store.put("call-logs", {"statusCode": 500, "sourceId": "s1"}, subject="s1")
    log_store.put("call-logs", {"statusCode": 200, "sourceId": "s1"}, subject="s1")

    page = service.list("call-logs", {"statusCode": "500"})
    assert [item["statusCode"] for item in page.items] == [500]
    assert service.get("call-logs", page.items[0]["id"]).item["sourceId"] == "s1"


def test_an_item_too_large_is_refused_with_its_size_before_anything_is_written(
    entity_store: DynamoEntityStore, log_store: DynamoLogStore, dynamodb: Any, tables: dict[str, str]
) -> None:
    entity_store.create("mappings", {"id": "m1", "slug": "m"})
    big = {"id": "m1", "slug": "other", "mapping": {"k": "x" * MAX_ITEM_BYTES}}

    with pytest.raises(BadRequestError) as caught:
        entity_store.replace("mappings", big)
    assert caught.value.extra["limit"] == MAX_ITEM_BYTES
    assert caught.value.extra["size"] > MAX_ITEM_BYTES
    with pytest.raises(BadRequestError):
        log_store.put("call-logs", {"response": "x" * MAX_ITEM_BYTES})

    assert entity_store.get("mappings", "m").etag == '"1"'  # the slug marker did not move either
    assert scan(dynamodb, tables["LogsTable"]) == []


def test_an_item_just_under_the_limit_is_stored(entity_store: DynamoEntityStore) -> None:
    entity_store.create("mappings", {"id": "m1", "slug": "m", "mapping": {"k": "x" * (MAX_ITEM_BYTES - 200)}})
    assert len(entity_store.get("mappings", "m1").item["mapping"]["k"]) == MAX_ITEM_BYTES - 200
