"""Reference rewriting: in returned objects, a property declared as a URI reference
(``format: uri``, or ``objectConfiguration.handling: uri``) whose value is a UUID — or a URL that
ends in one — becomes the gateway URL of the GET endpoint serving the referred object's
register/schema (the property's ``$ref`` or ``objectConfiguration.schema``, else the object's own).
Without such an endpoint the value stays. ``id``, ``uuid`` and ``@self`` are never rewritten;
expanded (object) values are kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError, NotFoundError
from openconnector_core.gateway.matching import compile_endpoint
from openconnector_core.gateway.request import PREFIX
from openconnector_core.gateway.rules.support import uuid_in

if TYPE_CHECKING:
    from openconnector_core.gateway.chain import Flow
    from openconnector_core.objects.ports import SchemaRef

_NEVER = frozenset({"id", "uuid", "@self"})


def rewrite(flow: Flow, ref: SchemaRef, objects: list[dict[str, Any]]) -> None:
    """Rewrite the references of ``objects`` (in place)."""
    properties = ref.schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, spec in properties.items():
        if name in _NEVER or not _is_reference(spec):
            continue
        template = _endpoint_for(flow, referred(flow, ref, name).key)
        if template is None:
            continue
        for item in objects:
            value = item.get(name)
            if isinstance(value, list):
                item[name] = [_url(flow, template, element) for element in value]
            elif value is not None:
                item[name] = _url(flow, template, value)


def referred(flow: Flow, ref: SchemaRef, prop: str) -> SchemaRef:
    """The register/schema the ids in ``prop`` belong to: the property's (or its items') ``$ref`` or
    ``objectConfiguration.schema`` (a schema id or slug, or a URL/pointer ending in one) in the same
    register; else ``ref`` itself."""
    properties = ref.schema.get("properties")
    spec = properties.get(prop) if isinstance(properties, dict) else None
    if not isinstance(spec, dict):
        return ref
    items = spec.get("items")
    items = items if isinstance(items, dict) else {}
    named = spec.get("$ref") or (spec.get("objectConfiguration") or {}).get("schema") or items.get("$ref")
    if isinstance(named, str) and named:
        schema = named.rstrip("/").rsplit("/", 1)[-1]
        try:
            return flow.ref(f"{ref.register['id']}/{schema}")
        except (NotFoundError, BadRequestError):
            pass
    return ref


def _is_reference(spec: Any) -> bool:
    if not isinstance(spec, dict):
        return False
    handling = (spec.get("objectConfiguration") or {}).get("handling")
    items = spec.get("items")
    items = items if isinstance(items, dict) else {}
    return spec.get("format") == "uri" or handling == "uri" or items.get("format") == "uri"


def _endpoint_for(flow: Flow, key: str) -> str | None:
    """The definition of a GET endpoint on ``key`` whose only placeholder is a trailing ``{{id}}``."""
    memo = flow.cache.current().targets
    if key in memo:
        return memo[key]
    found: str | None = None
    for endpoint in flow.cache.current().endpoints:
        item = endpoint.item
        if endpoint.method != "GET" or item.get("targetType") != "register/schema":
            continue
        matcher = compile_endpoint(endpoint.endpoint)
        names = [name for _, name in matcher.placeholders]
        if names != ["id"] or matcher.placeholders[0][0] != len(matcher.segments) - 1:
            continue
        try:
            if flow.ref(str(item.get("targetId") or "")).key == key:
                found = endpoint.endpoint
                break
        except (NotFoundError, BadRequestError):
            continue
    memo[key] = found
    return found


def _url(flow: Flow, template: str, value: Any) -> Any:
    object_id = uuid_in(value)
    if object_id is None:
        return value
    path = template.rsplit("/", 1)[0] + "/" + object_id
    return f"{flow.request.base_url}{PREFIX}{path}"
