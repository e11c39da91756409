from __future__ import annotations

import pytest

from openconnector_core.entities.registry import CONSUMER_SECRETS, SOURCE_SECRETS
from openconnector_core.entities.secrets import MASK, extract, looks_secret, reveal
from openconnector_core.errors import ValidationError


@pytest.mark.parametrize(
    "path",
    [
        "password",
        "authentication.client_secret",
        "headers.API-KEY",
        "headers.X-Api-Key",
        "api_key",
        "authentication.private_key",
        "access_token",
        "headers.Authorization",
        "cert",
        "ssl_key",
        "auth.1",
        "publicKey",
        "secret",
    ],
)
def test_secret_looking_keys(path: str) -> None:
    assert looks_secret(path.split("."))


@pytest.mark.parametrize(
    "path",
    [
        "authentication.tokenUrl",
        "authentication.tokenLocation",
        "authentication.client_id",
        "authentication.x5t",
        "authentication.authentication",
        "headers.Accept",
        "auth.0",
        "timeout",
        "headers.API-Interface-ID",
    ],
)
def test_ordinary_keys(path: str) -> None:
    assert not looks_secret(path.split("."))


def source_item() -> dict:
    return {
        "id": "s1",
        "name": "n",
        "password": "pw",
        "apikey": "the-api-key",
        "auth": "none",
        "authorizationHeader": "Authorization",
        "jwt": "",
        "secret": None,
        "configuration": {
            "authentication.client_secret": "flat-secret",
            "authentication": {"client_secret": "nested-secret", "client_id": "cid", "tokenUrl": "https://t"},
            "headers.Authorization": "Bearer {{ oauthToken(source) }}",
            "headers.API-KEY": "abc",
            "auth": ["user", "basic-pw"],
            "timeout": 30,
        },
        "authenticationConfig": {"password": "ui-pw"},
    }


def test_extract_masks_every_secret_and_keeps_templates_and_harmless_values() -> None:
    masked, found = extract(source_item(), SOURCE_SECRETS)

    assert masked["password"] == masked["apikey"] == MASK
    assert masked["auth"] == "none"
    assert masked["authorizationHeader"] == "Authorization"
    assert masked["jwt"] == ""
    config = masked["configuration"]
    assert config["authentication.client_secret"] == MASK
    assert config["authentication"] == {"client_secret": MASK, "client_id": "cid", "tokenUrl": "https://t"}
    assert config["headers.Authorization"] == "Bearer {{ oauthToken(source) }}"
    assert config["headers.API-KEY"] == MASK
    assert config["auth"] == ["user", MASK]
    assert masked["authenticationConfig"] == {"password": MASK}
    assert found == {
        "/password": "pw",
        "/apikey": "the-api-key",
        "/configuration/authentication.client_secret": "flat-secret",
        "/configuration/authentication/client_secret": "nested-secret",
        "/configuration/headers.API-KEY": "abc",
        "/configuration/auth/1": "basic-pw",
        "/authenticationConfig/password": "ui-pw",
    }
    for value in found.values():
        assert value not in repr(masked)


def test_reveal_restores_the_clear_item() -> None:
    item = source_item()
    masked, found = extract(item, SOURCE_SECRETS)

    assert reveal(masked, found) == item


def test_a_mask_sent_back_keeps_the_stored_secret() -> None:
    masked, found = extract(source_item(), SOURCE_SECRETS)
    masked["apikey"] = "new-key"

    again, found_again = extract(masked, SOURCE_SECRETS, previous=found)

    assert found_again == {**found, "/apikey": "new-key"}
    assert again["apikey"] == MASK


def test_a_mask_without_a_stored_secret_is_rejected() -> None:
    with pytest.raises(ValidationError, match="password"):
        extract({"password": MASK}, SOURCE_SECRETS, previous={})


def test_an_unusual_auth_value_is_treated_as_a_secret() -> None:
    masked, found = extract({"auth": "user:pass", "authorizationHeader": "Bearer abc"}, SOURCE_SECRETS)
    assert masked == {"auth": MASK, "authorizationHeader": MASK}
    assert found == {"/auth": "user:pass", "/authorizationHeader": "Bearer abc"}


def test_consumer_secrets() -> None:
    item = {
        "authorizationConfiguration": {
            "publicKey": "hmac-shared",
            "algorithm": "HS256",
            "keys": {"api_key": "k"},
        }
    }
    masked, found = extract(item, CONSUMER_SECRETS)
    assert masked["authorizationConfiguration"] == {
        "publicKey": MASK,
        "algorithm": "HS256",
        "keys": {"api_key": MASK},
    }
    assert set(found) == {"/authorizationConfiguration/publicKey", "/authorizationConfiguration/keys/api_key"}


def test_keys_with_slashes_and_tildes_round_trip() -> None:
    item = {"configuration": {"a/b~c": {"password": "x"}}}
    masked, found = extract(item, SOURCE_SECRETS)
    assert found == {"/configuration/a~1b~0c/password": "x"}
    assert reveal(masked, found) == item
