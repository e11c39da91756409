"""In-memory object storage for unit tests and tools: the semantics of the DynamoDB adapter."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace

from openconnector_core.errors import PreconditionFailedError
from openconnector_core.objects.storage import ObjectRecord, Partition


def _copy(record: ObjectRecord) -> ObjectRecord:
    return replace(record, data=copy.deepcopy(record.data))


class MemoryObjectStorage:
    def __init__(self) -> None:
        self._partitions: dict[Partition, dict[str, ObjectRecord]] = {}
        self._lock = threading.RLock()

    def get(self, partition: Partition, object_id: str) -> ObjectRecord | None:
        with self._lock:
            record = self._partitions.get(partition, {}).get(object_id)
            return _copy(record) if record else None

    def put(self, partition: Partition, record: ObjectRecord, *, expected_rev: int) -> None:
        with self._lock:
            records = self._partitions.setdefault(partition, {})
            current = records.get(record.id)
            if (current.rev if current else 0) != expected_rev:
                raise PreconditionFailedError(f"Object {record.id} was changed by another write")
            records[record.id] = _copy(record)

    def delete(self, partition: Partition, object_id: str, *, expected_rev: int) -> None:
        with self._lock:
            records = self._partitions.get(partition, {})
            current = records.get(object_id)
            if current is None or current.rev != expected_rev:
                raise PreconditionFailedError(f"Object {object_id} was changed by another write")
            del records[object_id]

    def scan(self, partition: Partition, *, after: str | None = None) -> Iterator[ObjectRecord]:
        with self._lock:
            records = self._partitions.get(partition, {})
            ids = sorted(key for key in records if after is None or key > after)
            snapshot = [_copy(records[key]) for key in ids]
        yield from snapshot

    def count(self, partition: Partition) -> int:
        with self._lock:
            return len(self._partitions.get(partition, {}))

    def holds_objects(self, schema_id: str, register_id: str | None = None) -> bool:
        with self._lock:
            return any(
                records
                for part, records in self._partitions.items()
                if part.schema == schema_id and register_id in (None, part.register)
            )

    def get_many(self, partition: Partition, ids: Sequence[str]) -> dict[str, ObjectRecord]:
        with self._lock:
            records = self._partitions.get(partition, {})
            return {key: _copy(records[key]) for key in ids if key in records}

    def put_many(self, partition: Partition, records: Sequence[ObjectRecord]) -> None:
        with self._lock:
            stored = self._partitions.setdefault(partition, {})
            for record in records:
                stored[record.id] = _copy(record)

    def delete_many(self, partition: Partition, ids: Sequence[str]) -> None:
        with self._lock:
            stored = self._partitions.get(partition, {})
            for key in ids:
                stored.pop(key, None)
