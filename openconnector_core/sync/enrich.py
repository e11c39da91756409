"""``sourceConfig.extraDataConfigs`` (§5.5 6b): per object, read more data from a source and merge it.

Each config, in order: the endpoint comes from ``endpointTemplate`` (a template with ``endpoint``,
``object``, ``originId``, ``extraDataConfig``), else ``dynamicEndpointLocation`` (a dot path in the
object), else ``staticEndpoint`` with ``{{ originId }}`` (the origin id, or the value at
``endpointIdLocation``) and ``{{ subObjectId }}``; ``source`` calls another source; the result goes
under ``keyToSetExtraData`` when set, and is merged into the object (later keys win).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from openconnector_core.errors import SourceError, ValidationError
from openconnector_core.mapping import paths

Enrich = Callable[[dict[str, Any]], dict[str, Any]]
_ORIGIN = re.compile(r"\{\{\s*originId\s*\}\}")
_SUB_OBJECT = re.compile(r"\{\{\s*subObjectId\s*\}\}")


def _value(data: Mapping[str, Any], path: Any) -> Any:
    if not path:
        return None
    value = paths.lookup(dict(data), str(path))
    return value if paths.found(value) else None


def enricher(
    configs: Any,
    call_engine: Any,
    source_id: str,
    source_config: Mapping[str, Any],
    render: Callable[[str, Mapping[str, Any]], str],
) -> Enrich | None:
    """The enrichment of a synchronization, or ``None`` when it has no ``extraDataConfigs``."""
    if isinstance(configs, Mapping):
        configs = [configs[key] for key in sorted(configs, key=lambda k: int(k) if str(k).isdigit() else 0)]
    if not configs:
        return None
    if not isinstance(configs, list) or not all(isinstance(c, Mapping) for c in configs):
        raise ValidationError(
            "sourceConfig.extraDataConfigs must be a list of objects",
            fields=["sourceConfig.extraDataConfigs"],
        )
    options: dict[str, Any] = {}
    for key in ("headers", "query"):
        if isinstance(source_config.get(key), Mapping):
            options[key] = dict(source_config[key])
    id_position = str(source_config.get("idPosition") or "id")

    def enrich(item: dict[str, Any]) -> dict[str, Any]:
        for config in configs:
            item = _apply(config, item)
        return item

    def _apply(config: Mapping[str, Any], item: dict[str, Any]) -> dict[str, Any]:
        origin = _value(item, config.get("endpointIdLocation")) or _value(item, id_position)
        endpoint: Any = None
        if config.get("dynamicEndpointLocation"):
            endpoint = _value(item, config["dynamicEndpointLocation"])
        elif config.get("staticEndpoint"):
            endpoint = _ORIGIN.sub(str(origin or ""), str(config["staticEndpoint"]))
            sub_object = _value(item, config.get("subObjectId"))
            endpoint = _SUB_OBJECT.sub(str(sub_object or ""), endpoint)
        if config.get("endpointTemplate"):
            context = {
                "endpoint": endpoint,
                "object": item,
                "originId": origin,
                "extraDataConfig": dict(config),
            }
            endpoint = render(str(config["endpointTemplate"]), context)
        if not endpoint:
            raise ValidationError(f"Could not get static or dynamic endpoint, object: {origin}")
        source = str(config.get("source") or source_id)
        log = call_engine.call(
            source, endpoint=_relative(call_engine, source, str(endpoint)), config=options, read=True
        )
        status = int(log.get("statusCode") or 0)
        if not 200 <= status < 300:
            raise SourceError(f"Extra data for {origin}: the source answered {status} for {endpoint}")
        data = (log.get("response") or {}).get("data")
        if config.get("keyToSetExtraData"):
            data = {str(config["keyToSetExtraData"]): data}
        return {**item, **data} if isinstance(data, dict) else item

    return enrich


def _relative(call_engine: Any, source: str, endpoint: str) -> str:
    """An endpoint that starts with the source's location is made relative to it."""
    location = str(call_engine.entities.get("sources", source).item.get("location") or "")
    return endpoint[len(location) :] if location and endpoint.startswith(location) else endpoint
