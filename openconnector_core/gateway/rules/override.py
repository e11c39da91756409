"""``override`` (after): replace the stored object with the body; the body becomes the saved object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import ValidationError
from openconnector_core.gateway.response import GatewayResponse
from openconnector_core.gateway.rules.support import objects, require_object, validation_response

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any] | GatewayResponse:
    object_id = require_object(flow)
    body = {k: v for k, v in (data.get("body") or {}).items() if k not in ("id", "@self")}
    try:
        stored = objects(flow).replace(flow.ref(), object_id, body, actor=flow.user)
    except ValidationError as error:
        return validation_response(error)
    data["body"] = stored.object
    return data
