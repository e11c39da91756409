"""Secret versions: each write of an entity's secrets is a new, never-changed secret
(``<resource>/<entity id>/<uuid7>``) that the entity item names (docs/adr/0180-secret-versions.md).

Entity and secret cannot disagree: the version is written first, then the item that names it in one
conditional write; a reader uses the version its item names. Because a version never changes, a
container caches it by name with no expiry to get wrong: a burst of source calls reads the secret
store once, and a change made anywhere is seen at once, with the next read of the item.

Every existing version has a marker item in the entity store (resource ``secret-versions``, not an
API resource), written before the version and removed after it: the versions of an entity can be
found without listing the secret store (which IAM cannot grant on less than every secret).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from openconnector_core.errors import NotFoundError
from openconnector_core.ids import new_id, uuid7_floor
from openconnector_core.store.ports import EntityStore, SecretStore
from openconnector_core.store.query import every_item

logger = logging.getLogger(__name__)

MARKERS = "secret-versions"
CACHE_SIZE = 512
ORPHAN_GRACE = timedelta(minutes=15)
"""A version no item names is removed once it is this old: Lambda's longest run, so no writer can
still be between writing it and committing the item that names it."""


def _prefix(resource: str, entity_id: str) -> str:
    return f"{resource}/{entity_id}/"


def _marker_id(name: str) -> str:
    return name.rsplit("/", 1)[-1]


class SecretVersions:
    """Writes, reads (cached by name), and removes the secret versions of entities."""

    def __init__(self, store: SecretStore, markers: EntityStore, cache_size: int = CACHE_SIZE) -> None:
        self._store = store
        self._markers = markers
        self._cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def write(self, resource: str, entity_id: str, values: dict[str, Any]) -> str:
        """Store ``values`` as a new version; returns its name for the item to name."""
        version = new_id()
        name = _prefix(resource, entity_id) + version
        self._markers.create(MARKERS, {"id": version, "entity": f"{resource}/{entity_id}", "name": name})
        self._store.put(name, values)
        self._remember(name, values)
        return name

    def read(self, name: str) -> dict[str, Any] | None:
        """The values of version ``name``; ``None`` when it no longer exists."""
        with self._lock:
            cached = self._cache.get(name)
            if cached is not None:
                self._cache.move_to_end(name)
                return dict(cached)
        values = self._store.get(name)
        if not values:
            return None
        self._remember(name, values)
        return dict(values)

    def discard(self, name: str) -> None:
        """Remove a version no committed item names (any more). A failure leaves an orphan for
        :meth:`sweep`, never an item without its secret."""
        with self._lock:
            self._cache.pop(name, None)
        try:
            self._store.delete(name)
            self._markers.delete(MARKERS, _marker_id(name))
        except NotFoundError:
            pass  # an unversioned secret of an older release: it has no marker
        except Exception:
            logger.warning("Could not remove secret version %s; a later write removes it", name)

    def names(self, resource: str, entity_id: str) -> list[str]:
        """The versions of an entity that exist (or are being written), oldest first."""
        markers = every_item(self._markers, MARKERS, {"entity": f"{resource}/{entity_id}"})
        return sorted(str(item["name"]) for item in markers)

    def discard_all(self, resource: str, entity_id: str) -> None:
        """Every version of a deleted entity (and the unversioned secret of older releases)."""
        for name in [*self.names(resource, entity_id), f"{resource}/{entity_id}"]:
            self.discard(name)

    def sweep(self, resource: str, entity_id: str, keep: str, now: datetime | None = None) -> None:
        """Remove versions of the entity older than :data:`ORPHAN_GRACE` other than ``keep``: those
        of writers that crashed between writing a version and committing (or removing) it."""
        oldest_kept = uuid7_floor((now or datetime.now(UTC)) - ORPHAN_GRACE)
        for name in self.names(resource, entity_id):
            if name != keep and _marker_id(name) < oldest_kept:
                self.discard(name)

    def _remember(self, name: str, values: dict[str, Any]) -> None:
        with self._lock:
            self._cache[name] = dict(values)
            self._cache.move_to_end(name)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
