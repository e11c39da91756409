"""The entity service: the one place with entity semantics (defaults, slugs, versions, secrets).

The management API calls it for every CRUD route; engines use ``reveal`` (credentials in clear)
and ``record_state`` (bookkeeping such as a source's rate-limit fields)."""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import pydantic

from openconnector_core.entities.base import now_iso
from openconnector_core.entities.endpoints import endpoint_array, endpoint_regex
from openconnector_core.entities.registry import RESOURCES, ResourceSpec, StorageKind, resource_spec
from openconnector_core.entities.secret_versions import ORPHAN_GRACE, SecretVersions
from openconnector_core.entities.secrets import SECRET_REF, extract, reveal
from openconnector_core.entities.slugs import create_with_free_slug, derive_slug, slug_problem
from openconnector_core.entities.versions import INITIAL_VERSION, bump_patch
from openconnector_core.errors import (
    BadRequestError,
    ConflictError,
    DeploymentError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from openconnector_core.ids import new_id, uuid7_floor
from openconnector_core.store.ports import EntityStore, LogStore, Page, SecretStore, Stored
from openconnector_core.store.query import check_if_match, matcher, parse_limit

LOG_ETAG = '"1"'  # logs never change
_RETRIES = 5
_ATTEMPTS = 64
"""Unconditional writes under contention: each round lets one concurrent writer through."""

# Maintained by the service: a client may send them (e.g. a GET body PUT back); they are ignored,
# like upstream drops ``id`` and ``_``-prefixed keys. JSON-LD keys (``@id``…) are import metadata.
_IGNORED_ON_WRITE = frozenset({"id", "created", "updated", "dateCreated", "dateModified", SECRET_REF})
_FIXED_AFTER_CREATE = frozenset({"uuid"})
_NOT_STATE = frozenset({"id", "uuid", "slug", "created", "updated", "version", SECRET_REF})


def _retried[T](write: Callable[[], T], *, conditional: bool) -> T:
    """Run a read-modify-write; when another write came between its read and its write, read and
    try again — unless the client made the write conditional (``If-Match``): then it gets 412."""
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return write()
        except PreconditionFailedError:
            if conditional or attempt == _ATTEMPTS:
                raise
            time.sleep(random.uniform(0, min(0.05, 0.002 * attempt)))
    raise AssertionError("unreachable")


def _uuid_markers(spec: ResourceSpec) -> str:
    """Where client uuids of a resource are reserved (not an API resource)."""
    return f"uuids:{spec.name}"


def _exists(store: EntityStore, resource: str, key: str) -> bool:
    try:
        store.get(resource, key)
    except NotFoundError:
        return False
    return True


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != SECRET_REF}


def _clean(body: Any, ignored: frozenset[str], spec: ResourceSpec) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationError("The request body must be a JSON object", fields=[])
    ignored = ignored | spec.model.LEGACY_IGNORED
    return {key: value for key, value in body.items() if not (key.startswith(("_", "@")) or key in ignored)}


def _validate(spec: ResourceSpec, item: Mapping[str, Any]) -> dict[str, Any]:
    """The wire item as the model normalizes it; every problem reported at once, none written."""
    known = spec.model.wire_fields()
    unknown = sorted(key for key in item if key not in known)
    problems = [{"field": key, "message": "unknown field"} for key in unknown]
    try:
        wire = spec.model.model_validate({k: v for k, v in item.items() if k in known}).to_wire()
    except pydantic.ValidationError as error:
        wire = {}
        for detail in error.errors():
            location = [str(part) for part in detail["loc"]] or ["(body)"]
            problems.append({"field": location[0], "message": f"{'.'.join(location)}: {detail['msg']}"})
    if problems:
        fields = list(dict.fromkeys(problem["field"] for problem in problems))
        parts = []
        if unknown:
            parts.append(f"unknown field(s) {', '.join(unknown)}")
        parts += [problem["message"] for problem in problems if problem["message"] != "unknown field"]
        raise ValidationError(f"Invalid {spec.kind}: {'; '.join(parts)}", fields=fields, errors=problems)
    if spec.check is not None:
        spec.check(wire)
    return wire


def _derive(spec: ResourceSpec, wire: dict[str, Any]) -> None:
    """Fill the fields computed from others: slug, endpoint array/regex, Source/Mapping date mirrors."""
    style = spec.model.SLUG_STYLE
    if style is not None:
        if wire.get("slug"):
            problem = slug_problem(wire["slug"])
            if problem:
                raise ValidationError(f"Invalid slug {wire['slug']!r}: {problem}", fields=["slug"])
        else:
            wire["slug"] = derive_slug(wire.get("name") or wire.get("title"), style, wire["id"], spec.kind)
    if "endpointRegex" in wire:  # derived, never taken from the client (an import's may be upstream's)
        endpoint = wire.get("endpoint") or ""
        wire["endpointArray"] = endpoint_array(endpoint)
        wire["endpointRegex"] = endpoint_regex(endpoint)
    if "dateCreated" in wire:
        wire["dateCreated"], wire["dateModified"] = wire["created"], wire["updated"]


class EntityService:
    def __init__(
        self,
        entities: EntityStore,
        secrets: SecretStore,
        contracts: EntityStore | None = None,
        logs: LogStore | None = None,
        on_write: Callable[[str], None] | None = None,
    ) -> None:
        self._entities = entities
        # Told the resource name after every committed create/update/delete (the gateway's
        # configuration version, docs/adr/0210).
        self._on_write = on_write
        self._secrets = secrets
        self._contracts = contracts
        self._logs = logs
        self._versions = SecretVersions(secrets, entities)

    # --- reading -------------------------------------------------------------------------------

    def list(self, resource: str, params: Mapping[str, str]) -> Page:
        """``_limit`` (default 50, capped at 500), ``_next``, ``_search``; other plain parameters are
        equality filters on wire field names (``IS NULL``/``IS NOT NULL`` allowed)."""
        spec = resource_spec(resource)
        limit = parse_limit(params.get("_limit"))
        cursor = params.get("_next") or None
        search = params.get("_search") or None
        filters = {key: value for key, value in params.items() if not key.startswith("_")}
        unknown = sorted(set(filters) - spec.model.wire_fields())
        if unknown:
            raise ValidationError(
                f"Cannot filter {resource} on unknown field(s): {', '.join(unknown)}", fields=unknown
            )
        if spec.storage is StorageKind.LOGS:
            page = self._log_store().query(
                resource, where=matcher(filters, search), limit=limit, cursor=cursor
            )
        else:
            page = self._store(spec).list(
                resource, filters=filters, search=search, limit=limit, cursor=cursor
            )
        return Page([_public(item) for item in page.items], page.next)

    def get(self, resource: str, key: str) -> Stored:
        """By id, uuid or slug; secrets masked."""
        spec = resource_spec(resource)
        if spec.storage is StorageKind.LOGS:
            return Stored(self._log_store().get(resource, key), LOG_ETAG)
        stored = self._store(spec).get(resource, key)
        return Stored(_public(stored.item), stored.etag)

    def reveal(self, resource: str, key: str) -> dict[str, Any]:
        """The wire item with its secrets in clear — for the call engine only, never a response."""
        spec = resource_spec(resource)
        if spec.storage is StorageKind.LOGS:
            return self._log_store().get(resource, key)
        store = self._store(spec)
        for _attempt in range(_RETRIES):
            stored = store.get(resource, key)
            ref = stored.item.get(SECRET_REF)
            if not ref:
                return _public(stored.item)
            values = self._versions.read(ref)
            if values is not None:
                return _public(reveal(stored.item, values))
            # The version this item names is gone: a newer write committed and removed it since the
            # item was read. Read the item again; it names the newer version.
        raise ConflictError(f"The secret of {spec.kind} {key} kept changing while it was read; try again")

    def counts(self) -> dict[str, int]:
        """Number of entities per resource (camelCase keys), for ``GET /api/dashboard``."""
        result: dict[str, int] = {}
        for spec in RESOURCES.values():
            if spec.storage is StorageKind.ENTITIES:
                result[spec.count_key] = self._entities.count(spec.name)
            elif spec.storage is StorageKind.CONTRACTS and self._contracts is not None:
                result[spec.count_key] = self._contracts.count(spec.name)
        return result

    # --- writing -------------------------------------------------------------------------------

    def create(self, resource: str, body: dict[str, Any]) -> Stored:
        spec = self._writable(resource)
        item = _clean(body, _IGNORED_ON_WRITE, spec)
        entity_id, now = new_id(), now_iso()
        item.update(id=entity_id, created=now, updated=now)
        client_uuid = self._client_uuid(spec, item.get("uuid"))
        item["uuid"] = client_uuid or entity_id
        if client_uuid:
            self._claim_uuid(spec, client_uuid, entity_id)
        if "version" in spec.model.wire_fields() and not item.get("version"):
            item["version"] = INITIAL_VERSION
        wire = _validate(spec, item)
        derived = not wire.get("slug")
        _derive(spec, wire)
        masked, found = extract(wire, spec.secrets)
        version = self._versions.write(spec.name, entity_id, found) if found else None
        if version:
            masked[SECRET_REF] = version
        try:
            stored = create_with_free_slug(
                lambda attempt: self._entities.create(resource, attempt), masked, derived=derived
            )
        except Exception:
            if version:
                self._versions.discard(version)
            if client_uuid:
                self._release_uuid(spec, client_uuid)
            raise
        self._written(resource)
        return Stored(_public(stored.item), stored.etag)

    def update(self, resource: str, key: str, body: dict[str, Any], if_match: str | None = None) -> Stored:
        """Partial: only supplied keys change (a supplied JSON field is replaced whole). The version's
        patch is bumped unless a non-empty ``version`` is sent; ``"slug": ""`` derives it again."""
        spec = self._writable(resource)
        changes = _clean(body, _IGNORED_ON_WRITE | _FIXED_AFTER_CREATE, spec)
        stored = _retried(
            lambda: self._update_once(spec, self._entities.get(resource, key), changes, if_match),
            conditional=if_match is not None,
        )
        self._written(resource)
        return stored

    def _update_once(
        self, spec: ResourceSpec, current: Stored, changes: dict[str, Any], if_match: str | None
    ) -> Stored:
        check_if_match(if_match, int(current.etag.strip('"')))
        item = {**_public(current.item), **changes, "updated": now_iso()}
        if "version" in spec.model.wire_fields() and not changes.get("version"):
            item["version"] = bump_patch(current.item.get("version"))
        if "slug" in changes and not changes["slug"]:
            item["slug"] = None
        wire = _validate(spec, item)
        _derive(spec, wire)
        ref = current.item.get(SECRET_REF)
        previous = self._versions.read(ref) if ref else {}
        if previous is None:
            raise PreconditionFailedError(f"The {spec.kind} changed while it was updated")
        masked, found = extract(wire, spec.secrets, previous)
        # Unchanged secrets keep their version; changed ones get a new version, written before the
        # item that names it, and the item is written only if nobody else wrote it meanwhile.
        version = ref if found and found == previous else None
        new_version = self._versions.write(spec.name, wire["id"], found) if found and not version else None
        version = version or new_version
        if version:
            masked[SECRET_REF] = version
        try:
            stored = self._entities.replace(spec.name, masked, if_match=current.etag)
        except Exception:
            if new_version:
                self._versions.discard(new_version)
            raise
        if ref and ref != version:
            self._versions.discard(ref)
        if new_version:
            self._versions.sweep(spec.name, wire["id"], keep=new_version)
        return Stored(_public(stored.item), stored.etag)

    def delete(
        self,
        resource: str,
        key: str,
        if_match: str | None = None,
        *,
        guard: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """Deletes the entity and its secret. ``guard(entity)`` raises to keep the entity (e.g. a
        schema that holds objects); writers elsewhere see the deletion mark it runs under and call
        the delete off by removing it: then the delete looks again (ADR 0195)."""
        spec = self._writable(resource)

        def delete_once() -> dict[str, Any]:
            current = self._entities.get(resource, key)
            check_if_match(if_match, int(current.etag.strip('"')))
            entity_id = current.item["id"]
            if guard is None:
                self._entities.delete(resource, entity_id, if_match=current.etag)
                return current.item
            token = new_id()
            self._entities.mark_deleting(resource, entity_id, token, if_match=current.etag)
            try:
                guard(_public(current.item))
            except BaseException:
                self._entities.unmark_deleting(resource, entity_id, token)
                raise
            try:
                self._entities.delete(resource, entity_id, if_match=current.etag, deleting=token)
            except ConflictError:  # a writer called it off: what it wrote is there now
                guard(_public(current.item))
                raise
            return current.item

        deleted = _retried(delete_once, conditional=if_match is not None)
        entity_id = str(deleted["id"])
        if deleted.get("uuid") and deleted["uuid"] != entity_id:
            self._release_uuid(spec, str(deleted["uuid"]))
        if spec.secrets.any:
            self._versions.discard_all(spec.name, entity_id)
        self._written(resource)

    def record_state(
        self, resource: str, key: str, fields: dict[str, Any], *, if_match: str | None = None
    ) -> dict[str, Any]:
        """Internal bookkeeping (e.g. ``rateLimitRemaining``, ``lastCall``, ``currentPage``): no version
        bump, no ``updated`` change (that would look like a configuration edit to change detection),
        retried on concurrent writes. Identity and secret fields cannot be set this way.
        With ``if_match`` it is one conditional write (a claim): a stale revision → 412."""
        spec = resource_spec(resource)
        if spec.storage is StorageKind.LOGS:
            raise BadRequestError(f"{resource} are logs; they cannot be changed")
        secret_fields = set(spec.secrets.fields) | set(spec.secrets.containers)
        refused = sorted(key for key in fields if key in _NOT_STATE or key in secret_fields)
        if refused:
            raise ValidationError(f"Not state fields of {spec.kind}: {', '.join(refused)}", fields=refused)
        store = self._store(spec)

        def record_once() -> dict[str, Any]:
            current = store.get(resource, key)
            wire = _validate(spec, {**_public(current.item), **fields})
            if SECRET_REF in current.item:
                wire[SECRET_REF] = current.item[SECRET_REF]
            return _public(store.replace(resource, wire, if_match=if_match or current.etag).item)

        return _retried(record_once, conditional=if_match is not None)

    # --- helpers -------------------------------------------------------------------------------

    def _written(self, resource: str) -> None:
        if self._on_write is not None:
            self._on_write(resource)

    def _client_uuid(self, spec: ResourceSpec, value: Any) -> str | None:
        """A ``uuid`` sent on create (e.g. by an export of the original, whose references use it):
        it must be a UUID that no other entity of the resource has."""
        if value is None or value == "":
            return None
        try:
            text = str(uuid.UUID(str(value)))
        except ValueError:
            raise ValidationError(f"uuid must be a UUID, got {value!r}", fields=["uuid"]) from None
        if _exists(self._store(spec), spec.name, text):
            raise ConflictError(f"A {spec.kind} with uuid {text} already exists", fields=["uuid"])
        return text

    def _claim_uuid(self, spec: ResourceSpec, client_uuid: str, entity_id: str) -> None:
        """Reserve a client's uuid with a marker item (a conditional create): of two creates racing
        with the same uuid exactly one gets it. A marker whose entity never came (its writer
        crashed) is taken over once that writer cannot still be running."""
        markers = _uuid_markers(spec)
        try:
            self._entities.create(markers, {"id": client_uuid, "entityId": entity_id})
            return
        except ConflictError:
            holder = self._entities.get(markers, client_uuid)
        taken = ConflictError(f"A {spec.kind} with uuid {client_uuid} already exists", fields=["uuid"])
        holder_id = str(holder.item.get("entityId") or "")
        if _exists(self._entities, spec.name, holder_id):
            raise taken
        if holder_id >= uuid7_floor(datetime.now(UTC) - ORPHAN_GRACE):
            raise taken  # its create may still be running
        try:
            self._entities.replace(markers, {"id": client_uuid, "entityId": entity_id}, if_match=holder.etag)
        except PreconditionFailedError:
            raise taken from None

    def _release_uuid(self, spec: ResourceSpec, client_uuid: str) -> None:
        with contextlib.suppress(NotFoundError):
            self._entities.delete(_uuid_markers(spec), client_uuid)

    def _writable(self, resource: str) -> ResourceSpec:
        spec = resource_spec(resource)
        if spec.read_only:
            raise BadRequestError(
                f"{resource} is read-only: only GET is allowed", resource=resource, allowed=["GET"]
            )
        return spec

    def _store(self, spec: ResourceSpec) -> EntityStore:
        if spec.storage is StorageKind.CONTRACTS:
            if self._contracts is None:
                raise DeploymentError("No contracts store configured")
            return self._contracts
        return self._entities

    def _log_store(self) -> LogStore:
        if self._logs is None:
            raise DeploymentError("No log store configured")
        return self._logs
