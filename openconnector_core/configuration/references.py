"""Where entities point at each other, in one place for import (slugs/ids → ids) and export
(ids → slugs). ``rewrite`` walks an item's reference fields and replaces each value by what
``resolve(resource, value, field)`` returns; a ``register/schema`` pair is resolved half by half.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# Import order: what is referenced comes first (references to later ones are resolved afterwards).
ORDER = (
    "registers",
    "schemas",
    "sources",
    "mappings",
    "rules",
    "endpoints",
    "synchronizations",
    "jobs",
    "consumers",
    "event-subscriptions",
)
SINGULAR = {
    "register": "registers",
    "schema": "schemas",
    "source": "sources",
    "mapping": "mappings",
    "rule": "rules",
    "endpoint": "endpoints",
    "synchronization": "synchronizations",
    "job": "jobs",
}
# Rule configuration keys that hold a reference (the original's export rules, §9.3).
_CONFIG_KEYS = dict(SINGULAR)
_EXECUTE_MAPPING = re.compile(r"""(executeMapping\(\s*)(['"]?)([^'",)\s]+)\2""")

Resolve = Callable[[str, Any, str], Any]


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""


def _pair(value: Any, field: str, resolve: Resolve) -> Any:
    text = str(value)
    if "/" not in text:
        return value
    register, schema = text.split("/", 1)
    return f"{resolve('registers', register, field)}/{resolve('schemas', schema, field)}"


def _by_type(kind: Any, value: Any, field: str, resolve: Resolve) -> Any:
    if not _scalar(value):
        return value
    if kind == "register/schema":
        return _pair(value, field, resolve)
    return resolve("sources", value, field)


def _field(item: dict[str, Any], name: str, resource: str, resolve: Resolve) -> None:
    if _scalar(item.get(name)):
        item[name] = resolve(resource, item[name], name)


def _list(item: dict[str, Any], name: str, resource: str, resolve: Resolve) -> None:
    values = item.get(name)
    if isinstance(values, list):
        item[name] = [resolve(resource, v, f"{name}[{i}]") if _scalar(v) else v for i, v in enumerate(values)]


def _config_reference(key: str) -> str | None:
    """``source`` or ``sourceId`` or ``targetSourceId`` → ``sources`` (and so on)."""
    if key in _CONFIG_KEYS:
        return _CONFIG_KEYS[key]
    for name, resource in _CONFIG_KEYS.items():
        if key == f"{name}Id" or key.endswith(f"{name[0].upper()}{name[1:]}Id"):
            return resource
    return None


def _looks_like_path(value: Any) -> bool:
    # e.g. ``"endpoint": "/case/{{ id }}"`` in a rule is a path on a source, not an endpoint entity
    return isinstance(value, str) and ("/" in value or "{" in value)


def _rule_configuration(value: Any, path: str, resolve: Resolve) -> Any:
    if isinstance(value, dict):
        result = {}
        for key, child in value.items():
            resource = _config_reference(key)
            where = f"{path}.{key}"
            if resource is not None and _scalar(child) and not _looks_like_path(child):
                result[key] = resolve(resource, child, where)
            else:
                result[key] = _rule_configuration(child, where, resolve)
        return result
    if isinstance(value, list):
        return [_rule_configuration(child, f"{path}[{i}]", resolve) for i, child in enumerate(value)]
    return value


def _templates(value: Any, path: str, resolve: Resolve) -> Any:
    if isinstance(value, str) and "executeMapping" in value:

        def replace(match: re.Match[str]) -> str:
            target = match.group(3)
            if target.startswith(("http", "{")):
                return match.group(0)
            resolved = resolve("mappings", target, path)
            return f"{match.group(1)}'{resolved}'"

        return _EXECUTE_MAPPING.sub(replace, value)
    if isinstance(value, dict):
        return {key: _templates(child, f"{path}.{key}", resolve) for key, child in value.items()}
    if isinstance(value, list):
        return [_templates(child, f"{path}[{i}]", resolve) for i, child in enumerate(value)]
    return value


def rewrite(resource: str, item: dict[str, Any], resolve: Resolve) -> dict[str, Any]:
    """A copy of ``item`` with every reference replaced by ``resolve``'s answer."""
    result = dict(item)
    if resource == "registers":
        _list(result, "schemas", "schemas", resolve)
    elif resource == "endpoints":
        if _scalar(result.get("targetId")):
            result["targetId"] = _by_type(result.get("targetType"), result["targetId"], "targetId", resolve)
        _field(result, "inputMapping", "mappings", resolve)
        _field(result, "outputMapping", "mappings", resolve)
        _list(result, "rules", "rules", resolve)
    elif resource == "synchronizations":
        for name, kind in (("sourceId", "sourceType"), ("targetId", "targetType")):
            if _scalar(result.get(name)):
                result[name] = _by_type(result.get(kind), result[name], name, resolve)
        for name in ("sourceHashMapping", "sourceTargetMapping", "targetSourceMapping"):
            _field(result, name, "mappings", resolve)
        _list(result, "actions", "rules", resolve)
        _list(result, "followUps", "synchronizations", resolve)
    elif resource == "rules":
        if isinstance(result.get("configuration"), dict):
            result["configuration"] = _rule_configuration(result["configuration"], "configuration", resolve)
    elif resource == "jobs":
        arguments = result.get("arguments")
        if isinstance(arguments, dict):
            arguments = dict(arguments)
            for name, target in (
                ("synchronizationId", "synchronizations"),
                ("endpointId", "endpoints"),
                ("sourceId", "sources"),
            ):
                if _scalar(arguments.get(name)):
                    arguments[name] = resolve(target, arguments[name], f"arguments.{name}")
            result["arguments"] = arguments
    elif resource == "mappings" and isinstance(result.get("mapping"), dict):
        result["mapping"] = _templates(result["mapping"], "mapping", resolve)
    return result
