"""``filepart_upload`` (after): store one part; when every part is there, assemble the file in the
bucket in *numeric* part order (the original sorted ``10`` before ``2`` and never saw ten or
more parts as complete)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError, NotFoundError
from openconnector_core.gateway.files import file_key, part_key, parts_folder
from openconnector_core.gateway.rules.fileparts_create import manifest_key
from openconnector_core.gateway.rules.support import objects, require_object, run_mapping, settings

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any]:
    require_object(flow)
    config = settings(rule, "filepart_upload")
    body = data.get("body") if isinstance(data.get("body"), dict) else {}
    assert isinstance(body, dict)
    part = dict(body)
    if config.get("mappingId"):
        mapped = run_mapping(flow, config["mappingId"], body)
        part.update(mapped if isinstance(mapped, dict) else {})
    content = part.get("data")
    if content is None:
        content = flow.request.parameters.get("data")
    parent = str(part.get("object") or "")
    try:
        order = int(part.get("order"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadRequestError("filepart_upload: the part has no numeric order") from None
    if not parent or not isinstance(content, str):
        raise BadRequestError("filepart_upload: the part needs its object and base64 data")
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError("filepart_upload: data is not valid base64") from None
    files = flow.container.files
    try:
        manifest = json.loads(files.get(manifest_key(parent)))
    except NotFoundError:
        raise BadRequestError("filepart_upload: no upload was set up for this object") from None
    name, count = str(manifest["filename"]), int(manifest["parts"])
    if not 1 <= order <= count:
        raise BadRequestError(f"filepart_upload: order must be between 1 and {count}")
    files.put(part_key(parent, name, order), raw, "application/octet-stream")
    present = {info.name for info in files.list(parts_folder(parent, name))}
    complete = all(f"{number}.part" in present for number in range(1, count + 1))
    if complete:
        try:
            files.concatenate(
                file_key(parent, name), [part_key(parent, name, number) for number in range(1, count + 1)]
            )
        except NotFoundError:
            pass  # a concurrent last upload assembled and cleaned up first
        else:
            for number in range(1, count + 1):
                files.delete(part_key(parent, name, number))
            files.delete(manifest_key(parent))
    result = {k: v for k, v in part.items() if k != "data"}
    result["successful"] = True
    stored = objects(flow).patch(flow.ref(), str(flow.object_id), {"successful": True}, actor=flow.user)
    result = {**stored.object, **{k: v for k, v in result.items() if k not in stored.object}}
    if config.get("mappingOutId"):
        result = run_mapping(flow, config["mappingOutId"], result)
    data["body"] = result
    return data
