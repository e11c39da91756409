"""Given sources with every kind of credential, when they are called (successfully or not), then no
secret value appears in a call log, a captured log record, a returned result or an error."""

from __future__ import annotations

import base64
import json
import logging
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from openconnector_core.sources.call_logs import KIND


def _sent_credentials(peer) -> set[str]:
    """Every credential the peer actually received (headers, query, forms)."""
    found: set[str] = set()
    for request in peer.state.requests:
        for name in ("authorization", "x-custom-key", "x-api-key", "cookie"):
            value = request["headers"].get(name)
            if value:
                found.add(value)
                found.add(value.split(" ", 1)[-1])
        for name in ("api_key", "access_token", "token"):
            if name in request["query"]:
                found.add(request["query"][name])
        if request["path"] == "/token":
            form = {k: v[0] for k, v in parse_qs(request["body"]).items()}
            for name in ("client_secret", "password", "client_assertion"):
                if name in form:
                    found.add(form[name])
    return found


def test_no_secret_reaches_logs_results_or_errors(engine, make_source, peer, logs, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    peer.state.jwt_key, peer.state.jwt_algorithms = key.public_key(), ["RS256", "PS256"]
    api_key = "query-api-key-5f2b9c7e1d"
    header_key = "header-api-key-8e3a1f"
    static_token = "static-bearer-token-77aa"
    form_password = "form-password-3c9d1e"
    hmac_secret = "jwt-hmac-secret-value-" * 3
    secrets = {
        peer.state.client_secret,
        peer.state.password,
        api_key,
        header_key,
        static_token,
        form_password,
        hmac_secret,
        pem,
        base64.b64encode(pem.encode()).decode(),
    }
    oauth = {
        "authentication.grant_type": "client_credentials",
        "authentication.tokenUrl": f"{peer.url}/token",
        "authentication.client_id": peer.state.client_id,
        "authentication.client_secret": peer.state.client_secret,
        "authentication.scope": "api",
        "authentication.authentication": "body",
    }
    sources = [
        make_source(peer.url, {**oauth, "authentication.type": "oauth2"}),
        make_source(peer.url, {**oauth, "headers.Authorization": "Bearer {{ oauthToken(source) }}"}),
        make_source(
            peer.url,
            {**oauth, "authentication.authentication": "basic_auth", "authentication.type": "oauth2"},
        ),
        make_source(
            peer.url,
            {
                **oauth,
                "authentication.type": "oauth2",
                "authentication.grant_type": "password",
                "authentication.username": peer.state.username,
                "authentication.password": peer.state.password,
            },
        ),
        make_source(
            peer.url,
            {**oauth, "authentication.type": "oauth2", "authentication.client_secret": "bad-secret-xyz"},
        ),
        make_source(
            peer.url,
            {"authentication.type": "api-key", "authentication.key": api_key, "authentication.in": "query"},
        ),
        make_source(peer.url, {"query.signature_value": api_key, "headers.X-Custom-Key": header_key}),
        make_source(peer.url, {"authentication.type": "bearer", "authentication.token": static_token}),
        make_source(peer.url, {"auth": ["user", form_password]}),
        make_source(
            peer.url,
            {
                "authentication.type": "jwt",
                "authentication.algorithm": "HS256",
                "authentication.secret": hmac_secret,
                "authentication.payload": '{"sub": "a"}',
            },
        ),
        make_source(
            peer.url,
            {
                "headers.Authorization": "Bearer {{ jwtToken(source) }}",
                "authentication.algorithm": "RS256",
                "authentication.secret": pem,
                "authentication.payload": '{"sub": "b"}',
            },
        ),
        make_source(
            peer.url,
            {
                "authentication.type": "azure-ad",
                "authentication.tokenUrl": f"{peer.url}/token",
                "authentication.client_id": "app",
                "authentication.scope": "s",
                "authentication.private_key": base64.b64encode(pem.encode()).decode(),
                "authentication.x5t": "thumb",
            },
        ),
        make_source("http://127.0.0.1:1/unreachable", {"headers.Authorization": f"Bearer {static_token}"}),
    ]
    secrets.add("bad-secret-xyz")
    results = []
    for source in sources:
        for endpoint in ("/protected", "/echo", "/error", "/jwt"):
            results.append(engine.call(source["id"], endpoint, config={"retry": False}))
        results.append(
            engine.call(
                source["id"],
                "/echo",
                "POST",
                {"form_params": {"password": form_password, "user": "u"}, "retry": False},
            )
        )
        results.append(
            engine.call(
                source["id"],
                "/echo",
                "POST",
                {"json": {"client_secret": peer.state.client_secret}, "retry": False},
            )
        )
    results.append(
        engine.call(make_source(f"http://user:{form_password}@127.0.0.1:{peer.port}")["id"], "/echo")
    )

    secrets |= _sent_credentials(peer)
    secrets |= set(peer.state.issued)
    secrets = {s for s in secrets if s and len(s) >= 6 and s not in {"Basic", "Bearer"}}
    assert len(peer.state.issued) >= 4 and any(s.startswith("eyJ") for s in secrets)

    stored = json.dumps(logs.query(KIND, limit=10_000).items)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    # Results carry the remote's body in memory (the /echo peer reflects what it received), so the
    # in-memory check covers everything except the response body and data, which are the remote's.
    returned = json.dumps(
        [
            {
                **r,
                "response": {k: v for k, v in (r.get("response") or {}).items() if k not in {"body", "data"}},
            }
            for r in results
        ]
    )
    for secret in secrets:
        assert secret not in stored, f"secret in a stored call log: {secret[:12]}…"
        assert secret not in logged, f"secret in a log record: {secret[:12]}…"
        assert secret not in returned, f"secret in a returned call log: {secret[:12]}…"
    assert any(r["statusCode"] == 502 for r in results)  # the bad client secret failed as a result
    assert any(r["statusCode"] == 503 for r in results)  # the unreachable source too
