"""Global log retention, as the original's ``/api/settings`` holds it: milliseconds, 0 = keep forever.

One item (``settings/global``) in the entity store. Reads are cached per container for a short TTL
(a source call must not read it every time); a change takes effect at once in the container that
made it and within the TTL elsewhere. Writes are conditional (``If-Match`` on the stored revision)
and retried on a lost race, so two concurrent updates of different keys both land.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from openconnector_core.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError
from openconnector_core.store.ports import EntityStore

RESOURCE = "settings"
ITEM_ID = "global"
CACHE_SECONDS = 30.0
WRITE_ATTEMPTS = 8
DEFAULTS_MS: dict[str, int] = {
    "successLogRetention": 3_600_000,  # 1 h: call logs below 400, successful synchronization logs
    "callLogRetention": 2_592_000_000,  # 30 d: call logs of 400 and up
    "eventMessageRetention": 604_800_000,  # 7 d
    "jobLogRetention": 2_592_000_000,  # 30 d
    "syncContractLogRetention": 7_776_000_000,  # 90 d
    "syncLogRetention": 2_592_000_000,  # 30 d
}
MAX_MS = 100 * 365 * 86_400_000


def validate(changes: Any) -> dict[str, int]:
    """The retention keys of a PUT body; 400 naming each unknown key or bad value."""
    if not isinstance(changes, Mapping):
        raise ValidationError("'retention' must be an object of milliseconds", fields=["retention"])
    unknown = sorted(str(key) for key in changes if key not in DEFAULTS_MS)
    if unknown:
        raise ValidationError(
            f"Unknown retention setting(s): {', '.join(unknown)} (known: {', '.join(DEFAULTS_MS)})",
            fields=[f"retention.{key}" for key in unknown],
        )
    clean: dict[str, int] = {}
    bad: list[str] = []
    for key, value in changes.items():
        number = _milliseconds(value)
        if number is None:
            bad.append(str(key))
        else:
            clean[str(key)] = number
    if bad:
        raise ValidationError(
            f"Retention must be whole milliseconds from 0 (forever) to {MAX_MS}: {', '.join(bad)}",
            fields=[f"retention.{key}" for key in bad],
        )
    return clean


def _milliseconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())  # the original's settings form posts strings
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_MS:
        return value
    return None


def floor_expiry(source_expiry: datetime | None, created: datetime, global_ms: int) -> datetime | None:
    """The original's rule: the later of the source's expiry and the global retention; 0 on either
    side (``None`` for the source) keeps the log forever."""
    if source_expiry is None or global_ms <= 0:
        return None
    return max(source_expiry, created + timedelta(milliseconds=global_ms))


class GlobalSettings:
    def __init__(
        self,
        store: EntityStore,
        *,
        ttl: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, dict[str, int]] | None = None

    def retention(self) -> dict[str, int]:
        """Every retention in ms (defaults filled in), at most ``ttl`` seconds old."""
        now = self._clock()
        with self._lock:
            if self._cached is not None and now - self._cached[0] < self._ttl:
                return dict(self._cached[1])
        values = self._read()[0]
        with self._lock:
            self._cached = (now, values)
        return dict(values)

    def document(self) -> dict[str, Any]:
        """``GET /api/settings`` in the original's shape."""
        return {"retention": self.retention()}

    def update(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT /api/settings``: ``{"retention": {...}}`` (only the keys given change)."""
        unknown = sorted(str(key) for key in body if key != "retention")
        if unknown:
            message = f"Unknown setting(s): {', '.join(unknown)} (known: retention)"
            raise ValidationError(message, fields=unknown)
        changes = validate(body.get("retention", {}))
        for _attempt in range(WRITE_ATTEMPTS):
            values, etag = self._read()
            merged = {**values, **changes}
            try:
                self._write(merged, etag)
            except (PreconditionFailedError, ConflictError):
                continue  # another writer won the race: merge into its result
            with self._lock:
                self._cached = (self._clock(), merged)
            return {"retention": dict(merged)}
        raise ConflictError("The settings kept changing during this update; try again")

    def _read(self) -> tuple[dict[str, int], str | None]:
        try:
            stored = self._store.get(RESOURCE, ITEM_ID)
        except NotFoundError:
            return dict(DEFAULTS_MS), None
        saved = stored.item.get("retention") or {}
        values = {key: int(saved.get(key, default)) for key, default in DEFAULTS_MS.items()}
        return values, stored.etag

    def _write(self, values: dict[str, int], etag: str | None) -> None:
        item = {"id": ITEM_ID, "retention": values}
        if etag is None:
            self._store.create(RESOURCE, item)  # ConflictError when another writer created it first
        else:
            self._store.replace(RESOURCE, item, if_match=etag)
