"""Verifying bearer JWTs of consumers, with the original's gaps closed.

* The algorithm comes from an explicit allow-list (HS256/384/512, RS*, PS*, ES256/384); ``none``
  and anything else are refused before a key is touched.
* Algorithm confusion is impossible: the consumer's key decides the family (a PEM key verifies
  only RS/PS/ES, a shared secret only HS), and a consumer that names an ``algorithm`` accepts only it.
* ``iat`` is required; expiry is ``exp`` or ``iat`` + 1 hour; ``nbf`` is honoured; all with a
  small leeway for clock skew. ``aud`` must contain the consumer's audience when it names one.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass
from typing import Any

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"})
ALLOWED_ALGORITHMS = HMAC_ALGORITHMS | ASYMMETRIC_ALGORITHMS
LEEWAY_SECONDS = 30
DEFAULT_LIFETIME = 3600


@dataclass
class TokenRejected(Exception):
    """A 401: ``message`` is the original's text, ``details`` what it disclosed with it."""

    message: str
    details: Any = None


def unverified_claims(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, payload) without verification, to pick the algorithm and the issuer."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        payload = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise TokenRejected(
            "The token could not be validated", {"reason": "The token is malformed"}
        ) from None
    if not isinstance(payload, dict):
        raise TokenRejected("The token could not be validated", {"reason": "The token is malformed"})
    return header, payload


def verify(token: str, consumer: dict[str, Any], *, now: float | None = None) -> dict[str, Any]:
    """The verified payload, or :class:`TokenRejected`."""
    import jwt

    header, _ = unverified_claims(token)
    algorithm = str(header.get("alg") or "")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise TokenRejected(
            "The token could not be validated", {"reason": f"The algorithm {algorithm!r} is not allowed"}
        )
    config = consumer.get("authorizationConfiguration") or {}
    configured = str(config.get("algorithm") or "")
    key_text = str(config.get("publicKey") or config.get("secret") or "")
    if not key_text:
        raise TokenRejected("The token could not be validated", {"reason": "The issuer has no key"})
    key, asymmetric = _key(key_text)
    family = ASYMMETRIC_ALGORITHMS if asymmetric else HMAC_ALGORITHMS
    if algorithm not in family or (configured and configured != algorithm):
        raise TokenRejected(
            "The token could not be validated", {"reason": "The token does not match the public key"}
        )
    audience = config.get("audience") or config.get("aud")
    try:
        verified: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=audience or None,
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": bool(audience),
            },
        )
    except (jwt.InvalidAudienceError, jwt.MissingRequiredClaimError):
        raise TokenRejected(
            "The token could not be validated", {"reason": "The audience does not match"}
        ) from None
    except jwt.InvalidKeyError:
        raise TokenRejected(
            "The token could not be validated", {"reason": "The token does not match the public key"}
        ) from None
    except jwt.PyJWTError:
        raise TokenRejected(
            "The token could not be validated", {"reason": "The token does not match the public key"}
        ) from None
    _check_times(verified, time.time() if now is None else now)
    return verified


def _check_times(payload: dict[str, Any], now: float) -> None:
    iat = _number(payload.get("iat"))
    if iat is None:
        raise TokenRejected("The token has no time of creation")
    exp = _number(payload.get("exp"))
    expiry = exp if exp is not None else iat + DEFAULT_LIFETIME
    details = {"iat": payload.get("iat"), "exp": payload.get("exp"), "time checked": int(now)}
    if now >= expiry + LEEWAY_SECONDS:
        raise TokenRejected("The token has expired", details)
    if iat > now + LEEWAY_SECONDS:
        raise TokenRejected(
            "The token could not be validated", {"reason": "The token was issued in the future"}
        )
    nbf = _number(payload.get("nbf"))
    if nbf is not None and now + LEEWAY_SECONDS < nbf:
        raise TokenRejected("The token could not be validated", {"reason": "The token is not valid yet"})


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _key(text: str) -> tuple[Any, bool]:
    """(key, asymmetric): a PEM public key or certificate (as is or base64-encoded, as the original
    stores it) or a shared secret."""
    pem = text.strip()
    if "-----BEGIN" not in pem:
        try:
            decoded = base64.b64decode(pem, validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            decoded = ""
        if "-----BEGIN" in decoded:
            pem = decoded.strip()
    if "-----BEGIN" in pem:
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
        from cryptography.x509 import load_pem_x509_certificate

        try:
            if "CERTIFICATE" in pem:
                return load_pem_x509_certificate(pem.encode()).public_key(), True
            return load_pem_public_key(pem.encode()), True
        except ValueError:
            raise TokenRejected(
                "The token could not be validated", {"reason": "The public key of the issuer is not valid"}
            ) from None
    return text.encode("utf-8"), False
