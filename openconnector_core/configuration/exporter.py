"""Exports (§9.1, §9.3): a configuration's bundle and single JSON-LD objects, without secrets.

References become slugs (ids do not travel between installations); entities a member refers to are
exported too, so a bundle imports on its own. Nothing secret leaves: the secret fields of the
entity's rules (our secret store's), every masked value, the original's list of source credential
fields and its ``headers.*`` keys that look like credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openconnector_core.configuration.importer import DROPPED
from openconnector_core.configuration.references import ORDER, SINGULAR, rewrite
from openconnector_core.entities.registry import RESOURCES
from openconnector_core.entities.secrets import MASK, SECRET_REF, secret_locations
from openconnector_core.errors import BadRequestError, NotFoundError
from openconnector_core.store.query import every_item

if TYPE_CHECKING:
    from openconnector_core.container import Container

SOURCE_SECRET_FIELDS = frozenset(
    {
        "authorizationHeader", "auth", "authenticationConfig", "authorizationPassthroughMethod", "jwt",
        "jwtId", "secret", "username", "password", "apikey",
    }
)  # fmt: skip
_HEADER_WORDS = ("authorization", "token", "key", "secret")
NOT_EXPORTABLE = ("calllog", "consumer", "event", "eventmessage", "joblog", "synchronizationcontract")
CONTEXT = {"schema": "http://schema.org", "register": "Not Implemented"}


def _without_masks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_masks(v) for k, v in value.items() if v != MASK}
    if isinstance(value, list):
        return [_without_masks(v) for v in value if v != MASK]
    return value


def _drop(item: dict[str, Any], path: list[str]) -> None:
    target: Any = item
    for part in path[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.get(part)
        if not isinstance(target, dict | list):
            return
    if isinstance(target, dict):
        target.pop(path[-1], None)


def without_secrets(resource: str, item: Mapping[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {k: v for k, v in item.items() if k != SECRET_REF}
    for path, _value in list(secret_locations(result, RESOURCES[resource].secrets)):
        _drop(result, path)
    if resource == "sources":
        for name in SOURCE_SECRET_FIELDS:
            result.pop(name, None)
        configuration = result.get("configuration")
        if isinstance(configuration, dict):
            result["configuration"] = {
                key: value
                for key, value in configuration.items()
                if not (key.startswith("headers.") and any(word in key.lower() for word in _HEADER_WORDS))
            }
    cleaned: dict[str, Any] = _without_masks(result)
    return cleaned


class Exporter:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.slugs: dict[tuple[str, str], str] = {}
        self.wanted: list[tuple[str, str]] = []

    def _slug(self, resource: str, value: Any, field: str) -> Any:
        if resource not in RESOURCES:
            return value
        try:
            item = self.container.entities.get(resource, str(value)).item
        except NotFoundError:
            return value  # not ours (e.g. a numeric id from another installation): as written
        if (resource, item["id"]) not in self.wanted:
            self.wanted.append((resource, item["id"]))
        return item.get("slug") or item["id"]

    def portable(self, resource: str, item: Mapping[str, Any]) -> dict[str, Any]:
        """The entity as it travels: no identity, state or secrets; references as slugs."""
        clean = {k: v for k, v in without_secrets(resource, item).items() if k not in DROPPED}
        if resource == "jobs":
            clean.pop("status", None)
        return rewrite(resource, clean, self._slug)

    def single(self, kind: str, key: str) -> dict[str, Any]:
        """``GET /api/export/{type}/{id}``: one entity as JSON-LD."""
        name = kind.strip().lower()
        if name in NOT_EXPORTABLE:
            raise BadRequestError(f"It is not allowed to export objects of type: {kind}", type=kind)
        resource = SINGULAR.get(name)
        if resource is None or resource not in RESOURCES:
            raise BadRequestError(f"Could not find a mapper for this type: {kind}", type=kind)
        item = self.container.entities.get(resource, key).item
        reference = item.get("reference") or f"urn:uuid:{item.get('uuid') or item['id']}"
        return {"@context": CONTEXT, "@type": name, "@id": reference, **self.portable(resource, item)}

    def configuration(self, key: str) -> dict[str, Any]:
        """``GET /api/configurations/{id}/export``: the members and what they refer to."""
        configuration = self.container.entities.get("configurations", key).item
        names = {str(configuration[k]) for k in ("id", "uuid", "slug") if configuration.get(k)}
        for resource in ORDER:
            if resource not in RESOURCES:
                continue
            listed = {str(value) for value in (configuration.get("items") or {}).get(resource, [])}
            for item in every_item(self.container.entity_store, resource):
                member = names & {str(c) for c in _as_list(item.get("configurations"))}
                if member or listed & {str(item.get(k)) for k in ("id", "uuid", "slug")}:
                    self.wanted.append((resource, item["id"]))
        components: dict[str, dict[str, Any]] = {}
        for resource, entity_id in self.wanted:  # references found while exporting join the list
            item = self.container.entities.get(resource, entity_id).item
            components.setdefault(resource, {})[str(item.get("slug") or item["id"])] = self.portable(
                resource, item
            )
        header = {k: configuration.get(k) for k in ("name", "description", "slug", "version", "app", "type")}
        ordered = {resource: components[resource] for resource in ORDER if resource in components}
        return {"configuration": {k: v for k, v in header.items() if v is not None}, "components": ordered}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value] if value else []
