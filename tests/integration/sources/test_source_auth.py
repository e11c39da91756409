"""Given sources with credentials, when called, then the schemes obtain, cache and refresh tokens."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def _oauth(peer, **extra) -> dict:
    return {
        "authentication.type": "oauth2",
        "authentication.grant_type": "client_credentials",
        "authentication.tokenUrl": f"{peer.url}/token",
        "authentication.client_id": peer.state.client_id,
        "authentication.client_secret": peer.state.client_secret,
        "authentication.scope": "api",
        "authentication.authentication": "body",
        **extra,
    }


def test_client_credentials_token_is_fetched_once_and_cached(engine, make_source, peer) -> None:
    source = make_source(peer.url, _oauth(peer))
    assert engine.call(source["id"], "/protected")["statusCode"] == 200
    assert engine.call(source["id"], "/protected")["statusCode"] == 200
    assert len(peer.state.token_requests) == 1
    assert peer.state.token_requests[0]["form"]["client_secret"] == peer.state.client_secret


def test_client_credentials_with_basic_auth(engine, make_source, peer) -> None:
    source = make_source(peer.url, _oauth(peer, **{"authentication.authentication": "basic_auth"}))
    assert engine.call(source["id"], "/protected")["statusCode"] == 200
    request = peer.state.token_requests[0]
    assert request["basic"] is True and "client_secret" not in request["form"]


def test_password_grant(engine, make_source, peer) -> None:
    config = _oauth(
        peer,
        **{
            "authentication.grant_type": "password",
            "authentication.username": peer.state.username,
            "authentication.password": peer.state.password,
        },
    )
    assert engine.call(make_source(peer.url, config)["id"], "/protected")["statusCode"] == 200
    assert peer.state.token_requests[0]["form"]["grant_type"] == "password"


def test_expired_token_is_refreshed(engine, make_source, peer) -> None:
    peer.state.token_lifetime = 1  # cached for less than a second (expiry margin)
    source = make_source(peer.url, _oauth(peer))
    engine.call(source["id"], "/protected")
    engine.tokens._clock = lambda: 1e12  # the future: every cached token has expired
    engine.call(source["id"], "/protected")
    assert len(peer.state.issued) == 2


def test_revoked_token_gets_one_retry_with_a_fresh_token(engine, make_source, peer) -> None:
    source = make_source(peer.url, _oauth(peer))
    engine.call(source["id"], "/protected")
    peer.state.tokens.clear()  # revocation

    call_log = engine.call(source["id"], "/protected")

    assert call_log["statusCode"] == 200
    assert len(peer.state.issued) == 2
    assert [r["path"] for r in peer.state.requests].count("/protected") == 3


def test_persistent_401_is_retried_only_once(engine, make_source, peer) -> None:
    source = make_source(peer.url, _oauth(peer))
    call_log = engine.call(source["id"], "/echo-unauthorized-does-not-exist")
    assert call_log["statusCode"] == 404
    peer.state.requests.clear()
    # a protected endpoint that never accepts: revoke after every issue
    original = peer.state.tokens
    peer.state.tokens = type("Never", (set,), {"__contains__": lambda self, item: False})()
    call_log = engine.call(source["id"], "/protected")
    peer.state.tokens = original
    assert call_log["statusCode"] == 401
    assert [r["path"] for r in peer.state.requests].count("/protected") == 2


def test_original_template_style_oauth_token(engine, make_source, peer) -> None:
    config = _oauth(peer)
    del config["authentication.type"]
    config["headers.Authorization"] = "Bearer {{ oauthToken(source) }}"
    assert engine.call(make_source(peer.url, config)["id"], "/protected")["statusCode"] == 200


def test_token_endpoint_refusal_is_a_result(engine, make_source, peer) -> None:
    config = _oauth(peer, **{"authentication.client_secret": "wrong-secret-value"})
    call_log = engine.call(make_source(peer.url, config)["id"], "/protected")
    assert call_log["statusCode"] == 502
    assert "token endpoint answered 401" in call_log["statusMessage"]


def test_missing_oauth_settings_name_the_keys(engine, make_source, peer) -> None:
    config = {
        "authentication.type": "oauth2",
        "authentication.grant_type": "client_credentials",
        "authentication.tokenUrl": f"{peer.url}/token",
    }
    call_log = engine.call(make_source(peer.url, config)["id"], "/protected")
    assert call_log["statusCode"] == 409
    assert "client_id" in call_log["statusMessage"]


def test_unknown_scheme_lists_the_valid_ones(engine, make_source, peer) -> None:
    call_log = engine.call(make_source(peer.url, {"authentication.type": "kerberos"})["id"], "/items")
    assert call_log["statusCode"] == 409
    assert "oauth2" in call_log["statusMessage"] and "api-key" in call_log["statusMessage"]


def _rsa_pem() -> tuple[bytes, object]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, key.public_key()


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_signed_jwt_hmac(engine, make_source, peer, algorithm) -> None:
    secret = "hmac-signing-secret-0123456789abcdef" * 2
    peer.state.jwt_key, peer.state.jwt_algorithms = secret, [algorithm]
    config = {
        "authentication.type": "jwt",
        "authentication.algorithm": algorithm,
        "authentication.secret": secret,
        "authentication.payload": '{"iss": "{{ client_id }}", "sub": "me@example.org"}',
        "authentication.client_id": "my-client",
    }
    call_log = engine.call(make_source(peer.url, config)["id"], "/jwt")
    assert call_log["statusCode"] == 200, call_log
    claims = peer.state.jwt_claims[0]
    assert claims["iss"] == "my-client" and claims["exp"] > claims["iat"]


@pytest.mark.parametrize("algorithm", ["RS256", "RS512", "PS256", "PS384"])
def test_signed_jwt_rsa_with_base64_pem(engine, make_source, peer, algorithm) -> None:
    pem, public = _rsa_pem()
    peer.state.jwt_key, peer.state.jwt_algorithms = public, [algorithm]
    config = {
        "authentication.type": "jwt",
        "authentication.algorithm": algorithm,
        "authentication.secret": base64.b64encode(pem).decode(),
        "authentication.payload": '{"sub": "x"}',
    }
    assert engine.call(make_source(peer.url, config)["id"], "/jwt")["statusCode"] == 200


@pytest.mark.parametrize(("algorithm", "curve"), [("ES256", ec.SECP256R1()), ("ES384", ec.SECP384R1())])
def test_signed_jwt_ecdsa(engine, make_source, peer, algorithm, curve) -> None:
    key = ec.generate_private_key(curve)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    peer.state.jwt_key, peer.state.jwt_algorithms = key.public_key(), [algorithm]
    config = {
        "authentication.type": "jwt",
        "authentication.algorithm": algorithm,
        "authentication.secret": pem.decode(),
        "authentication.payload": '{"sub": "x"}',
    }
    assert engine.call(make_source(peer.url, config)["id"], "/jwt")["statusCode"] == 200


def test_original_template_style_jwt(engine, make_source, peer) -> None:
    secret = "template-hmac-secret-abcdef012345"
    peer.state.jwt_key, peer.state.jwt_algorithms = secret, ["HS256"]
    config = {
        "headers.Authorization": "Bearer {{ jwtToken(source) }}",
        "authentication.algorithm": "HS256",
        "authentication.secret": secret,
        "authentication.payload": '{"sub": "legacy"}',
    }
    call_log = engine.call(make_source(peer.url, config)["id"], "/jwt")
    assert call_log["statusCode"] == 200, call_log
    assert call_log["response"]["data"]["sub"] == "legacy"


def test_azure_client_assertion(engine, make_source, peer) -> None:
    pem, public = _rsa_pem()
    peer.state.jwt_key, peer.state.jwt_algorithms = public, ["PS256"]
    config = {
        "authentication.type": "azure-ad",
        "authentication.tokenUrl": f"{peer.url}/token",
        "authentication.client_id": "app-id",
        "authentication.scope": "api://x/.default",
        "authentication.private_key": base64.b64encode(pem).decode(),
        "authentication.x5t": "thumb",
    }
    call_log = engine.call(make_source(peer.url, config)["id"], "/protected")
    assert call_log["statusCode"] == 200, call_log
    form = peer.state.token_requests[0]["form"]
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    import jwt

    header = jwt.get_unverified_header(form["client_assertion"])
    assert header["alg"] == "PS256" and header["x5t"] == "thumb"
    assert hashes  # (imported for key generation helpers)


def test_api_key_header_and_query_and_bearer_and_basic(engine, make_source, peer) -> None:
    key = "api-key-value-0123456789"
    header = make_source(
        peer.url,
        {"authentication.type": "api-key", "authentication.key": key, "authentication.name": "X-Custom-Key"},
    )
    query = make_source(
        peer.url, {"authentication.type": "apikey", "authentication.key": key, "authentication.in": "query"}
    )
    bearer = make_source(peer.url, {"authentication.type": "bearer", "authentication.token": key})
    basic = make_source(
        peer.url,
        {"authentication.type": "basic", "authentication.username": "u", "authentication.password": key},
    )
    guzzle = make_source(peer.url, {"auth": ["u", key]})
    assert engine.call(header["id"], "/echo")["response"]["data"]["headers"]["x-custom-key"] == key
    assert engine.call(query["id"], "/echo")["response"]["data"]["query"]["api_key"] == key
    assert (
        engine.call(bearer["id"], "/echo")["response"]["data"]["headers"]["authorization"] == f"Bearer {key}"
    )
    expected = "Basic " + base64.b64encode(f"u:{key}".encode()).decode()
    assert engine.call(basic["id"], "/echo")["response"]["data"]["headers"]["authorization"] == expected
    assert engine.call(guzzle["id"], "/echo")["response"]["data"]["headers"]["authorization"] == expected
