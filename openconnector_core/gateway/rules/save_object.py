"""``save_object``: (optionally map and) save the body into a register/schema; body = saved object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError, ValidationError
from openconnector_core.gateway.response import GatewayResponse
from openconnector_core.gateway.rules.support import objects, run_mapping, settings, validation_response

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any] | GatewayResponse:
    config = settings(rule, "save_object")
    ref = f"{config.get('register')}/{config.get('schema')}"
    body = data.get("body") or {}
    if config.get("mapping"):
        body = run_mapping(flow, config["mapping"], body)
    if not isinstance(body, dict):
        body = {"value": body}
    clean = {k: v for k, v in body.items() if not str(k).startswith("_") and k != "@self"}
    store = objects(flow)
    try:
        object_id = clean.pop("id", None)
        if object_id:
            try:
                saved = store.replace(ref, str(object_id), clean, actor=flow.user)
            except NotFoundError:
                saved = store.create(ref, {**clean, "id": object_id}, actor=flow.user)
        else:
            saved = store.create(ref, clean, actor=flow.user)
    except ValidationError as error:
        return validation_response(error)
    data["body"] = saved.object
    return data
