"""Secrets in Secrets Manager (moto): adapter semantics, and no secret ever lands in DynamoDB."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openconnector_core.entities.secrets import MASK
from openconnector_core.entities.service import EntityService
from openconnector_core.errors import ConflictError, ValidationError
from openconnector_core.store.dynamodb import DynamoEntityStore
from openconnector_core.store.secrets_manager import SecretsManagerStore

PREFIX = "openconnector/test-stack/"
CLEAR = [
    "hunter2-password",
    "apikey-value-123",
    "flat-client-secret",
    "nested-client-secret",
    "basic-auth-password",
    "header-api-key-value",
    "jwt-signing-secret",
    "consumer-hmac-key",
]
SOURCE = {
    "name": "Zaaksysteem",
    "location": "https://example.org",
    "password": "hunter2-password",
    "apikey": "apikey-value-123",
    "secret": "jwt-signing-secret",
    "configuration": {
        "authentication.client_secret": "flat-client-secret",
        "authentication": {
            "client_secret": "nested-client-secret",
            "client_id": "my-client",
            "tokenUrl": "https://t",
        },
        "headers.Authorization": "Bearer {{ oauthToken(source) }}",
        "headers.X-Api-Key": "header-api-key-value",
        "auth": ["user", "basic-auth-password"],
    },
}


@pytest.fixture
def secret_store(secretsmanager: Any) -> SecretsManagerStore:
    return SecretsManagerStore(secretsmanager, PREFIX)


@pytest.fixture
def entity_store(dynamodb: Any, tables: dict[str, str]) -> DynamoEntityStore:
    return DynamoEntityStore(dynamodb, tables["EntitiesTable"])


@pytest.fixture
def service(entity_store: DynamoEntityStore, secret_store: SecretsManagerStore) -> EntityService:
    return EntityService(entity_store, secret_store)


def secret_names(client: Any) -> list[str]:
    return sorted(secret["Name"] for secret in client.list_secrets()["SecretList"])


def test_put_get_overwrite_delete(secret_store: SecretsManagerStore, secretsmanager: Any) -> None:
    assert secret_store.get("sources/x") == {}

    secret_store.put("sources/x", {"/password": "one"})
    secret_store.put("sources/x", {"/password": "two"})

    assert secret_store.get("sources/x") == {"/password": "two"}
    assert secret_names(secretsmanager) == [f"{PREFIX}sources/x"]
    secret_store.delete("sources/x")
    secret_store.delete("sources/x")  # deleting what is gone is fine
    assert secret_store.get("sources/x") == {}
    secret_store.put("sources/x", {"/password": "three"})  # force-deleted, so the name is free again
    assert secret_store.get("sources/x") == {"/password": "three"}


def test_no_dynamodb_item_contains_a_secret(
    service: EntityService, dynamodb: Any, tables: dict[str, str], secretsmanager: Any
) -> None:
    source = service.create("sources", SOURCE).item
    service.create(
        "consumers",
        {
            "name": "issuer",
            "authorizationConfiguration": {"publicKey": "consumer-hmac-key", "algorithm": "HS256"},
        },
    )
    service.update("sources", source["id"], {**source, "description": "edited"})

    dump = json.dumps(dynamodb.scan(TableName=tables["EntitiesTable"])["Items"])
    assert not [value for value in CLEAR if value in dump]
    assert MASK in dump
    assert len(secret_names(secretsmanager)) == 2


def test_secrets_are_masked_revealed_and_kept_across_updates(service: EntityService) -> None:
    created = service.create("sources", SOURCE).item
    assert created["password"] == MASK
    assert created["configuration"]["headers.X-Api-Key"] == MASK
    assert created["configuration"]["headers.Authorization"] == "Bearer {{ oauthToken(source) }}"

    service.update("sources", "zaaksysteem", {**created, "password": "rotated"})

    revealed = service.reveal("sources", "zaaksysteem")
    assert revealed["password"] == "rotated"
    assert revealed["configuration"] == SOURCE["configuration"]
    assert service.get("sources", "zaaksysteem").item["password"] == MASK


def test_delete_removes_the_secret(service: EntityService, secretsmanager: Any) -> None:
    service.create("sources", SOURCE)
    service.delete("sources", "zaaksysteem")
    assert secret_names(secretsmanager) == []


def test_failed_writes_leave_no_secret_behind(service: EntityService, secretsmanager: Any) -> None:
    service.create("sources", {"name": "Zaaksysteem"})
    with pytest.raises(ConflictError):
        service.create("sources", {**SOURCE, "slug": "zaaksysteem"})  # a chosen slug that is taken
    with pytest.raises(ValidationError):
        service.create("sources", {**SOURCE, "name": "Other", "logRetention": "forever"})
    assert secret_names(secretsmanager) == []


def test_an_orphaned_version_is_swept_once_no_writer_can_still_commit_it(
    service: EntityService, secret_store: SecretsManagerStore, entity_store: DynamoEntityStore
) -> None:
    # Given a source, and a version a writer stored before it crashed (its item never named it)
    from datetime import UTC, datetime

    from openconnector_core.entities.secret_versions import ORPHAN_GRACE, SecretVersions

    source = service.create("sources", {"name": "S", "location": "https://x.example", "password": "one"}).item
    versions = SecretVersions(secret_store, entity_store)
    orphan = versions.write("sources", source["id"], {"/password": "never-acknowledged"})
    # When the source is written again now, the young orphan stays (its writer may still commit) …
    service.update("sources", source["id"], {"password": "two"})
    current = entity_store.get("sources", source["id"]).item["secretRef"]
    assert versions.names("sources", source["id"]) == [orphan, current]
    # … and a write after the grace period removes it, from Secrets Manager too
    versions.sweep("sources", source["id"], keep=current, now=datetime.now(UTC) + ORPHAN_GRACE)
    assert versions.names("sources", source["id"]) == [current]
    assert secret_store.get(orphan) == {}
    assert service.reveal("sources", source["id"])["password"] == "two"
    # Deleting the source removes every version and marker
    service.delete("sources", source["id"])
    assert secret_store.get(current) == {} and versions.names("sources", source["id"]) == []
