"""Object locks (the ``locking`` rule): a locked object refuses writes by others with 423 until it
is unlocked or the lock expires. One item per locked object, written conditionally, so two
clients racing for a lock cannot both get it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from openconnector_core.errors import (
    ConflictError,
    NotFoundError,
    OpenConnectorError,
    PreconditionFailedError,
)
from openconnector_core.store.ports import EntityStore, Stored

NAMESPACE = "object-locks"
DEFAULT_DURATION = 3600
_ATTEMPTS = 5


class LockedError(OpenConnectorError):
    status, code, title = 423, "locked", "Locked"


class Locks:
    def __init__(self, store: EntityStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def current(self, object_id: str) -> dict[str, Any] | None:
        """The live lock of an object, if any."""
        stored = self._get(object_id)
        if stored is None or self._expired(stored.item):
            return None
        return stored.item

    def check(self, object_id: str, user: str) -> None:
        """Raise :class:`LockedError` when someone else holds the object's lock."""
        lock = self.current(object_id)
        if lock is not None and lock.get("user") != user:
            raise LockedError(f"The object {object_id} is locked until {lock.get('expiresAt')}")

    def lock(self, object_id: str, user: str, duration: int = DEFAULT_DURATION) -> dict[str, Any]:
        now = self._clock()
        item = {"id": object_id, "user": user, "lockedAt": int(now), "expiresAt": int(now + max(1, duration))}
        for _ in range(_ATTEMPTS):
            stored = self._get(object_id)
            try:
                if stored is None:
                    return self._store.create(NAMESPACE, item).item
                if stored.item.get("user") != user and not self._expired(stored.item):
                    raise LockedError(f"The object {object_id} is locked by someone else")
                return self._store.replace(NAMESPACE, item, if_match=stored.etag).item
            except (ConflictError, PreconditionFailedError, NotFoundError):
                continue  # someone else wrote in between: look again
        raise LockedError(f"The object {object_id} is being locked by someone else")

    def unlock(self, object_id: str, user: str) -> None:
        for _ in range(_ATTEMPTS):
            stored = self._get(object_id)
            if stored is None:
                return
            if stored.item.get("user") != user and not self._expired(stored.item):
                raise LockedError(f"The object {object_id} is locked by someone else")
            try:
                self._store.delete(NAMESPACE, object_id, if_match=stored.etag)
                return
            except NotFoundError:
                return
            except PreconditionFailedError:
                continue
        raise LockedError(f"The object {object_id} is being locked by someone else")

    def _get(self, object_id: str) -> Stored | None:
        try:
            return self._store.get(NAMESPACE, object_id)
        except NotFoundError:
            return None

    def _expired(self, item: dict[str, Any]) -> bool:
        return float(item.get("expiresAt") or 0) <= self._clock()
