"""The authentication rule through the gateway handler: every type, JWTs signed with every
allowed algorithm, and the attacks (none, algorithm confusion, expired, wrong audience, wrong
issuer, forged signature)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.functional.conftest import LocalServer

SECRET = "a-shared-secret-long-enough-for-hs512-signatures-0123456789abcdef"


def _pem(private: Any) -> tuple[bytes, str]:
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private_pem, public.decode()


RSA_PRIVATE, RSA_PUBLIC = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
P256_PRIVATE, P256_PUBLIC = _pem(ec.generate_private_key(ec.SECP256R1()))
P384_PRIVATE, P384_PUBLIC = _pem(ec.generate_private_key(ec.SECP384R1()))


def _protected(gateway: Any, auth: dict[str, Any]) -> None:
    """``GET secure``: an authentication rule, then a proxy-free target that echoes nothing."""
    rule = gateway.rule("authentication", {"authentication": auth})
    error = gateway.rule("error", {"error": {"code": 200, "name": "ok", "message": "welcome"}}, order=5)
    gateway.endpoint("secure", rules=[rule, error])


def _token(key: Any, algorithm: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": "partner", "iat": now, "exp": now + 300, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm)


def _consumer(gateway: Any, key: str, **config: Any) -> None:
    gateway.create(
        "consumers",
        {
            "name": "partner",
            "userId": "partner-user",
            "authorizationConfiguration": {"publicKey": key, **config},
        },
    )


def _bearer(gateway: Any, token: str) -> Any:
    return gateway.get("secure", headers={"Authorization": f"Bearer {token}"})


def test_no_credential_is_forbidden_in_the_problem_shape(gateway: Any) -> None:
    _protected(gateway, {"type": "apikey", "keys": {"k1": "user"}})

    answer = gateway.get("secure")

    assert answer.status == 403
    assert answer.body == {
        "type": None,
        "code": 403,
        "title": None,
        "status": 403,
        "instance": "gw-0001",
        "detail": "forbidden",
    }


@pytest.mark.parametrize(
    ("spelling", "keys"),
    [("apikey", {"k1": "user"}), ("api-key", [{"k1": "user"}]), ("apikey", [{"other": "x"}, {"k1": "user"}])],
)
def test_api_keys_in_both_shapes_and_spellings(gateway: Any, spelling: str, keys: Any) -> None:
    _protected(gateway, {"type": spelling, "keys": keys, "header": "X-Api-Key"})

    assert gateway.get("secure", headers={"X-Api-Key": "k1"}).status == 200
    wrong = gateway.get("secure", headers={"X-Api-Key": "k2"})
    assert wrong.status == 401
    assert wrong.body["detail"] == "Invalid API key"


@pytest.mark.parametrize(
    ("algorithm", "signing", "public"),
    [
        ("HS256", SECRET, SECRET),
        ("HS384", SECRET, SECRET),
        ("HS512", SECRET, SECRET),
        ("RS256", RSA_PRIVATE, RSA_PUBLIC),
        ("RS512", RSA_PRIVATE, RSA_PUBLIC),
        ("PS256", RSA_PRIVATE, RSA_PUBLIC),
        ("PS384", RSA_PRIVATE, RSA_PUBLIC),
        ("ES256", P256_PRIVATE, P256_PUBLIC),
        ("ES384", P384_PRIVATE, P384_PUBLIC),
    ],
)
def test_jwt_signed_with_each_allowed_algorithm(
    gateway: Any, algorithm: str, signing: Any, public: str
) -> None:
    stored = base64.b64encode(public.encode()).decode() if public.startswith("-----") else public
    _consumer(gateway, stored)
    _protected(gateway, {"type": "jwt"})

    assert _bearer(gateway, _token(signing, algorithm)).status == 200


def _forged_none() -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    now = int(time.time())
    body = base64.urlsafe_b64encode(json.dumps({"iss": "partner", "iat": now}).encode()).rstrip(b"=")
    return f"{header.decode()}.{body.decode()}."


def _confused() -> str:
    """HS256 signed with the RSA *public* key as the HMAC secret (the classic confusion attack)."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    import hashlib
    import hmac

    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = (
        b64(json.dumps(header).encode()) + b"." + b64(json.dumps({"iss": "partner", "iat": now}).encode())
    )
    signature = hmac.new(RSA_PUBLIC.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + b64(signature)).decode()


@pytest.mark.parametrize(
    ("name", "token", "consumer_config", "detail"),
    [
        ("none", _forged_none(), {}, "The token could not be validated"),
        ("confusion", _confused(), {}, "The token could not be validated"),
        (
            "expired",
            _token(RSA_PRIVATE, "RS256", iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
            {},
            "The token has expired",
        ),
        (
            "expired-by-iat",
            _token(RSA_PRIVATE, "RS256", iat=int(time.time()) - 7200, exp=None),
            {},
            "The token has expired",
        ),
        ("no-iat", _token(RSA_PRIVATE, "RS256", iat=None), {}, "The token has no time of creation"),
        (
            "not-yet",
            _token(RSA_PRIVATE, "RS256", nbf=int(time.time()) + 600),
            {},
            "The token could not be validated",
        ),
        (
            "wrong-aud",
            _token(RSA_PRIVATE, "RS256", aud="someone-else"),
            {"audience": "gateway"},
            "The token could not be validated",
        ),
        (
            "missing-aud",
            _token(RSA_PRIVATE, "RS256"),
            {"audience": "gateway"},
            "The token could not be validated",
        ),
        ("wrong-issuer", _token(RSA_PRIVATE, "RS256", iss="stranger"), {}, "The issuer was not found"),
        ("no-issuer", _token(RSA_PRIVATE, "RS256", iss=None), {}, "The token could not be validated"),
        (
            "other-key",
            _token(rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
            {},
            "The token could not be validated",
        ),
        (
            "algorithm-pinned",
            _token(RSA_PRIVATE, "PS256"),
            {"algorithm": "RS256"},
            "The token could not be validated",
        ),
        ("garbage", "not.a.token", {}, "The token could not be validated"),
        ("empty", "", {}, "No token has been provided"),
    ],
)
def test_jwt_attacks_are_refused(
    gateway: Any, name: str, token: str, consumer_config: dict[str, Any], detail: str
) -> None:
    _consumer(gateway, RSA_PUBLIC, **consumer_config)
    _protected(gateway, {"type": "jwt-zgw"})

    answer = _bearer(gateway, token)

    assert answer.status == 401, name
    assert answer.body["detail"] == detail
    assert set(answer.body) == {"type", "code", "title", "status", "instance", "detail"}


def test_jwt_with_the_right_audience_passes(gateway: Any) -> None:
    _consumer(gateway, RSA_PUBLIC, audience="gateway")
    _protected(gateway, {"type": "jwt"})

    assert _bearer(gateway, _token(RSA_PRIVATE, "RS256", aud=["gateway", "other"])).status == 200


def test_jwt_within_the_clock_leeway_passes(gateway: Any) -> None:
    _consumer(gateway, SECRET)
    _protected(gateway, {"type": "jwt"})
    now = int(time.time())

    assert _bearer(gateway, _token(SECRET, "HS256", iat=now - 100, exp=now - 10)).status == 200


def test_the_consumer_key_is_a_secret_not_stored_in_the_entity(gateway: Any) -> None:
    _consumer(gateway, SECRET)

    stored = gateway.container.entity_store.list("consumers").items[0]

    assert SECRET not in json.dumps(stored)


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_basic_checks_consumer_credentials_and_the_allow_lists(gateway: Any) -> None:
    gateway.create(
        "consumers",
        {
            "name": "alice",
            "authorizationType": "basic",
            "authorizationConfiguration": {"username": "alice", "password": "wonder", "groups": ["staff"]},
        },
    )
    gateway.create(
        "consumers",
        {
            "name": "bob",
            "authorizationType": "basic",
            "authorizationConfiguration": {"username": "bob", "password": "builder"},
        },
    )
    _protected(gateway, {"type": "basic", "users": ["carol"], "groups": ["staff"]})

    assert gateway.get("secure", headers=_basic("alice", "wonder")).status == 200
    assert gateway.get("secure", headers=_basic("bob", "builder")).status == 403  # valid, not allowed
    wrong = gateway.get("secure", headers=_basic("alice", "builder"))
    assert wrong.status == 401
    assert wrong.body["detail"] == "Invalid username or password"
    assert gateway.get("secure", headers={"Authorization": "Basic !!!"}).status == 401


def test_unknown_authentication_type_is_501(gateway: Any) -> None:
    _protected(gateway, {"type": "kerberos"})

    answer = gateway.get("secure", headers={"Authorization": "x"})

    assert answer.status == 501


def test_oauth_bearer_token_introspection(gateway: Any, local_http_server: LocalServer) -> None:
    source = gateway.create("sources", {"name": "idp", "location": local_http_server.url})
    _protected(
        gateway,
        {
            "type": "oauth",
            "introspection": {"source": source["id"], "endpoint": "/introspect"},
            "users": ["alice"],
        },
    )
    local_http_server.reply = (200, {"Content-Type": "application/json"}, b'{"active": true, "sub": "alice"}')

    assert gateway.get("secure", headers={"Authorization": "Bearer abc"}).status == 200
    assert b"token=abc" in local_http_server.requests[-1].body
    assert gateway.get("secure", headers={"Authorization": "Basic abc"}).body["detail"] == "Invalid method"

    local_http_server.reply = (200, {"Content-Type": "application/json"}, b'{"active": false}')
    refused = gateway.get("secure", headers={"Authorization": "Bearer abc"})
    assert refused.status == 401
    assert refused.body["detail"] == "Not authorized"


def test_jwt_against_a_consumer_certificate(gateway: Any) -> None:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    private = serialization.load_pem_private_key(RSA_PRIVATE, password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "partner")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())  # type: ignore[arg-type]
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())  # type: ignore[arg-type]
    )
    _consumer(gateway, certificate.public_bytes(serialization.Encoding.PEM).decode())
    _protected(gateway, {"type": "jwt"})

    assert _bearer(gateway, _token(RSA_PRIVATE, "RS256")).status == 200


def test_oauth_bearer_token_checked_against_the_servers_key_set(
    gateway: Any, local_http_server: LocalServer
) -> None:
    public = serialization.load_pem_public_key(RSA_PUBLIC.encode())
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))  # type: ignore[arg-type]
    local_http_server.reply = (
        200,
        {"Content-Type": "application/json"},
        json.dumps({"keys": [{**jwk, "kid": "k1"}]}).encode(),
    )
    source = gateway.create("sources", {"name": "idp-keys", "location": local_http_server.url})
    _protected(
        gateway,
        {
            "type": "oauth",
            "jwks": {"source": source["id"], "endpoint": "/jwks"},
            "issuer": "https://idp",
            "audience": "api",
        },
    )
    now = int(time.time())

    def token(**claims: Any) -> str:
        payload = {"iss": "https://idp", "aud": "api", "sub": "alice", "iat": now, "exp": now + 60, **claims}
        return jwt.encode(payload, RSA_PRIVATE, algorithm="RS256", headers={"kid": "k1"})

    assert _bearer(gateway, token()).status == 200
    assert _bearer(gateway, token(aud="other")).status == 401
    assert _bearer(gateway, token(iss="https://evil")).status == 401
    assert _bearer(gateway, token(exp=now - 600)).status == 401
    assert (
        _bearer(
            gateway,
            jwt.encode({"iss": "https://idp", "aud": "api", "exp": now + 60}, SECRET, algorithm="HS256"),
        ).status
        == 401
    )


def test_a_rule_whose_configuration_holds_secrets_is_used_in_clear(gateway: Any) -> None:
    """Secret-named keys of a rule's configuration live in the secret store; the gateway reveals them."""
    _protected(
        gateway,
        {"type": "apikey", "header": "X-Key", "keys": {"k-9": "svc"}, "users": ["svc"], "token": "t0p"},
    )
    stored = next(
        item
        for item in gateway.container.entity_store.list("rules").items
        if item["type"] == "authentication"
    )
    assert stored.get("secretRef") and "t0p" not in json.dumps(stored)

    assert gateway.get("secure", headers={"X-Key": "k-9"}).status == 200
    assert gateway.get("secure", headers={"X-Key": "k-8"}).status == 401
