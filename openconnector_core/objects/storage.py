"""The object store's storage port: records keyed by (schema, register, id), nothing more.

Semantics (validation, versions, audit, events) live in :mod:`openconnector_core.objects.service`;
adapters only keep records and make single-object writes conditional on the revision read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Partition:
    """The objects of one register/schema pair (by their ids): listing one is a single key range."""

    register: str
    schema: str


@dataclass(frozen=True)
class ObjectRecord:
    """One stored object: its fields without ``id``/``@self``, and the bookkeeping beside them.
    ``rev`` counts writes (the ``ETag``); ``version`` is the semantic ``@self.version``."""

    id: str
    data: dict[str, Any]
    rev: int
    version: str
    created: str
    updated: str


class ObjectStorage(Protocol):
    def get(self, partition: Partition, object_id: str) -> ObjectRecord | None: ...

    def put(self, partition: Partition, record: ObjectRecord, *, expected_rev: int) -> None:
        """Write ``record`` if the stored revision is ``expected_rev`` (``0``: no such object yet);
        otherwise ``PreconditionFailedError`` and nothing is written."""
        ...

    def delete(self, partition: Partition, object_id: str, *, expected_rev: int) -> None:
        """Remove if the stored revision is ``expected_rev``, else ``PreconditionFailedError``."""
        ...

    def scan(self, partition: Partition, *, after: str | None = None) -> Iterator[ObjectRecord]:
        """Every record of the partition in id order (ids after ``after``), read lazily page by page."""
        ...

    def count(self, partition: Partition) -> int: ...

    def holds_objects(self, schema_id: str, register_id: str | None = None) -> bool:
        """Whether any object of this schema exists (in that register, when given)."""
        ...

    # -- bulk: unconditional, batched -------------------------------------------------------------
    def get_many(self, partition: Partition, ids: Sequence[str]) -> dict[str, ObjectRecord]: ...

    def put_many(self, partition: Partition, records: Sequence[ObjectRecord]) -> None: ...

    def delete_many(self, partition: Partition, ids: Sequence[str]) -> None: ...
