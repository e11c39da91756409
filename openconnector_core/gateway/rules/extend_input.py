"""``extend_input``: objects referred to by UUID (or a URL ending in one) are loaded and added
under ``extendedParameters.<property>`` (and ``body._extendedInput``, removed after the chain).

Objects are looked up in the endpoint's register/schema unless the configuration names another
(``register``/``schema``); values that are no UUID or name no object are skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError
from openconnector_core.gateway.rules.support import input_value, objects, put, settings, uuid_in

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow

_MAX_DEPTH = 3
_MAX_ITEMS = 100  # ids per property looked up; a request cannot make the gateway read thousands


def run(rule: dict[str, Any], data: dict[str, Any], flow: Flow) -> dict[str, Any]:
    config = settings(rule, "extend_input")
    ref = (
        f"{config['register']}/{config['schema']}"
        if config.get("register") and config.get("schema")
        else flow.target_ref
    )
    extends_setting = config.get("extends")
    extends: dict[str, Any] = extends_setting if isinstance(extends_setting, dict) else {}
    extended: dict[str, Any] = dict(data.get("extendedParameters") or {})
    for path in config.get("properties") or []:
        value = input_value(data, str(path))
        loaded = _load(flow, ref, value, extends.get(path) or [], 0)
        if loaded is not None:
            extended = put(extended, str(path), loaded)
    data["extendedParameters"] = extended
    body = data.get("body")
    if isinstance(body, dict):
        body["_extendedInput"] = extended
    return data


def _load(flow: Flow, ref: str, value: Any, nested: list[Any], depth: int) -> Any:
    if isinstance(value, list):
        found = [_load(flow, ref, item, nested, depth) for item in value[:_MAX_ITEMS]]
        return [item for item in found if item is not None] or None
    object_id = uuid_in(value)
    if object_id is None or depth >= _MAX_DEPTH:
        return None
    try:
        loaded = dict(objects(flow).get(flow.ref(ref), object_id).object)
    except NotFoundError:
        return None
    for name in nested:
        child = _load(flow, ref, loaded.get(str(name)), [], depth + 1)
        if child is not None:
            loaded[str(name)] = child
    return loaded
