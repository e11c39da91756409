"""``audit_trail`` (after): the body becomes the object's audit trail, or one entry of it when the
endpoint has an ``{{audittrail-id}}`` path parameter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.gateway.response import GatewayResponse, json_response
from openconnector_core.gateway.rules.support import objects, require_object

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

_MAX_ENTRIES = 1000


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any] | GatewayResponse:
    object_id = require_object(flow)
    entries: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(entries) < _MAX_ENTRIES:
        page = objects(flow).audit_trail(flow.ref(), object_id, limit=100, cursor=cursor)
        entries.extend(page.items)
        cursor = page.next
        if not cursor:
            break
    wanted = flow.path_params.get("audittrail-id")
    if wanted:
        entry = next((e for e in entries if str(e.get("id")) == wanted or str(e.get("uuid")) == wanted), None)
        if entry is None:
            return json_response(
                404, {"error": "Not found", "reason": "The resource you are looking for does not exist"}
            )
        data["body"] = entry
    else:
        data["body"] = entries
    return data
