"""Fields an endpoint derives from its path definition (``endpointArray``, ``endpointRegex``)."""

from __future__ import annotations

from openconnector_core.gateway.matching import compile_endpoint


def endpoint_array(endpoint: str) -> list[str]:
    return endpoint.split("/")


def endpoint_regex(endpoint: str) -> str:
    """The pattern the gateway matches ``endpoint`` with (a Python regex, no PHP ``#`` delimiters).

    Stored for clients that read it; the gateway itself never reads it back, so the two cannot
    drift."""
    return compile_endpoint(endpoint).regex
