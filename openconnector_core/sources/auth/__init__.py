"""Authentication schemes for outbound calls: a registry of ``httpx.Auth`` implementations."""

from openconnector_core.sources.auth.base import SchemeAuth, TokenCache
from openconnector_core.sources.auth.jwt_signing import TokenError
from openconnector_core.sources.auth.registry import (
    DECOS_PLACEHOLDER,
    OAUTH_PLACEHOLDER,
    SCHEME_NAMES,
    SCHEMES,
    UnknownSchemeError,
    build_auth,
    resolve_name,
)

__all__ = [
    "DECOS_PLACEHOLDER",
    "OAUTH_PLACEHOLDER",
    "SCHEMES",
    "SCHEME_NAMES",
    "SchemeAuth",
    "TokenCache",
    "TokenError",
    "UnknownSchemeError",
    "build_auth",
    "resolve_name",
]
