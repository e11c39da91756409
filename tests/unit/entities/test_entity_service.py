"""EntityService semantics on the in-memory adapters."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openconnector_core.entities.secrets import MASK
from openconnector_core.entities.service import EntityService
from openconnector_core.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from openconnector_core.store.memory import MemoryEntityStore, MemoryLogStore, MemorySecretStore


@pytest.fixture
def entities() -> MemoryEntityStore:
    return MemoryEntityStore()


@pytest.fixture
def secrets() -> MemorySecretStore:
    return MemorySecretStore()


@pytest.fixture
def logs() -> MemoryLogStore:
    return MemoryLogStore()


@pytest.fixture
def contracts() -> MemoryEntityStore:
    return MemoryEntityStore()


@pytest.fixture
def service(
    entities: MemoryEntityStore,
    secrets: MemorySecretStore,
    contracts: MemoryEntityStore,
    logs: MemoryLogStore,
) -> EntityService:
    return EntityService(entities, secrets, contracts=contracts, logs=logs)


def all_items(service: EntityService, resource: str, **params: str) -> list[dict]:
    items, token = [], None
    while True:
        page = service.list(resource, {**params, **({"_next": token} if token else {})})
        items += page.items
        token = page.next
        if token is None:
            return items


# --- create -------------------------------------------------------------------------------------


def test_create_fills_id_uuid_version_slug_and_timestamps(service: EntityService) -> None:
    stored = service.create("mappings", {"name": "Zaak → Publicatie", "mapping": {"a": "b"}})

    item = stored.item
    assert item["uuid"] == item["id"]
    assert item["version"] == "0.0.1"
    assert item["slug"] == "zaak-publicatie"
    assert item["created"] == item["updated"] == item["dateCreated"] == item["dateModified"]
    assert datetime.fromisoformat(item["created"]).tzinfo is not None
    assert item["mapping"] == {"a": "b"}
    assert item["cast"] == {}
    assert stored.etag == '"1"'


def test_create_keeps_a_supplied_uuid_version_and_slug(service: EntityService) -> None:
    given = "12f23206-a455-42b2-a717-15dbad24ff5e"
    item = service.create("rules", {"name": "R", "uuid": given, "version": "2.0.0", "slug": "my-rule"}).item
    assert (item["uuid"], item["version"], item["slug"]) == (given, "2.0.0", "my-rule")
    assert item["id"] != given


def test_a_client_uuid_must_be_a_uuid_no_other_entity_has(service: EntityService) -> None:
    with pytest.raises(ValidationError, match="uuid must be a UUID"):
        service.create("rules", {"name": "R", "uuid": "u-1"})
    given = "12f23206-a455-42b2-a717-15dbad24ff5e"
    service.create("rules", {"name": "R", "uuid": given})
    with pytest.raises(ConflictError, match="already exists"):
        service.create("rules", {"name": "R2", "uuid": given.upper()})


def test_create_ignores_read_only_and_underscore_fields(service: EntityService) -> None:
    item = service.create(
        "sources",
        {
            "name": "S",
            "id": "mine",
            "created": "1999-01-01",
            "updated": "x",
            "_method": "x",
            "@type": "source",
        },
    ).item
    assert item["id"] != "mine"
    assert item["created"].startswith(str(datetime.now(UTC).year))


def test_unknown_and_invalid_fields_are_named_and_nothing_is_written(
    service: EntityService, entities: MemoryEntityStore
) -> None:
    with pytest.raises(ValidationError) as caught:
        service.create("endpoints", {"name": "E", "passTrough": True, "method": "FETCH", "rules": "no"})

    error = caught.value
    assert error.status == 400
    assert set(error.extra["fields"]) == {"passTrough", "method", "rules"}
    assert "passTrough" in str(error)
    assert "GET, POST" in str(error)
    assert entities.count("endpoints") == 0


def test_a_body_that_is_not_an_object_is_rejected(service: EntityService) -> None:
    with pytest.raises(ValidationError):
        service.create("sources", ["not", "an", "object"])  # type: ignore[arg-type]


def test_a_taken_derived_slug_gets_a_suffix_but_a_taken_chosen_slug_is_a_conflict(
    service: EntityService, entities: MemoryEntityStore
) -> None:
    service.create("sources", {"name": "Same Name"})
    assert service.create("sources", {"name": "Same  name!"}).item["slug"] == "same-name-2"

    with pytest.raises(ConflictError, match="same-name"):
        service.create("sources", {"name": "Other", "slug": "same-name"})
    assert entities.count("sources") == 2


def test_the_same_slug_in_two_resources_is_fine(service: EntityService) -> None:
    service.create("sources", {"name": "X"})
    service.create("mappings", {"name": "X"})


def test_an_invalid_slug_is_rejected(service: EntityService) -> None:
    with pytest.raises(ValidationError, match="slug"):
        service.create("sources", {"name": "X", "slug": "a/b"})


def test_endpoint_array_and_regex_are_derived(service: EntityService) -> None:
    item = service.create(
        "endpoints", {"name": "E", "endpoint": "api/buildings/{{id}}", "method": "get"}
    ).item
    assert item["endpointArray"] == ["api", "buildings", "{{id}}"]
    assert item["endpointRegex"] == r"^api/buildings(?:/([^/]+))?\Z"
    assert item["method"] == "get"  # stored as written: the original compares case-sensitively

    updated = service.update("endpoints", item["id"], {"endpoint": "api/rooms"}).item
    assert updated["endpointRegex"] == r"^api/rooms\Z"
    assert updated["endpointArray"] == ["api", "rooms"]


def test_a_supplied_endpoint_regex_is_replaced_by_the_derived_one(service: EntityService) -> None:
    """An import carries upstream's ``#^…$#`` (which skips consecutive placeholders): never stored."""
    item = service.create(
        "endpoints", {"name": "E", "endpoint": "a/{{x}}/{{y}}/b", "endpointRegex": "#^a/([^/]+)/{{y}}/b$#"}
    ).item
    assert item["endpointRegex"] == r"^a/([^/]+)/([^/]+)/b\Z"


# --- get ------------------------------------------------------------------------------------------


def test_get_by_id_uuid_or_slug(service: EntityService) -> None:
    legacy = "55512662-e2c2-459c-96f4-764bffaeedbb"
    created = service.create("synchronizations", {"name": "Sync One", "uuid": legacy}).item

    for key in (created["id"], legacy, "sync-one"):
        assert service.get("synchronizations", key).item == created


def test_get_unknown_is_not_found(service: EntityService) -> None:
    with pytest.raises(NotFoundError):
        service.get("sources", "nope")
    with pytest.raises(NotFoundError):
        service.get("widgets", "nope")


# --- list -----------------------------------------------------------------------------------------


def test_list_search_and_filters(service: EntityService) -> None:
    service.create("sources", {"name": "Alpha API", "type": "json"})
    service.create("sources", {"name": "Beta", "description": "the ALPHA backup", "type": "xml"})
    service.create("sources", {"name": "Gamma", "type": "json", "isEnabled": False})

    assert [i["name"] for i in all_items(service, "sources", _search="alpha")] == ["Alpha API", "Beta"]
    assert [i["name"] for i in all_items(service, "sources", type="json")] == ["Alpha API", "Gamma"]
    assert [i["name"] for i in all_items(service, "sources", isEnabled="false")] == ["Gamma"]
    assert [i["name"] for i in all_items(service, "sources", type="json", _search="gam")] == ["Gamma"]
    assert [i["name"] for i in all_items(service, "sources", location="IS NULL")] == [
        "Alpha API",
        "Beta",
        "Gamma",
    ]


def test_list_rejects_unknown_filter_fields(service: EntityService) -> None:
    with pytest.raises(ValidationError) as caught:
        service.list("sources", {"colour": "red"})
    assert caught.value.extra["fields"] == ["colour"]


@pytest.mark.parametrize("limit", ["0", "-1", "many"])
def test_list_rejects_a_bad_limit(service: EntityService, limit: str) -> None:
    with pytest.raises(ValidationError, match="_limit"):
        service.list("sources", {"_limit": limit})


def test_list_caps_the_limit_at_500(service: EntityService) -> None:
    for index in range(3):
        service.create("rules", {"name": f"r{index}"})
    assert len(service.list("rules", {"_limit": "100000"}).items) == 3


def test_a_garbled_next_token_is_a_bad_request(service: EntityService) -> None:
    with pytest.raises(BadRequestError):
        service.list("sources", {"_next": "!!garbage!!"})


def test_a_thousand_entities_page_by_page_none_missing_none_twice(service: EntityService) -> None:
    created = [service.create("mappings", {"name": f"m{index}"}).item["id"] for index in range(1000)]

    pages, token, seen = 0, None, []
    while True:
        page = service.list("mappings", {"_limit": "37", **({"_next": token} if token else {})})
        assert len(page.items) <= 37
        seen += [item["id"] for item in page.items]
        pages += 1
        token = page.next
        if token is None:
            break

    assert seen == created  # creation order, each exactly once
    assert pages == 28


def test_paging_survives_deletes_between_pages(service: EntityService) -> None:
    ids = [service.create("rules", {"name": f"r{index}"}).item["id"] for index in range(10)]
    first = service.list("rules", {"_limit": "3"})
    service.delete("rules", ids[2])
    rest = all_items(service, "rules", _next=first.next or "")
    assert [i["id"] for i in first.items] + [i["id"] for i in rest] == ids


# --- update ---------------------------------------------------------------------------------------


def test_update_is_partial_bumps_the_version_and_touches_updated(service: EntityService) -> None:
    created = service.create(
        "jobs", {"name": "Job", "description": "d", "interval": 60, "created": "ignored"}
    ).item

    stored = service.update("jobs", created["id"], {"interval": 120})

    item = stored.item
    assert item["interval"] == 120
    assert item["description"] == "d"
    assert item["version"] == "0.0.2"
    assert item["created"] == created["created"]
    assert item["updated"] >= created["updated"]
    assert stored.etag == '"2"'
    assert service.update("jobs", "job", {"version": "1.0.0"}).item["version"] == "1.0.0"
    assert service.update("jobs", "job", {"version": ""}).item["version"] == "1.0.1"


def test_update_keeps_id_uuid_and_slug(service: EntityService) -> None:
    created = service.create("rules", {"name": "Rule"}).item
    item = service.update("rules", "rule", {"id": "other", "uuid": "other", "name": "Renamed"}).item
    assert (item["id"], item["uuid"], item["slug"]) == (created["id"], created["uuid"], "rule")


def test_update_with_empty_slug_derives_it_again(service: EntityService) -> None:
    service.create("rules", {"name": "Rule"})
    service.update("rules", "rule", {"name": "New Name"})
    item = service.update("rules", "rule", {"slug": ""}).item
    assert item["slug"] == "new-name"
    assert service.get("rules", "new-name").item["id"] == item["id"]
    with pytest.raises(NotFoundError):
        service.get("rules", "rule")


def test_update_to_a_taken_slug_is_a_conflict(service: EntityService) -> None:
    service.create("rules", {"name": "One"})
    service.create("rules", {"name": "Two"})
    with pytest.raises(ConflictError):
        service.update("rules", "two", {"slug": "one"})
    assert service.get("rules", "two").item["version"] == "0.0.1"


def test_update_with_a_stale_if_match_is_refused(service: EntityService) -> None:
    created = service.create("mappings", {"name": "M"})
    service.update("mappings", "m", {"description": "first"}, if_match=created.etag)

    with pytest.raises(PreconditionFailedError):
        service.update("mappings", "m", {"description": "second"}, if_match=created.etag)
    assert service.get("mappings", "m").item["description"] == "first"


def test_if_match_accepts_weak_and_unquoted_forms(service: EntityService) -> None:
    service.create("mappings", {"name": "M"})
    service.update("mappings", "m", {"description": "a"}, if_match='W/"1"')
    service.update("mappings", "m", {"description": "b"}, if_match="2")
    service.update("mappings", "m", {"description": "c"}, if_match="*")


def test_an_invalid_update_changes_nothing(service: EntityService) -> None:
    created = service.create("sources", {"name": "S", "password": "pw"})
    with pytest.raises(ValidationError):
        service.update("sources", "s", {"password": "new", "logRetention": "forever"})
    after = service.get("sources", "s")
    assert after == created
    assert service.reveal("sources", "s")["password"] == "pw"


def test_update_unknown_is_not_found(service: EntityService) -> None:
    with pytest.raises(NotFoundError):
        service.update("sources", "nope", {"name": "x"})


# --- delete ---------------------------------------------------------------------------------------


def test_delete_removes_the_entity_and_its_slug(service: EntityService) -> None:
    service.create("consumers", {"name": "Client"})
    service.delete("consumers", "client")
    with pytest.raises(NotFoundError):
        service.get("consumers", "client")
    with pytest.raises(NotFoundError):
        service.delete("consumers", "client")
    service.create("consumers", {"name": "Client"})  # the slug is free again


def test_delete_with_a_stale_if_match_is_refused(service: EntityService) -> None:
    created = service.create("consumers", {"name": "Client"})
    service.update("consumers", "client", {"description": "x"})
    with pytest.raises(PreconditionFailedError):
        service.delete("consumers", "client", if_match=created.etag)
    service.delete("consumers", "client", if_match='"2"')


# --- secrets --------------------------------------------------------------------------------------

SOURCE = {
    "name": "Zaaksysteem",
    "location": "https://example.org",
    "password": "hunter2-password",
    "apikey": "apikey-value-123",
    "configuration": {
        "authentication.client_secret": "flat-client-secret",
        "authentication": {"client_secret": "nested-client-secret", "client_id": "my-client"},
        "headers.Authorization": "Bearer {{ oauthToken(source) }}",
    },
}
CLEAR = ["hunter2-password", "apikey-value-123", "flat-client-secret", "nested-client-secret"]


def test_secrets_are_masked_on_read_and_kept_in_the_secret_store(
    service: EntityService, entities: MemoryEntityStore, secrets: MemorySecretStore
) -> None:
    created = service.create("sources", SOURCE).item

    for item in (created, service.get("sources", created["id"]).item, *service.list("sources", {}).items):
        assert item["password"] == MASK
        assert item["configuration"]["authentication"] == {"client_secret": MASK, "client_id": "my-client"}
        assert item["configuration"]["headers.Authorization"] == "Bearer {{ oauthToken(source) }}"
        assert "secretRef" not in item
    raw = json.dumps(entities.get("sources", created["id"]).item)
    assert not any(value in raw for value in CLEAR)
    [version] = secrets.names()
    assert version.startswith(f"sources/{created['id']}/")

    revealed = service.reveal("sources", "zaaksysteem")
    assert revealed["password"] == "hunter2-password"
    assert revealed["configuration"]["authentication.client_secret"] == "flat-client-secret"
    assert revealed["configuration"]["authentication"]["client_secret"] == "nested-client-secret"
    assert "secretRef" not in revealed


def test_sending_the_mask_back_keeps_the_secret(service: EntityService) -> None:
    created = service.create("sources", SOURCE).item

    service.update("sources", created["id"], {**created, "apikey": "rotated-key", "name": "Renamed"})

    revealed = service.reveal("sources", created["id"])
    assert revealed["apikey"] == "rotated-key"
    assert revealed["password"] == "hunter2-password"
    assert revealed["configuration"]["authentication"]["client_secret"] == "nested-client-secret"
    assert revealed["name"] == "Renamed"


def test_clearing_all_secrets_deletes_the_secret(service: EntityService, secrets: MemorySecretStore) -> None:
    service.create("sources", {"name": "S", "password": "pw"})
    service.update("sources", "s", {"password": None})
    assert secrets.names() == []
    assert service.reveal("sources", "s")["password"] is None


def test_deleting_the_entity_deletes_its_secret(service: EntityService, secrets: MemorySecretStore) -> None:
    service.create("sources", SOURCE)
    service.delete("sources", "zaaksysteem")
    assert secrets.names() == []


def test_a_failed_create_leaves_no_secret(service: EntityService, secrets: MemorySecretStore) -> None:
    service.create("sources", {"name": "S"})
    with pytest.raises(ConflictError):
        service.create("sources", {"name": "S", "slug": "s", "password": "pw"})
    assert secrets.names() == []


def test_consumer_secrets_are_masked(service: EntityService) -> None:
    created = service.create(
        "consumers",
        {"name": "issuer", "authorizationConfiguration": {"publicKey": "shared-hmac", "algorithm": "HS256"}},
    ).item
    assert created["authorizationConfiguration"] == {"publicKey": MASK, "algorithm": "HS256"}
    assert service.reveal("consumers", "issuer")["authorizationConfiguration"]["publicKey"] == "shared-hmac"


# --- record_state, counts, read-only resources ---------------------------------------------------


def test_record_state_changes_no_version_and_no_updated(service: EntityService) -> None:
    created = service.create("sources", SOURCE).item

    item = service.record_state(
        "sources", "zaaksysteem", {"rateLimitRemaining": 10, "lastCall": datetime(2025, 1, 1, tzinfo=UTC)}
    )

    assert item["rateLimitRemaining"] == 10
    assert item["lastCall"] == "2025-01-01T00:00:00+00:00"
    assert (item["version"], item["updated"]) == (created["version"], created["updated"])
    assert service.reveal("sources", "zaaksysteem")["password"] == "hunter2-password"


@pytest.mark.parametrize("fields", [{"slug": "x"}, {"password": "x"}, {"id": "x"}, {"colour": "red"}])
def test_record_state_refuses_identity_secret_and_unknown_fields(
    service: EntityService, fields: dict
) -> None:
    service.create("sources", {"name": "S"})
    with pytest.raises(ValidationError):
        service.record_state("sources", "s", fields)


def test_counts(service: EntityService, contracts: MemoryEntityStore) -> None:
    service.create("sources", {"name": "a"})
    service.create("sources", {"name": "b"})
    service.create("mappings", {"name": "a"})
    contracts.create("synchronization-contracts", {"id": "c1", "originId": "o"})

    counts = service.counts()

    assert counts["sources"] == 2
    assert counts["mappings"] == 1
    assert counts["synchronizationContracts"] == 1
    assert counts["eventSubscriptions"] == 0


@pytest.mark.parametrize(
    "resource", ["call-logs", "synchronization-logs", "job-logs", "synchronization-contracts"]
)
def test_read_only_resources_refuse_writes(service: EntityService, resource: str) -> None:
    with pytest.raises(BadRequestError, match="read-only"):
        service.create(resource, {})
    with pytest.raises(BadRequestError, match="read-only"):
        service.update(resource, "x", {})
    with pytest.raises(BadRequestError, match="read-only"):
        service.delete(resource, "x")


def test_logs_are_listed_and_read_through_the_log_store(service: EntityService, logs: MemoryLogStore) -> None:
    now = datetime.now(UTC)
    logs.put("call-logs", {"id": "01900000-0000-7000-8000-000000000001", "statusCode": 200, "sourceId": "s1"})
    logs.put("call-logs", {"id": "01900000-0000-7000-8000-000000000002", "statusCode": 500, "sourceId": "s1"})
    logs.put(
        "call-logs",
        {"id": "01900000-0000-7000-8000-000000000003", "statusCode": 500},
        expires=now - timedelta(seconds=1),
    )

    listed = service.list("call-logs", {"statusCode": "500"})
    assert [item["id"] for item in listed.items] == ["01900000-0000-7000-8000-000000000002"]
    assert service.get("call-logs", "01900000-0000-7000-8000-000000000001").item["statusCode"] == 200
    with pytest.raises(NotFoundError):
        service.get("call-logs", "01900000-0000-7000-8000-000000000003")
    with pytest.raises(ValidationError):
        service.list("call-logs", {"colour": "red"})


def test_contracts_are_listed_from_the_contract_store(
    service: EntityService, contracts: MemoryEntityStore
) -> None:
    contracts.create("synchronization-contracts", {"id": "c1", "synchronizationId": "s1", "originId": "o1"})
    contracts.create("synchronization-contracts", {"id": "c2", "synchronizationId": "s2", "originId": "o2"})

    assert [
        i["id"] for i in service.list("synchronization-contracts", {"synchronizationId": "s2"}).items
    ] == ["c2"]
    assert service.get("synchronization-contracts", "c1").item["originId"] == "o1"


class RacingStore(MemoryEntityStore):
    """Another writer changes the entity between our read and our write, once."""

    def __init__(self) -> None:
        super().__init__()
        self.races = 0

    def replace(self, resource: str, item: dict, if_match: str | None = None):  # type: ignore[no-untyped-def]
        if self.races:
            self.races -= 1
            current = self.get(resource, item["id"]).item
            super().replace(resource, {**current, "description": "by the other writer"})
        return super().replace(resource, item, if_match)


def test_without_if_match_a_concurrent_change_is_retried_not_lost() -> None:
    store = RacingStore()
    service = EntityService(store, MemorySecretStore())
    service.create("rules", {"name": "R"})
    store.races = 1

    item = service.update("rules", "r", {"order": 5}).item

    assert item["order"] == 5
    assert item["description"] == "by the other writer"
    assert item["version"] == "0.0.2"  # the other writer went round the service


def test_with_if_match_a_concurrent_change_is_a_precondition_failure() -> None:
    store = RacingStore()
    service = EntityService(store, MemorySecretStore())
    service.create("rules", {"name": "R"})
    store.races = 1

    with pytest.raises(PreconditionFailedError):
        service.update("rules", "r", {"order": 5}, if_match='"1"')


def test_each_secret_version_is_read_once_per_container_and_changes_are_seen_at_once(
    service: EntityService,
    entities: MemoryEntityStore,
    secrets: MemorySecretStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a source with a password, a second container over the same stores, and a read counter
    created = service.create("sources", {"name": "s", "location": "https://x.example", "password": "p1"})
    other = EntityService(entities, secrets)
    reads: list[str] = []
    original_get = secrets.get

    def counting_get(name: str) -> dict[str, Any]:
        reads.append(name)
        return original_get(name)

    monkeypatch.setattr(secrets, "get", counting_get)

    # When the other container reveals it many times, the first changes it, and the other reveals again
    for _ in range(20):
        assert other.reveal("sources", created.item["id"])["password"] == "p1"
    assert service.reveal("sources", "s")["password"] == "p1"
    service.update("sources", "s", {"password": "p2"})
    assert service.reveal("sources", "s")["password"] == "p2"
    assert other.reveal("sources", "s")["password"] == "p2"

    # Then the other container read each version once; the writer never had to read what it wrote
    assert len(reads) == 2 and reads[0] != reads[1]
