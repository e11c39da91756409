"""``POST /api/configurations/import`` (§9.2, §9.3): the original's bundles and single JSON-LD files.

Lenient where the management API is strict: JSON-LD keys, ids, timestamps, runtime state and fields
our entities do not have are dropped, never a 400. Entities are upserted by slug (or by ``@id`` as
``reference``). References are resolved to ids — to entities of the same bundle whatever their
order (a second pass fixes references to entities created later in the pass), or to existing ones;
what resolves to nothing is kept as written and reported by name. A broken entity is listed with its
reason and the rest is imported. Importing the same thing twice reports it ``unchanged``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openconnector_core.configuration.references import ORDER, SINGULAR, rewrite
from openconnector_core.entities.registry import RESOURCES
from openconnector_core.entities.slugs import derive_slug
from openconnector_core.errors import NotFoundError, OpenConnectorError, ValidationError

if TYPE_CHECKING:
    from openconnector_core.container import Container

# Never imported: identity, JSON-LD framing, timestamps and state the runtime maintains.
DROPPED = frozenset(
    {
        "@context", "@type", "@id", "id", "uuid", "created", "updated", "dateCreated", "dateModified",
        "lastRun", "nextRun", "lastCall", "lastSync", "objectCount", "rateLimitLimit",
        "rateLimitRemaining", "rateLimitReset", "rateLimitWindow", "sourceLastChanged",
        "sourceLastChecked", "sourceLastSynced", "targetLastChanged", "targetLastChecked",
        "targetLastSynced", "endpointArray", "endpointRegex", "jobListId", "configurations",
    }
)  # fmt: skip
_DEFERRED = object()


@dataclass
class Entry:
    resource: str
    key: str | None  # the bundle's slug, when it has one
    data: dict[str, Any]


@dataclass
class Report:
    created: dict[str, list[str]] = field(default_factory=dict)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: dict[str, list[str]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    unresolved: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def add(self, outcome: str, resource: str, slug: str) -> None:
        getattr(self, outcome).setdefault(resource, []).append(slug)

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "unresolved": self.unresolved,
            "warnings": self.warnings,
        }


def _resource_of(kind: Any) -> str:
    name = str(kind or "").strip().lower()
    resource = SINGULAR.get(name) or (name if name in ORDER else None)
    if resource is None or resource not in RESOURCES:
        allowed = ", ".join(sorted(SINGULAR))
        raise ValidationError(f"Cannot import objects of type {kind!r}; types: {allowed}", fields=["@type"])
    return resource


def _slug_of(value: Any) -> str | None:
    return str(value["slug"]) if isinstance(value, Mapping) and value.get("slug") else None


@dataclass
class Parsed:
    entries: list[Entry]
    configuration: dict[str, Any] | None = None
    skipped: list[dict[str, Any]] = field(default_factory=list)  # what the bundle holds that we cannot take


def entries_of(document: Any, type_hint: str | None = None) -> Parsed:
    """The entities of a bundle (``{"components": {type: {slug: entity}}}``, optionally with a
    ``configuration``) or of one object (``@type``, or ``type_hint`` for files without it). A
    component type we do not know is skipped and reported, not fatal."""
    if isinstance(document, Mapping) and "json" in document and len(document) == 1:  # POST /api/import
        document = document["json"]
        if isinstance(document, str):
            document = json.loads(document)
    if not isinstance(document, Mapping):
        raise ValidationError("An import is a JSON object: a bundle with 'components', or one entity")
    components = document.get("components")
    if isinstance(components, Mapping):
        parsed = Parsed([])
        configuration = document.get("configuration")
        parsed.configuration = dict(configuration) if isinstance(configuration, Mapping) else None
        for kind, items in components.items():
            try:
                resource = _resource_of(kind)
            except ValidationError as error:
                parsed.skipped.append({"type": kind, "error": error.message})
                continue
            pairs: list[tuple[str | None, Any]]
            if isinstance(items, Mapping):
                pairs = [(str(key), value) for key, value in items.items()]
            elif isinstance(items, list):  # a list of entities, each with its own slug (or name)
                pairs = [(_slug_of(value), value) for value in items]
            else:
                parsed.skipped.append(
                    {"type": kind, "error": f"components.{kind} must map slugs to entities"}
                )
                continue
            for key, value in pairs:
                if isinstance(value, Mapping):
                    parsed.entries.append(Entry(resource, key, dict(value)))
                else:
                    parsed.skipped.append({"type": resource, "slug": key, "error": "not a JSON object"})
        return parsed
    kind = document.get("@type") or type_hint
    if not kind:
        raise ValidationError("A single object needs '@type' (or ?type=) to say what it is", fields=["@type"])
    if type_hint and document.get("@type") and _resource_of(type_hint) != _resource_of(document["@type"]):
        raise ValidationError(
            f"The object you are trying to import is not a {type_hint} object", fields=["type"]
        )
    return Parsed([Entry(_resource_of(kind), None, dict(document))])


class Importer:
    def __init__(self, container: Container) -> None:
        self.container = container
        self.entities = container.entities
        self.report = Report()
        self.ids: dict[str, dict[str, str]] = {resource: {} for resource in (*ORDER, "configurations")}
        self.in_bundle: dict[str, set[str]] = {resource: set() for resource in ORDER}

    # -- resolution -----------------------------------------------------------------------------
    def _lookup(self, resource: str, value: str) -> str | None:
        if value in self.ids.get(resource, {}):
            return self.ids[resource][value]
        if resource not in RESOURCES:
            return None
        try:
            return str(self.entities.get(resource, value).item["id"])
        except NotFoundError:
            return None

    def _resolver(self, entry: Entry, slug: str, final: bool, later: list[str]) -> Any:
        """Resolves one reference; in the first pass one to a bundle entity not written yet is kept
        for now and noted in ``later``; in the final pass what stays unresolved is reported."""

        def resolve(resource: str, value: Any, where: str) -> Any:
            text = str(value)
            found = self._lookup(resource, text)
            if found is not None:
                return found
            if text in self.in_bundle.get(resource, set()) and not final:
                later.append(where)
                return value
            if final:
                self.report.unresolved.append(
                    {
                        "type": entry.resource,
                        "slug": slug,
                        "field": where,
                        "reference": value,
                        "target": resource,
                    }
                )
            return value

        return resolve

    # -- one entity -----------------------------------------------------------------------------
    def _desired(
        self, entry: Entry, slug: str, final: bool, later: list[str] | None = None
    ) -> dict[str, Any]:
        spec = RESOURCES[entry.resource]
        known = spec.model.wire_fields()
        data = {
            k: v for k, v in entry.data.items() if k in known and k not in DROPPED and not k.startswith("_")
        }
        if entry.data.get("@id") and not data.get("reference"):
            data["reference"] = entry.data["@id"]
        if isinstance(data.get("arguments"), str):  # the original stores job arguments JSON-encoded
            with contextlib.suppress(ValueError):
                data["arguments"] = json.loads(data["arguments"])
        data["slug"] = slug
        return rewrite(
            entry.resource, data, self._resolver(entry, slug, final, later if later is not None else [])
        )

    def _slug(self, entry: Entry) -> str:
        spec = RESOURCES[entry.resource]
        given = entry.key or entry.data.get("slug")
        if given:
            return str(given)
        name = entry.data.get("name") or entry.data.get("title")  # registers and schemas have a title
        return derive_slug(name, spec.model.SLUG_STYLE or "plain", "00000000", spec.kind)

    def _existing(self, entry: Entry, slug: str) -> dict[str, Any] | None:
        reference = entry.data.get("@id") or entry.data.get("reference")
        if reference:
            page = self.container.entity_store.list(
                entry.resource, filters={"reference": str(reference)}, limit=1
            )
            if page.items:
                return self.entities.reveal(entry.resource, page.items[0]["id"])
        try:
            return self.entities.reveal(entry.resource, slug)
        except NotFoundError:
            return None

    def _same(self, resource: str, desired: dict[str, Any], existing: Mapping[str, Any]) -> bool:
        spec = RESOURCES[resource]
        try:
            normalized = spec.model.model_validate({**existing, **desired}).to_wire()
        except Exception:
            return False
        return all(normalized.get(key) == existing.get(key) for key in desired)

    def _upsert(self, entry: Entry, slug: str, desired: dict[str, Any], first: bool) -> None:
        existing = self._existing(entry, slug)
        if existing is not None and self._same(entry.resource, desired, existing):
            outcome = "unchanged"
            entity_id = str(existing["id"])
        elif existing is not None:
            outcome = "updated"
            entity_id = str(self._write(entry, desired, existing["id"])["id"])
        else:
            outcome = "created"
            entity_id = str(self._write(entry, desired, None)["id"])
        for key in {slug, entity_id, entry.key, entry.data.get("slug")}:
            if key:
                self.ids[entry.resource][str(key)] = entity_id
        if first:
            self.report.add(outcome, entry.resource, slug)
        elif outcome == "updated" and slug in self.report.unchanged.get(entry.resource, []):
            self.report.unchanged[entry.resource].remove(slug)
            self.report.add("updated", entry.resource, slug)

    def _write(self, entry: Entry, desired: dict[str, Any], existing_id: Any) -> dict[str, Any]:
        body = dict(desired)
        for _attempt in range(2):
            try:
                if existing_id is None:
                    return self.entities.create(entry.resource, body).item
                return self.entities.update(entry.resource, str(existing_id), body).item
            except ValidationError as error:
                # A field the original writes but our model refuses is dropped, not fatal.
                fields = [
                    f for f in error.extra.get("fields") or [] if f in body and f not in ("name", "slug")
                ]
                if not fields or _attempt:
                    raise
                for name in fields:
                    body.pop(name)
                self.report.warnings.append(
                    {
                        "type": entry.resource,
                        "slug": desired.get("slug"),
                        "dropped": fields,
                        "reason": error.message,
                    }
                )
        raise AssertionError("unreachable")

    # -- the whole import -----------------------------------------------------------------------
    def run(self, document: Any, type_hint: str | None = None) -> dict[str, Any]:
        parsed = entries_of(document, type_hint)
        entries, configuration = parsed.entries, parsed.configuration
        self.report.errors += parsed.skipped
        entries.sort(key=lambda entry: ORDER.index(entry.resource))
        slugs = {id(entry): self._slug(entry) for entry in entries}
        for entry in entries:
            self.in_bundle[entry.resource].add(slugs[id(entry)])
            if entry.key:
                self.in_bundle[entry.resource].add(entry.key)
        config_id = self._configuration(configuration) if configuration else None
        deferred = [
            entry for entry in entries if self._import(entry, slugs[id(entry)], config_id, first=True)
        ]
        for entry in deferred:  # now every entity of the bundle exists
            slug = slugs[id(entry)]
            if slug in self.ids[entry.resource]:  # else it failed above and is listed in errors
                self._import(entry, slug, config_id, first=False)
        result = self.report.to_dict()
        if config_id:
            result["configuration"] = config_id
        return result

    def _import(self, entry: Entry, slug: str, config_id: str | None, first: bool) -> bool:
        """Upserts one entity (a failure is listed in errors). In the first pass, ``True`` when it
        refers to a bundle entity not written yet: it is written now and again in the second pass."""
        waits = False
        try:
            if first:
                later: list[str] = []
                desired = self._desired(entry, slug, final=False, later=later)
                waits = bool(later)
            if not waits:
                desired = self._desired(entry, slug, final=True)
            if config_id:
                desired["configurations"] = [config_id]
            self._upsert(entry, slug, desired, first=first)
        except OpenConnectorError as error:
            self.report.errors.append({"type": entry.resource, "slug": slug, "error": error.message})
        return waits

    def _configuration(self, configuration: dict[str, Any]) -> str | None:
        entry = Entry("configurations", None, configuration)
        slug = self._slug(entry)
        try:
            desired = self._desired(entry, slug, final=True)
            desired.pop("items", None)
            self._upsert(entry, slug, desired, first=True)
        except OpenConnectorError as error:
            self.report.errors.append({"type": "configurations", "slug": slug, "error": error.message})
            return None
        return self.ids["configurations"].get(slug)
