"""``download`` (after): serve one of the object's files; a presigned redirect when it is too big
for a Lambda response (6 MB including the base64 encoding of a binary body)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError
from openconnector_core.gateway.files import file_key, object_folder, safe_name
from openconnector_core.gateway.response import MAX_PAYLOAD_BYTES, GatewayResponse
from openconnector_core.gateway.rules.support import get, require_object

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

# A binary body is sent base64-encoded (4/3 larger), with headers beside it.
INLINE_LIMIT = (MAX_PAYLOAD_BYTES - 64 * 1024) * 3 // 4


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> GatewayResponse:
    object_id = require_object(flow)
    files = flow.container.files
    name = _filename(rule, data, flow, object_id)
    info = files.head(file_key(object_id, name))
    if info is None:
        raise NotFoundError("File could not be determined")
    if info.size > INLINE_LIMIT:
        url = files.presigned_get(info.key, name)
        return GatewayResponse(302, raw=b"", headers={"Location": url, "Cache-Control": "no-store"})
    return GatewayResponse(
        200,
        raw=files.get(info.key),
        headers={
            "Content-Type": info.content_type,
            "Content-Disposition": f'attachment; filename="{safe_name(name)}"',
        },
    )


def _filename(rule: dict[str, Any], data: dict[str, Any], flow: Flow, object_id: str) -> str:
    requested = flow.request.parameters.get("filename")
    if isinstance(requested, str) and requested:
        return safe_name(requested)
    configuration = rule.get("configuration") or {}
    position = configuration.get("filenamePosition") or (configuration.get("download") or {}).get(
        "filenamePosition"
    )
    if isinstance(position, str) and position:
        value = get(data.get("body"), position)
        if isinstance(value, str) and value:
            return safe_name(value)
    candidates = [
        info for info in flow.container.files.list(object_folder(object_id)) if not info.name.startswith(".")
    ]
    if len(candidates) == 1:
        return candidates[0].name
    raise NotFoundError("File could not be determined")
