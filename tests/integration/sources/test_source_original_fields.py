"""Given sources as the original's UI writes them (top-level ``auth``, ``apikey``,
``authorizationHeader``, ``username``, ``password``, ``jwt``, ``secret``), when called, then those
fields authenticate the call — unless the configuration does; and an endpoint glued to a location
without a ``/`` gets a clear message instead of "Invalid port"."""

from __future__ import annotations

import base64

import pytest

API_KEY = "ui-api-key-4f1e2d"
PASSWORD = "ui-password-8c7b6a"
TOKEN = "eyJ.ui-issued.token"
SECRET = "ui-shared-secret-for-hs256-0123456789"


def _sent(peer) -> dict:
    return peer.state.requests[-1]


def test_apikey_goes_in_the_authorization_header_by_default(engine, make_source, peer) -> None:
    source = make_source(peer.url, auth="apikey", apikey=API_KEY)
    log = engine.call(source["id"], "/echo")
    assert log["statusCode"] == 200
    assert _sent(peer)["headers"]["authorization"] == API_KEY
    assert API_KEY not in str(log["request"])


def test_apikey_goes_in_the_named_header_or_query_parameter(engine, make_source, peer) -> None:
    in_header = make_source(peer.url, auth="apikey", apikey=API_KEY, authorizationHeader="X-Api-Key")
    in_query = make_source(
        peer.url,
        auth="apikey",
        apikey=API_KEY,
        authorizationHeader="key",
        authorizationPassthroughMethod="query",
    )
    engine.call(in_header["id"], "/echo")
    assert _sent(peer)["headers"]["x-api-key"] == API_KEY
    engine.call(in_query["id"], "/echo")
    assert _sent(peer)["query"]["key"] == API_KEY
    assert "authorization" not in _sent(peer)["headers"]


def test_username_password_is_basic_authentication(engine, make_source, peer) -> None:
    source = make_source(peer.url, auth="username-password", username="alice", password=PASSWORD)
    log = engine.call(source["id"], "/echo")
    expected = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    assert _sent(peer)["headers"]["authorization"] == expected
    assert PASSWORD not in str(log["request"])


def test_a_stored_jwt_is_sent_as_bearer(engine, make_source, peer) -> None:
    source = make_source(peer.url, auth="jwt", jwt=TOKEN)
    engine.call(source["id"], "/echo")
    assert _sent(peer)["headers"]["authorization"] == f"Bearer {TOKEN}"


def test_a_secret_signs_a_jwt_for_the_client(engine, make_source, peer) -> None:
    peer.state.jwt_key, peer.state.jwt_algorithms = SECRET, ["HS256"]
    source = make_source(peer.url, auth="jwt-HS256", secret=SECRET, jwtId="my-client")
    log = engine.call(source["id"], "/jwt")
    assert log["statusCode"] == 200, log
    [claims] = peer.state.jwt_claims
    assert claims["iss"] == claims["client_id"] == "my-client"


def test_the_configuration_wins_over_the_top_level_fields(engine, make_source, peer) -> None:
    configured = make_source(
        peer.url, {"headers.Authorization": "Bearer from-configuration"}, auth="apikey", apikey=API_KEY
    )
    basic = make_source(peer.url, {"auth": ["bob", "configured-pass"]}, auth="jwt", jwt=TOKEN)
    none = make_source(peer.url, auth="none", apikey=API_KEY)
    engine.call(configured["id"], "/echo")
    assert _sent(peer)["headers"]["authorization"] == "Bearer from-configuration"
    engine.call(basic["id"], "/echo")
    assert _sent(peer)["headers"]["authorization"].startswith("Basic ")
    engine.call(none["id"], "/echo")
    assert "authorization" not in _sent(peer)["headers"]


def test_an_auth_the_ui_offers_but_we_do_not_is_a_clear_call_log(engine, make_source, peer) -> None:
    source = make_source(peer.url, auth="hmac", secret=SECRET)
    log = engine.call(source["id"], "/echo")
    assert log["statusCode"] == 409
    assert "top-level auth" in log["statusMessage"] and "configuration.authentication" in log["statusMessage"]
    assert peer.state.requests == []


@pytest.mark.parametrize("endpoint", ["echo", "items?x=1"])
def test_an_endpoint_glued_to_a_location_without_a_slash_is_explained(
    engine, make_source, peer, endpoint
) -> None:
    source = make_source(peer.url)  # http://127.0.0.1:<port>, no trailing slash
    log = engine.call(source["id"], endpoint)
    assert log["statusCode"] == 400
    message = log["statusMessage"]
    assert "Invalid port" not in message
    assert f"'{endpoint}' does not start with '/'" in message and f"'/{endpoint}'" in message
    assert peer.state.requests == []


def test_a_glued_host_name_is_explained_too(engine, make_source) -> None:
    source = make_source("https://api.example.com")
    log = engine.call(source["id"], "pets")
    assert log["statusCode"] == 400 and "write the endpoint as '/pets'" in log["statusMessage"]


def test_joins_that_work_are_left_alone(engine, make_source, peer) -> None:
    with_slash = make_source(peer.url + "/")
    assert engine.call(with_slash["id"], "echo")["statusCode"] == 200
    assert engine.call(make_source(peer.url)["id"], "/echo")["statusCode"] == 200
    assert (
        engine.call(make_source(peer.url + "/ec")["id"], "ho")["statusCode"] == 200
    )  # a path, joined as upstream
