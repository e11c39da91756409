"""One secret classifier decides what is stored as a secret and masked, for every entity type
(issue 8: values that stayed in clear before are each a case here)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openconnector_core.entities.secrets import MASK, is_secret_name
from openconnector_core.entities.service import EntityService
from openconnector_core.sources.redaction import is_secret_name as redaction_classifier
from openconnector_core.store.memory import MemoryEntityStore, MemorySecretStore

CLEAR = "clear-secret-value-4242"


@pytest.fixture
def service() -> EntityService:
    return EntityService(MemoryEntityStore(), MemorySecretStore())


@pytest.mark.parametrize(
    ("resource", "body", "path"),
    [
        (
            "sources",
            {"configuration": {"headers": {"X-Api-Key": [CLEAR, "second-key-0001"]}}},
            ("configuration", "headers", "X-Api-Key", 0),
        ),
        (
            "sources",
            {"configuration": {"headers.Cookie": f"session={CLEAR}"}},
            ("configuration", "headers.Cookie"),
        ),
        ("sources", {"configuration": {"pwd": CLEAR}}, ("configuration", "pwd")),
        ("sources", {"configuration": {"pass": CLEAR}}, ("configuration", "pass")),
        (
            "sources",
            {"configuration": {"credentials": {"user": "me", "secret": CLEAR}}},
            ("configuration", "credentials", "user"),
        ),
        (
            "sources",
            {"authenticationConfig": {"users": [{"name": "a", "password": CLEAR}]}},
            ("authenticationConfig", "users", 0, "password"),
        ),
        (
            "sources",
            {"configuration": {"headers.Ocp-Apim-Subscription-Key": CLEAR}},
            ("configuration", "headers.Ocp-Apim-Subscription-Key"),
        ),
        (
            "rules",
            {"type": "authentication", "configuration": {"authentication": {"secret": CLEAR}}},
            ("configuration", "authentication", "secret"),
        ),
        ("jobs", {"arguments": {"apiKey": CLEAR}}, ("arguments", "apiKey")),
        (
            "synchronizations",
            {"sourceConfig": {"headers.Authorization": f"Bearer {CLEAR}"}},
            ("sourceConfig", "headers.Authorization"),
        ),
        ("synchronizations", {"targetConfig": {"auth": ["user", CLEAR]}}, ("targetConfig", "auth", 1)),
        (
            "consumers",
            {"authorizationConfiguration": {"keys": [CLEAR]}},
            ("authorizationConfiguration", "keys", 0),
        ),
        (
            "consumers",
            {"authorizationConfiguration": {"credentials": [{"user": "a", "password": CLEAR}]}},
            ("authorizationConfiguration", "credentials", 0, "password"),
        ),
    ],
)
def test_secrets_of_every_entity_type_are_stored_apart_and_masked(
    service: EntityService, resource: str, body: dict[str, Any], path: tuple[Any, ...]
) -> None:
    created = service.create(resource, {"name": f"Secretive {resource}", **body}).item
    shown = service.get(resource, created["id"]).item
    assert CLEAR not in json.dumps(created) and CLEAR not in json.dumps(shown)
    masked: Any = shown
    for part in path:
        masked = masked[part]
    assert masked == MASK
    assert CLEAR in json.dumps(service.reveal(resource, created["id"]))


def test_a_url_password_is_masked_in_place_and_kept_when_the_mask_comes_back(service: EntityService) -> None:
    created = service.create(
        "sources", {"name": "U", "location": f"https://user:{CLEAR}@api.example/v1"}
    ).item
    assert created["location"] == f"https://user:{MASK}@api.example/v1"
    # The client sends the masked URL back with another path: the password is kept
    service.update("sources", created["id"], {"location": f"https://user:{MASK}@api.example/v2"})
    assert service.reveal("sources", created["id"])["location"] == f"https://user:{CLEAR}@api.example/v2"
    assert service.get("sources", created["id"]).item["location"] == f"https://user:{MASK}@api.example/v2"
    # A URL without a password is no secret
    service.update("sources", created["id"], {"location": "https://api.example/v3"})
    assert service.get("sources", created["id"]).item["location"] == "https://api.example/v3"


def test_one_classifier_for_storage_and_for_logs() -> None:
    names = [
        "pwd",
        "Cookie",
        "Set-Cookie",
        "X-Api-Key",
        "publicKey",
        "credentials",
        "tokenUrl",
        "monkey",
        "client_id",
    ]
    assert [is_secret_name(name) for name in names] == [redaction_classifier(name) for name in names]
    assert [is_secret_name(name) for name in names] == [
        True,
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
