"""Signing JWTs for sources: the one place that touches pyjwt's signing (imported lazily).

Key material follows the original: for ``HS*`` the secret's raw bytes are the HMAC key; for the
asymmetric algorithms the secret is a PEM private key, either base64-encoded (as upstream stores it)
or as plain PEM text (literal ``\\n`` sequences are accepted).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core.errors import SourceError

HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
SIGNING_ALGORITHMS = HMAC_ALGORITHMS + ASYMMETRIC_ALGORITHMS
DEFAULT_LIFETIME = 300


class TokenError(SourceError):
    """A credential (access token, signed JWT) could not be obtained; the message holds no secret."""

    code, title = "source-authentication-failed", "Source authentication failed"


def pem_from_secret(secret: str) -> bytes:
    """PEM bytes from a plain or base64-encoded PEM string."""
    text = secret.strip().replace("\\n", "\n")
    if text.startswith("-----BEGIN"):
        return text.encode()
    try:
        decoded = base64.b64decode(text, validate=False)
    except (binascii.Error, ValueError) as error:
        raise TokenError("The signing key is neither PEM nor base64-encoded PEM") from error
    if not decoded.lstrip().startswith(b"-----BEGIN"):
        raise TokenError("The signing key is neither PEM nor base64-encoded PEM")
    return decoded


def signing_key(secret: Any, algorithm: str) -> bytes:
    if not isinstance(secret, str) or not secret:
        raise TokenError("No signing secret configured (authentication.secret / private_key)")
    if algorithm in HMAC_ALGORITHMS:
        return secret.encode()
    return pem_from_secret(secret)


def certificate_thumbprint(certificate_pem: str) -> str:
    """The ``x5t`` header value: base64url SHA-1 of the certificate's DER bytes."""
    from cryptography import x509

    cert = x509.load_pem_x509_certificate(pem_from_secret(certificate_pem))
    from cryptography.hazmat.primitives.serialization import Encoding

    digest = hashlib.sha1(cert.public_bytes(Encoding.DER)).digest()  # noqa: S324 - x5t is SHA-1 by definition
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(
    claims: Mapping[str, Any],
    *,
    secret: Any,
    algorithm: str,
    x5t: str | None = None,
    lifetime: int | None = DEFAULT_LIFETIME,
    now: Callable[[], float] = time.time,
) -> str:
    """A compact JWT over ``claims`` (``iat``/``exp`` added when missing)."""
    algorithm = (algorithm or "").upper()
    if algorithm not in SIGNING_ALGORITHMS:
        raise TokenError(
            f"Algorithm {algorithm or '(none)'!r} is not supported; "
            f"use one of {', '.join(SIGNING_ALGORITHMS)}"
        )
    import jwt

    issued = int(now())
    payload = dict(claims)
    payload.setdefault("iat", issued)
    if lifetime:
        payload.setdefault("exp", issued + int(lifetime))
    headers: dict[str, Any] = {"typ": "JWT"}
    if x5t:
        headers["x5t"] = x5t
    try:
        with warnings.catch_warnings():
            # Stored HMAC secrets are what the remote expects, even when shorter than RFC 7518 asks.
            warnings.simplefilter("ignore", getattr(jwt.warnings, "InsecureKeyLengthWarning", Warning))
            return jwt.encode(payload, signing_key(secret, algorithm), algorithm=algorithm, headers=headers)
    except TokenError:
        raise
    except Exception:  # pyjwt/cryptography raise many types for bad keys
        raise TokenError(
            f"Could not sign the JWT with {algorithm}: the key is not valid or does not fit the algorithm"
        ) from None


def claims_from_payload(
    payload: Any, render: Callable[[str, Mapping[str, Any]], str], context: Mapping[str, Any]
) -> dict[str, Any]:
    """The claims of a ``payload`` template (a JSON object after rendering) or a ready object."""
    if isinstance(payload, Mapping):
        return dict(payload)
    if not isinstance(payload, str) or not payload.strip():
        return {}
    text = render(payload, context) if "{{" in payload or "{%" in payload else payload
    try:
        claims = json.loads(text)
    except ValueError as error:
        raise TokenError("authentication.payload does not render to a JSON object") from error
    if not isinstance(claims, dict):
        raise TokenError("authentication.payload does not render to a JSON object")
    return claims


def client_assertion_claims(client_id: str, audience: str) -> dict[str, Any]:
    """Default claims of a Microsoft identity platform client assertion."""
    now = int(time.time())
    return {"aud": audience, "iss": client_id, "sub": client_id, "jti": str(uuid.uuid4()), "nbf": now}
