"""Object locks (the ``locking`` rule): a locked object refuses writes by others with 423 until it
is unlocked or the lock expires. One record per locked object beside the objects, written
conditionally on the revision read, so two clients racing for a lock cannot both get it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from openconnector_core.errors import OpenConnectorError, PreconditionFailedError
from openconnector_core.gateway.chain import now_iso
from openconnector_core.objects.storage import ObjectRecord, ObjectStorage, Partition

LOCKS = Partition("gateway", "locks")
DEFAULT_DURATION = 3600
_ATTEMPTS = 5


class LockedError(OpenConnectorError):
    status, code, title = 423, "locked", "Locked"


class Locks:
    def __init__(self, storage: ObjectStorage, clock: Callable[[], float] = time.time) -> None:
        self._storage = storage
        self._clock = clock

    def current(self, object_id: str) -> dict[str, Any] | None:
        """The live lock of an object, if any."""
        record = self._storage.get(LOCKS, object_id)
        if record is None or self._expired(record):
            return None
        return record.data

    def check(self, object_id: str, user: str) -> None:
        """Raise :class:`LockedError` when someone else holds the object's lock."""
        lock = self.current(object_id)
        if lock is not None and lock.get("user") != user:
            raise LockedError(f"The object {object_id} is locked until {lock.get('expiresAt')}")

    def lock(self, object_id: str, user: str, duration: int = DEFAULT_DURATION) -> dict[str, Any]:
        now = self._clock()
        data = {"user": user, "lockedAt": int(now), "expiresAt": int(now + max(1, duration))}
        for _ in range(_ATTEMPTS):
            record = self._storage.get(LOCKS, object_id)
            if record is not None and record.data.get("user") != user and not self._expired(record):
                raise LockedError(f"The object {object_id} is locked by someone else")
            rev = record.rev if record is not None else 0
            stamp = now_iso()
            written = ObjectRecord(object_id, data, rev + 1, "1", record.created if record else stamp, stamp)
            try:
                self._storage.put(LOCKS, written, expected_rev=rev)
                return data
            except PreconditionFailedError:
                continue  # someone else wrote in between: look again
        raise LockedError(f"The object {object_id} is being locked by someone else")

    def unlock(self, object_id: str, user: str) -> None:
        for _ in range(_ATTEMPTS):
            record = self._storage.get(LOCKS, object_id)
            if record is None:
                return
            if record.data.get("user") != user and not self._expired(record):
                raise LockedError(f"The object {object_id} is locked by someone else")
            try:
                self._storage.delete(LOCKS, object_id, expected_rev=record.rev)
                return
            except PreconditionFailedError:
                continue
        raise LockedError(f"The object {object_id} is being locked by someone else")

    def _expired(self, record: ObjectRecord) -> bool:
        return float(record.data.get("expiresAt") or 0) <= self._clock()
