"""Event routes: accept a CloudEvent, pull a subscription's messages, see its deliveries."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import json_response, query_params
from openconnector_core.errors import MethodNotAllowedError, ValidationError

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call, unused-ignore]


def _limit(params: dict[str, str], default: int) -> int:
    raw = params.get("limit") or params.get("_limit")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError(f"limit must be a positive integer, got {raw!r}", fields=["limit"])
    return min(int(raw), 500)


@router.post("/api/events/incoming")
def incoming() -> Response[Any]:
    event = router.current_event
    body = event.decoded_body or ""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    accepted = container().events.accept(dict(event.headers or {}), raw)
    return json_response(202, {"accepted": True, "id": accepted["id"]})


@router.route("/api/events/incoming", method=["GET", "PUT", "PATCH", "DELETE"])
def incoming_not_allowed() -> Response[Any]:
    raise MethodNotAllowedError("Use POST to send a CloudEvent", allow=["POST"])


@router.get("/api/event-subscriptions/<key>/pull")
def pull(key: str) -> Response[Any]:
    params = query_params(router)
    result = container().events.pull(unquote(key), params.get("cursor") or None, _limit(params, 100))
    return json_response(200, result)


@router.get("/api/event-subscriptions/<key>/messages")
def messages(key: str) -> Response[Any]:
    params = query_params(router)
    page = container().events.messages(
        unquote(key),
        status=params.get("status") or None,
        limit=_limit(params, 50),
        cursor=params.get("_next"),
    )
    return json_response(200, {"results": page.items, "next": page.next})
