"""The object store's contract, shared by the objects API, synchronizations, the gateway and events.

Objects are JSON objects that belong to one register/schema pair. Wherever the original writes
``"{register}/{schema}"`` (endpoint and synchronization ``targetId``/``sourceId``, rules, the objects
API), each half may be an id, uuid or slug; :meth:`ObjectService.resolve` turns it into a
:class:`SchemaRef`, and every other method takes either form.

An object comes back as stored plus ``id`` and an ``@self`` block
(``register``, ``schema``, ``version``, ``created``, ``updated``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from openconnector_core.store.ports import Page

ObjectAction = Literal["created", "updated", "deleted"]


@dataclass(frozen=True)
class SchemaRef:
    """A resolved ``register/schema`` pair (the stored register and schema entities)."""

    register: dict[str, Any]
    schema: dict[str, Any]

    @property
    def key(self) -> str:
        """``"{registerId}/{schemaId}"``: the canonical form, stable across slug renames."""
        return f"{self.register['id']}/{self.schema['id']}"


@dataclass(frozen=True)
class StoredObject:
    """One object with ``id`` and ``@self``, and the revision used for ``ETag`` / ``If-Match``."""

    object: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class WriteOutcome:
    """What a bulk write did to one object: ``created``/``updated``/``unchanged``, or ``invalid``
    with the validation ``errors`` (``[{"property", "message"}]``); an invalid object is not stored."""

    id: str
    action: Literal["created", "updated", "unchanged", "invalid"]
    object: dict[str, Any] | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ObjectEvent:
    """Published after a committed create/update/delete (events, event-driven synchronizations)."""

    action: ObjectAction
    ref: SchemaRef
    object: dict[str, Any]  # the object after the write (before it, for a delete)
    previous: dict[str, Any] | None  # the object before an update, else None
    actor: str | None


# A listener may also have ``many(events)``: it then gets a bulk write's events in one call.
ObjectListener = Callable[[ObjectEvent], None]
SchemaRefLike = str | SchemaRef


class ObjectService(Protocol):
    """Validated, audited CRUD on objects. Raises ``NotFoundError`` naming the unknown register,
    schema or object; ``ValidationError`` whose extra ``errors`` is ``[{"property", "message"}]``;
    ``PreconditionFailedError`` on a stale ``if_match``. ``actor`` is who writes (the management
    principal, the gateway consumer, ``synchronization:<id>``) for the audit trail."""

    def resolve(self, reference: SchemaRefLike) -> SchemaRef: ...

    def get(self, ref: SchemaRefLike, object_id: str) -> StoredObject: ...

    def create(
        self, ref: SchemaRefLike, data: Mapping[str, Any], *, actor: str | None = None
    ) -> StoredObject:
        """A new object with a server-made uuid ``id`` (an ``id`` in ``data`` must be a new uuid)."""
        ...

    def replace(
        self,
        ref: SchemaRefLike,
        object_id: str,
        data: Mapping[str, Any],
        *,
        if_match: str | None = None,
        actor: str | None = None,
    ) -> StoredObject: ...

    def patch(
        self,
        ref: SchemaRefLike,
        object_id: str,
        changes: Mapping[str, Any],
        *,
        if_match: str | None = None,
        actor: str | None = None,
    ) -> StoredObject:
        """Merge ``changes`` into the stored object (top-level keys), then validate the result."""
        ...

    def delete(
        self, ref: SchemaRefLike, object_id: str, *, if_match: str | None = None, actor: str | None = None
    ) -> None: ...

    def list(
        self,
        ref: SchemaRefLike,
        *,
        filters: Mapping[str, str] | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """Stable order; ``filters`` are equality on top-level and dot-path fields
        (``address.city``); ``search`` is a case-insensitive substring over string fields."""
        ...

    def count(self, ref: SchemaRefLike, *, filters: Mapping[str, str] | None = None) -> int: ...

    # -- bulk, for synchronizations: batched reads and writes, one outcome per object -----------
    def get_many(self, ref: SchemaRefLike, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The objects that exist, by id (unknown ids are simply absent)."""
        ...

    def put_many(
        self, ref: SchemaRefLike, objects: Sequence[Mapping[str, Any]], *, actor: str | None = None
    ) -> builtins.list[WriteOutcome]:
        """Create or replace each object by its ``id`` (a uuid, required); validated one by one."""
        ...

    def delete_many(self, ref: SchemaRefLike, ids: Sequence[str], *, actor: str | None = None) -> None: ...

    def audit_trail(
        self, ref: SchemaRefLike, object_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> Page:
        """Newest first: ``{"action", "actor", "created", "changed": {field: {"old", "new"}}}``."""
        ...

    def subscribe(self, listener: ObjectListener) -> None:
        """Call ``listener`` after every committed write (events, event-driven synchronizations)."""
        ...
