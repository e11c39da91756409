"""The object store service: validated, audited CRUD on objects of a register/schema pair.

Implements :class:`openconnector_core.objects.ports.ObjectService` over an
:class:`~openconnector_core.objects.storage.ObjectStorage`. Single-object writes are conditional on
the revision read (a stale ``If-Match`` is a 412; without one, a lost race is retried on fresh data,
so concurrent merges never lose a change). Bulk writes are batched and unconditional: they are the
synchronization engine's, which serializes its own work per object with contracts.
"""

from __future__ import annotations

import builtins
import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from openconnector_core.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from openconnector_core.ids import new_id
from openconnector_core.objects.audit import AuditTrail, audit_entry
from openconnector_core.objects.filters import object_matcher
from openconnector_core.objects.holders import deleted_holder
from openconnector_core.objects.ports import (
    ObjectAction,
    ObjectEvent,
    ObjectListener,
    SchemaRef,
    SchemaRefLike,
    StoredObject,
    WriteOutcome,
)
from openconnector_core.objects.storage import ObjectRecord, ObjectStorage, Partition
from openconnector_core.objects.validation import object_errors
from openconnector_core.store.ports import EntityStore, Page
from openconnector_core.store.query import check_if_match, decode_cursor, encode_cursor, every_item, make_etag

logger = logging.getLogger(__name__)

_RETRIES = 5
_SELF = "@self"


# Not imported from ``entities``: that package loads pydantic and every model, which a gateway that
# only serves objects should not pay for at cold start.
def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _version(rev: int) -> str:
    """``@self.version``: ``0.0.1`` on create, the patch bumped by every write (as for entities)."""
    return f"0.0.{rev}"


def _partition(ref: SchemaRef) -> Partition:
    return Partition(register=str(ref.register["id"]), schema=str(ref.schema["id"]))


def _keys(entity: Mapping[str, Any]) -> set[str]:
    return {str(entity[name]) for name in ("id", "uuid", "slug") if entity.get(name)}


def _label(ref: SchemaRef) -> str:
    return f"{ref.register.get('slug') or ref.register['id']}/{ref.schema.get('slug') or ref.schema['id']}"


def as_object(ref: SchemaRef, record: ObjectRecord) -> dict[str, Any]:
    """The API shape: the stored fields plus ``id`` and ``@self``."""
    return {
        "id": record.id,
        **record.data,
        _SELF: {
            "register": ref.register["id"],
            "schema": ref.schema["id"],
            "version": record.version,
            "created": record.created,
            "updated": record.updated,
        },
    }


_STRICT_JSON = json.JSONEncoder(allow_nan=False)


def _clean(data: Any) -> dict[str, Any]:
    """The storable fields of a client's object: a JSON object without ``id`` and ``@self``."""
    if not isinstance(data, Mapping):
        raise BadRequestError("The object must be a JSON object")
    try:
        cleaned: dict[str, Any] = json.loads(_STRICT_JSON.encode(dict(data)))
    except (TypeError, ValueError) as error:
        raise BadRequestError(f"The object is not JSON: {error}") from None
    cleaned.pop("id", None)
    cleaned.pop(_SELF, None)
    return cleaned


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _object_id(raw: Any) -> str:
    """A client-chosen id must be a uuid; returned in canonical form."""
    if isinstance(raw, str) and _CANONICAL_UUID.fullmatch(raw):
        return raw
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        raise ValidationError(
            f"id must be a uuid, got {raw!r}",
            fields=["id"],
            errors=[{"property": "id", "message": f"{raw!r} is not a uuid"}],
        ) from None


class ObjectStore:
    """The :class:`~openconnector_core.objects.ports.ObjectService` of the composition root."""

    def __init__(self, entities: EntityStore, storage: ObjectStorage, audit: AuditTrail) -> None:
        self._entities = entities
        self._storage = storage
        self._audit = audit
        self._listeners: list[ObjectListener] = []
        self._listeners_lock = threading.Lock()

    # --- references ----------------------------------------------------------------------------

    def resolve(self, reference: SchemaRefLike) -> SchemaRef:
        if isinstance(reference, SchemaRef):
            return reference
        parts = str(reference).strip().strip("/").split("/")
        if len(parts) != 2 or not all(parts):
            raise BadRequestError(
                f"Expected a 'register/schema' reference, got {reference!r}", reference=str(reference)
            )
        register_key, schema_key = parts
        try:
            register = self._entities.get("registers", register_key).item
        except NotFoundError:
            raise NotFoundError(f"Unknown register {register_key!r}", register=register_key) from None
        try:
            schema = self._entities.get("schemas", schema_key).item
        except NotFoundError:
            raise NotFoundError(f"Unknown schema {schema_key!r}", schema=schema_key) from None
        listed = {str(key) for key in register.get("schemas") or []}
        if listed and not listed & _keys(schema):
            raise NotFoundError(
                f"Schema {schema_key!r} is not part of register {register_key!r}",
                register=register_key,
                schema=schema_key,
            )
        return SchemaRef(register=register, schema=schema)

    # --- single objects ------------------------------------------------------------------------

    def get(self, ref: SchemaRefLike, object_id: str) -> StoredObject:
        resolved = self.resolve(ref)
        record = self._read(resolved, object_id)
        return StoredObject(as_object(resolved, record), make_etag(record.rev))

    def create(
        self, ref: SchemaRefLike, data: Mapping[str, Any], *, actor: str | None = None
    ) -> StoredObject:
        resolved = self.resolve(ref)
        fields = _clean(data)
        object_id = _object_id(data["id"]) if data.get("id") else new_id()
        self._validate(resolved, fields)
        now = _now()
        record = ObjectRecord(object_id, fields, 1, _version(1), now, now)
        try:
            self._storage.put(_partition(resolved), record, expected_rev=0)
        except PreconditionFailedError:
            raise ConflictError(f"An object with id {object_id!r} exists", field="id") from None
        self._confirm(resolved, [object_id])
        self._committed(resolved, "created", None, record, actor)
        return StoredObject(as_object(resolved, record), make_etag(record.rev))

    def replace(
        self,
        ref: SchemaRefLike,
        object_id: str,
        data: Mapping[str, Any],
        *,
        if_match: str | None = None,
        actor: str | None = None,
    ) -> StoredObject:
        fields = _clean(data)
        return self._update(ref, object_id, lambda _current: fields, if_match, actor)

    def patch(
        self,
        ref: SchemaRefLike,
        object_id: str,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
        actor: str | None = None,
    ) -> StoredObject:
        fields = _clean(changes)
        return self._update(ref, object_id, lambda current: {**current, **fields}, if_match, actor)

    def delete(
        self, ref: SchemaRefLike, object_id: str, *, if_match: str | None = None, actor: str | None = None
    ) -> None:
        resolved = self.resolve(ref)
        partition = _partition(resolved)
        for attempt in range(_RETRIES):
            record = self._read(resolved, object_id)
            check_if_match(if_match, record.rev)
            try:
                self._storage.delete(partition, record.id, expected_rev=record.rev)
            except PreconditionFailedError:
                if if_match is not None or attempt == _RETRIES - 1:
                    raise
                continue
            self._committed(resolved, "deleted", record, None, actor)
            return

    # --- lists ---------------------------------------------------------------------------------

    def list(
        self,
        ref: SchemaRefLike,
        *,
        filters: Mapping[str, str] | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        resolved = self.resolve(ref)
        if limit < 1:
            raise ValidationError(f"_limit must be at least 1, got {limit}", fields=["_limit"])
        matches = object_matcher(filters, search)
        found: list[dict[str, Any]] = []
        for record in self._storage.scan(_partition(resolved), after=decode_cursor(cursor)):
            item = as_object(resolved, record)
            if matches(item):
                found.append(item)
                if len(found) > limit:
                    return Page(found[:limit], encode_cursor(found[limit - 1]["id"]))
        return Page(found, None)

    def count(self, ref: SchemaRefLike, *, filters: Mapping[str, str] | None = None) -> int:
        resolved = self.resolve(ref)
        if not filters:
            return self._storage.count(_partition(resolved))
        matches = object_matcher(filters, None)
        return sum(
            1 for record in self._storage.scan(_partition(resolved)) if matches(as_object(resolved, record))
        )

    # --- bulk ----------------------------------------------------------------------------------

    def get_many(self, ref: SchemaRefLike, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        resolved = self.resolve(ref)
        records = self._storage.get_many(_partition(resolved), list(dict.fromkeys(ids)))
        return {key: as_object(resolved, record) for key, record in records.items()}

    def put_many(
        self, ref: SchemaRefLike, objects: Sequence[Mapping[str, Any]], *, actor: str | None = None
    ) -> builtins.list[WriteOutcome]:
        resolved = self.resolve(ref)
        partition = _partition(resolved)
        outcomes: list[WriteOutcome | None] = []
        valid: list[tuple[int, str, dict[str, Any]]] = []  # (position, id, fields)
        for data in objects:
            raw_id = data.get("id") if isinstance(data, Mapping) else None
            try:
                if not raw_id:
                    raise ValidationError(
                        "id is required", errors=[{"property": "id", "message": "id is required"}]
                    )
                object_id = _object_id(raw_id)
                fields = _clean(data)
            except (ValidationError, BadRequestError) as error:
                errors = error.extra.get("errors") or [{"property": "", "message": error.message}]
                outcomes.append(WriteOutcome(str(raw_id or ""), "invalid", errors=errors))
                continue
            errors = object_errors(resolved.schema, fields)
            if errors:
                outcomes.append(WriteOutcome(object_id, "invalid", errors=errors))
                continue
            valid.append((len(outcomes), object_id, fields))
            outcomes.append(None)
        current = self._storage.get_many(partition, list(dict.fromkeys(key for _, key, _ in valid)))
        pending: dict[str, tuple[ObjectRecord | None, ObjectRecord]] = {}  # id → (first before, last)
        now = _now()
        for position, object_id, fields in valid:
            before = current.get(object_id)
            if before is not None and before.data == fields:
                outcomes[position] = WriteOutcome(object_id, "unchanged", as_object(resolved, before))
                continue
            if before is None:
                record = ObjectRecord(object_id, fields, 1, _version(1), now, now)
            else:
                record = ObjectRecord(
                    object_id, fields, before.rev + 1, _version(before.rev + 1), before.created, now
                )
            first = pending[object_id][0] if object_id in pending else before
            pending[object_id] = (first, record)
            current[object_id] = record
            action: Literal["created", "updated"] = "created" if before is None else "updated"
            outcomes[position] = WriteOutcome(object_id, action, as_object(resolved, record))
        if pending:
            self._storage.put_many(partition, [record for _, record in pending.values()])
            self._confirm(resolved, list(pending))
            self._committed_many(
                resolved,
                [(("updated" if old else "created"), old, new) for old, new in pending.values()],
                actor,
            )
        return [outcome for outcome in outcomes if outcome is not None]

    def delete_many(self, ref: SchemaRefLike, ids: Sequence[str], *, actor: str | None = None) -> None:
        resolved = self.resolve(ref)
        partition = _partition(resolved)
        existing = self._storage.get_many(partition, list(dict.fromkeys(ids)))
        if not existing:
            return
        self._storage.delete_many(partition, list(existing))
        self._committed_many(resolved, [("deleted", record, None) for record in existing.values()], actor)

    # --- audit and events ----------------------------------------------------------------------

    def audit_trail(
        self, ref: SchemaRefLike, object_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> Page:
        resolved = self.resolve(ref)
        partition = _partition(resolved)
        page = self._audit.list(
            register=partition.register,
            schema=partition.schema,
            object_id=object_id,
            limit=limit,
            cursor=cursor,
        )
        if not page.items and cursor is None and self._storage.get(partition, object_id) is None:
            raise NotFoundError(f"No object {object_id!r} in {resolved.key}", object=object_id)
        return page

    def subscribe(self, listener: ObjectListener) -> None:
        with self._listeners_lock:
            self._listeners.append(listener)

    def in_use(self, resource: str, entity: Mapping[str, Any]) -> bool:
        """Whether a ``schemas`` or ``registers`` entity still holds objects (it may not be deleted)."""
        if resource == "schemas":
            return self._storage.holds_objects(str(entity["id"]))
        if resource != "registers":
            return False
        return any(
            self._storage.holds_objects(schema_id, str(entity["id"]))
            for schema_id in self._schema_ids(entity.get("schemas") or [])
        )

    def _schema_ids(self, keys: Sequence[Any]) -> Iterable[str]:
        """The ids of the listed schemas that exist, or of every schema when none is listed."""
        for key in keys:
            try:
                yield str(self._entities.get("schemas", str(key)).item["id"])
            except NotFoundError:
                continue
        if not keys:
            yield from (str(schema["id"]) for schema in every_item(self._entities, "schemas"))

    # --- helpers -------------------------------------------------------------------------------

    def _read(self, ref: SchemaRef, object_id: str) -> ObjectRecord:
        record = self._storage.get(_partition(ref), object_id)
        if record is None:
            raise NotFoundError(
                f"The object with id {object_id} does not exist in {_label(ref)}", object=object_id
            )
        return record

    def _confirm(self, ref: SchemaRef, written: Sequence[str]) -> None:
        """After a write, before anyone hears of it: its register and schema still exist (else the
        write is taken back and refused), and a delete of either under way is called off."""
        refused = deleted_holder(self._entities, ref)
        if refused is not None:
            self._storage.delete_many(_partition(ref), written)
            raise refused

    def _validate(self, ref: SchemaRef, fields: Mapping[str, Any]) -> None:
        errors = object_errors(ref.schema, fields)
        if errors:
            raise ValidationError(
                "; ".join(f"{error['property'] or '(object)'}: {error['message']}" for error in errors[:5]),
                fields=list(dict.fromkeys(error["property"] for error in errors)),
                errors=errors,
            )

    def _update(
        self,
        ref: SchemaRefLike,
        object_id: str,
        change: Any,
        if_match: str | None,
        actor: str | None,
    ) -> StoredObject:
        resolved = self.resolve(ref)
        partition = _partition(resolved)
        for attempt in range(_RETRIES):
            before = self._read(resolved, object_id)
            check_if_match(if_match, before.rev)
            fields = change(before.data)
            self._validate(resolved, fields)
            if fields == before.data:
                return StoredObject(as_object(resolved, before), make_etag(before.rev))
            record = ObjectRecord(
                before.id, fields, before.rev + 1, _version(before.rev + 1), before.created, _now()
            )
            try:
                self._storage.put(partition, record, expected_rev=before.rev)
            except PreconditionFailedError:
                if if_match is not None or attempt == _RETRIES - 1:
                    raise
                continue
            self._confirm(resolved, [record.id])
            self._committed(resolved, "updated", before, record, actor)
            return StoredObject(as_object(resolved, record), make_etag(record.rev))
        raise AssertionError("unreachable")

    def _committed(
        self,
        ref: SchemaRef,
        action: ObjectAction,
        before: ObjectRecord | None,
        after: ObjectRecord | None,
        actor: str | None,
    ) -> None:
        self._committed_many(ref, [(action, before, after)], actor)

    def _committed_many(
        self,
        ref: SchemaRef,
        changes: Iterable[tuple[ObjectAction, ObjectRecord | None, ObjectRecord | None]],
        actor: str | None,
    ) -> None:
        partition = _partition(ref)
        with self._listeners_lock:
            listeners = builtins.list(self._listeners)
        entries, events = [], []
        for action, before, after in changes:
            subject = after or before
            assert subject is not None
            entries.append(
                audit_entry(
                    action,
                    register=partition.register,
                    schema=partition.schema,
                    object_id=subject.id,
                    version=after.version if after else before.version if before else None,
                    actor=actor,
                    before=before.data if before else None,
                    after=after.data if after else None,
                )
            )
            if not listeners:
                continue
            events.append(
                ObjectEvent(
                    action=action,
                    ref=ref,
                    object=as_object(ref, subject),
                    previous=as_object(ref, before) if before and after else None,
                    actor=actor,
                )
            )
        self._audit.record(entries)
        for listener in listeners:
            many = getattr(listener, "many", None)  # a batch listener takes the write's events at once
            if many is not None:
                _notify(many, events)
                continue
            for event in events:
                _notify(listener, event)


def _notify(listener: Callable[[Any], None], change: Any) -> None:
    try:
        listener(change)
    except Exception:  # a listener's failure must not undo or fail a committed write
        logger.exception("Object listener %r failed", listener)
