"""``write_file`` (after): base64 content in the body becomes a file of the object; the value is
replaced by the file's path (and the stored object updated to match)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError
from openconnector_core.gateway.files import decode_base64, file_key, guess_type, safe_name
from openconnector_core.gateway.rules.support import get, objects, put, require_object, settings

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any]:
    object_id = require_object(flow)
    config = settings(rule, "write_file")
    file_path = str(config.get("filePath") or "")
    if not file_path:
        raise BadRequestError("write_file needs configuration.write_file.filePath")
    path = _in_data(data, file_path)
    value = get(data, path)
    if value in (None, ""):
        return data
    if isinstance(value, list):
        written = [
            _write(flow, object_id, item.get("content"), item.get("filename"))
            for item in value
            if isinstance(item, dict)
        ]
        data = put(data, path, [{**item, "content": key} for item, key in zip(value, written, strict=False)])
    else:
        name = (
            get(data, _in_data(data, str(config.get("fileNamePath") or "")))
            if config.get("fileNamePath")
            else None
        )
        data = put(data, path, _write(flow, object_id, value, name))
    if path.startswith("body."):
        top = path.split(".")[1]
        body = data.get("body") or {}
        if top in body:
            objects(flow).patch(flow.ref(), object_id, {top: body[top]}, actor=flow.user)
    return data


def _in_data(data: dict[str, Any], path: str) -> str:
    """Paths may be written relative to the rule data or to its body."""
    return path if path.split(".")[0] in data else f"body.{path}"


def _write(flow: Flow, object_id: str, content: Any, filename: Any) -> str:
    raw, media = decode_base64(content)
    name = safe_name(str(filename)) if filename else f"file-{len(raw)}"
    key = file_key(object_id, name)
    flow.container.files.put(key, raw, media or guess_type(name))
    return key
