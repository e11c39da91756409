"""``fileparts_create`` (after): set up a chunked upload of a large file.

The total size is split into parts (``partSize`` bytes, default 1 000 000, the last one smaller);
each part is saved as an object of ``schemaId`` (same register) with ``{id, size, order, object,
successful: false}`` (optionally mapped with ``mappingId``); the saved parts go to
``filePartLocation`` in the response and their ids onto the parent object (the original wrote
them into the part schema). A manifest beside the object's files tells ``filepart_upload`` the
file name and the number of parts.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError, ValidationError
from openconnector_core.gateway.files import file_key, object_folder, safe_name
from openconnector_core.gateway.response import GatewayResponse
from openconnector_core.gateway.rules.support import (
    get,
    objects,
    put,
    require_object,
    run_mapping,
    settings,
    validation_response,
)

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

DEFAULT_PART_SIZE = 1_000_000
MAX_PARTS = 10_000


def manifest_key(object_id: str) -> str:
    return object_folder(object_id) + ".upload.json"


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any] | GatewayResponse:
    object_id = require_object(flow)
    config = settings(rule, "fileparts_create")
    size = _int(get(data, str(config.get("sizeLocation") or "body.size")), "size")
    filename = get(data, str(config.get("filenameLocation") or "body.filename"))
    if not isinstance(filename, str) or not filename:
        raise BadRequestError("fileparts_create: no file name at filenameLocation")
    name = safe_name(filename)
    part_size = _int(config.get("partSize") or DEFAULT_PART_SIZE, "partSize")
    count = max(1, math.ceil(size / part_size))
    if count > MAX_PARTS:
        raise BadRequestError(f"fileparts_create: more than {MAX_PARTS} parts; use a larger partSize")
    part_ref = _part_ref(flow, config.get("schemaId"))
    files = flow.container.files
    files.put(file_key(object_id, name), b"")
    files.put(
        manifest_key(object_id),
        json.dumps({"filename": name, "parts": count, "size": size}).encode(),
        "application/json",
    )
    saved: list[dict[str, Any]] = []
    for order in range(1, count + 1):
        part = {
            "id": str(uuid.uuid4()),
            "size": part_size if order < count else size - part_size * (count - 1),
            "order": order,
            "object": object_id,
            "successful": False,
        }
        if config.get("mappingId"):
            part = run_mapping(flow, config["mappingId"], part)
        try:
            saved.append(objects(flow).create(flow.ref(part_ref), part, actor=flow.user).object)
        except ValidationError as error:
            return validation_response(error)
    location = str(config.get("filePartLocation") or "body.fileParts")
    location = location if location.split(".")[0] in data else f"body.{location}"
    data = put(data, location, saved)
    if location.startswith("body.") and location.count(".") == 1:
        key = location.split(".")[1]
        objects(flow).patch(flow.ref(), object_id, {key: [part.get("id") for part in saved]}, actor=flow.user)
    return data


def _part_ref(flow: Flow, schema: Any) -> str:
    if schema in (None, ""):
        raise BadRequestError("fileparts_create needs configuration.fileparts_create.schemaId")
    register = flow.target_ref.split("/", 1)[0]
    return f"{register}/{schema}"


def _int(value: Any, name: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadRequestError(f"fileparts_create: {name} must be a number") from None
    if number < 0 or (name == "partSize" and number < 1):
        raise BadRequestError(f"fileparts_create: {name} must be positive")
    return number
