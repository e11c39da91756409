"""Request/response helpers shared by the management routers (HTTP API payload format 2.0).

Nothing here knows about entities or engines: it turns the current Powertools event into plain
Python values and plain values into :class:`Response` objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import BaseRouter

from openconnector_core.errors import BadRequestError

JSON = content_types.APPLICATION_JSON


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response[Any]:
    """A JSON response; ``body`` is serialized by the resolver's serializer."""
    return Response(status_code=status, content_type=JSON, body=body, headers=dict(headers or {}))


def empty_response(status: int = 204, headers: Mapping[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=None, body="", headers=dict(headers or {}))


def json_body(router: BaseRouter, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object. Malformed JSON, ``NaN``/``Infinity``, nesting deeper than
    :data:`MAX_JSON_DEPTH`, a body that is not UTF-8 or not an object → ``BadRequestError`` (400)."""
    try:
        raw = router.current_event.decoded_body
    except (UnicodeDecodeError, ValueError):
        raise BadRequestError("The request body is not UTF-8 text") from None
    if raw is None or not raw.strip():
        if required:
            raise BadRequestError("The request body must be a JSON object")
        return {}
    return parse_json_object(raw)


MAX_JSON_DEPTH = 64
"""Deeper documents are refused before they are parsed: no configuration nests this deep, and
Python's parser would otherwise run out of stack."""


def parse_json_object(raw: str) -> dict[str, Any]:
    """Strict JSON (RFC 8259: no ``NaN``/``Infinity``), at most :data:`MAX_JSON_DEPTH` deep, an object."""
    depth = _nesting_depth(raw)
    if depth > MAX_JSON_DEPTH:
        raise BadRequestError(f"The request body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise BadRequestError(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    if not isinstance(value, dict):
        raise BadRequestError("The request body must be a JSON object")
    return value


def _refuse_constant(name: str) -> Any:
    raise BadRequestError(f"The request body is not valid JSON: {name} is not a JSON number")


_BRACKETS = re.compile(r'[\[\]{}]|"(?:[^"\\]|\\.)*"')


def _nesting_depth(raw: str) -> int:
    """The deepest ``[``/``{`` nesting outside strings (a linear scan; no recursion)."""
    depth = deepest = 0
    for token in _BRACKETS.finditer(raw):
        text = token.group()
        if text in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif text in "]}":
            depth -= 1
    return deepest


def query_params(router: BaseRouter) -> dict[str, str]:
    """Query string parameters (HTTP API joins repeated parameters with a comma)."""
    return dict(router.current_event.query_string_parameters or {})


def header(router: BaseRouter, name: str) -> str | None:
    value = router.current_event.headers.get(name)  # case-insensitive in Powertools 3
    return value if value else None


def request_id(router: BaseRouter) -> str | None:
    """The API Gateway request id (also the correlation id of the logs)."""
    try:
        identifier = router.current_event.request_context.request_id  # type: ignore[attr-defined]
        return str(identifier) if identifier is not None else None
    except (AttributeError, KeyError):  # pragma: no cover - every HTTP API event has one
        return None


def format_etag(etag: str) -> str:
    """An entity revision as an HTTP ``ETag`` value (a quoted strong tag)."""
    if etag.startswith('"') or etag.startswith('W/"'):
        return etag
    return f'"{etag}"'


def parse_if_match(value: str | None) -> str | None:
    """``If-Match`` (RFC 9110 §13.1.1) as the comma-separated revisions it accepts; ``None`` when
    absent or ``*`` (any revision). Strong comparison: a weak tag (``W/"3"``) matches nothing, so a
    header of only weak tags yields ``'""'``, which no revision matches."""
    if value is None:
        return None
    tags = [tag.strip() for tag in value.split(",") if tag.strip()]
    if not tags or "*" in tags:
        return None
    strong = [tag.strip('"') for tag in tags if not tag.startswith("W/")]
    return ",".join(strong) if strong else '""'
