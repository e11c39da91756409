"""Request/response helpers shared by the management routers (HTTP API payload format 2.0).

Nothing here knows about entities or engines: it turns the current Powertools event into plain
Python values and plain values into :class:`Response` objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from openconnector_core.errors import BadRequestError

JSON = content_types.APPLICATION_JSON


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response; ``body`` is serialized by the resolver's serializer."""
    return Response(status_code=status, content_type=JSON, body=body, headers=dict(headers or {}))


def empty_response(status: int = 204, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=None, body="", headers=dict(headers or {}))


def json_body(router: BaseRouter, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object. Malformed JSON or a non-object → ``BadRequestError`` (400)."""
    raw = router.current_event.decoded_body
    if raw is None or not raw.strip():
        if required:
            raise BadRequestError("The request body must be a JSON object")
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequestError(f"The request body is not valid JSON: {_json_error_position(error)}") from None
    if not isinstance(value, dict):
        raise BadRequestError("The request body must be a JSON object")
    return value


def _json_error_position(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return "could not decode the body"


def query_params(router: BaseRouter) -> dict[str, str]:
    """Query string parameters (HTTP API joins repeated parameters with a comma)."""
    return dict(router.current_event.query_string_parameters or {})


def header(router: BaseRouter, name: str) -> str | None:
    value = router.current_event.headers.get(name)  # case-insensitive in Powertools 3
    return value if value else None


def request_id(router: BaseRouter) -> str | None:
    """The API Gateway request id (also the correlation id of the logs)."""
    try:
        return router.current_event.request_context.request_id  # type: ignore[attr-defined]
    except (AttributeError, KeyError):  # pragma: no cover - every HTTP API event has one
        return None


def format_etag(etag: str) -> str:
    """An entity revision as an HTTP ``ETag`` value (a quoted strong tag)."""
    if etag.startswith('"') or etag.startswith('W/"'):
        return etag
    return f'"{etag}"'


def parse_if_match(value: str | None) -> str | None:
    """The revision an ``If-Match`` header asks for; ``None`` when absent or ``*`` (any revision)."""
    if value is None:
        return None
    value = value.strip()
    if not value or value == "*":
        return None
    first = value.split(",", 1)[0].strip()
    if first.startswith("W/"):
        first = first[2:]
    return first.strip('"')
