"""In-memory adapters for unit tests and tools: the same semantics as the DynamoDB ones.

Items are copied through JSON on the way in and out, as a real store would serialize them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openconnector_core.errors import ConflictError, NotFoundError
from openconnector_core.ids import new_id
from openconnector_core.store.ports import Page, Stored
from openconnector_core.store.query import (
    check_if_match,
    decode_cursor,
    delete_called_off,
    log_window,
    make_etag,
    matcher,
    page_of,
)


def _copy[T](item: T) -> T:
    copied: T = json.loads(json.dumps(item))
    return copied


@dataclass
class _Row:
    item: dict[str, Any]
    rev: int
    deleting: str | None = None  # the deletion mark (ADR 0195)


class MemoryEntityStore:
    """One namespace per resource; ids sort in creation order (UUIDv7) like the DynamoDB sort key."""

    def __init__(self) -> None:
        self._rows: dict[str, dict[str, _Row]] = {}
        self._slugs: dict[str, dict[str, str]] = {}
        self._lock = threading.RLock()

    def _find(self, resource: str, key: str) -> _Row:
        rows = self._rows.get(resource, {})
        if key in rows:
            return rows[key]
        slug_id = self._slugs.get(resource, {}).get(key)
        if slug_id is not None:
            return rows[slug_id]
        for row in rows.values():
            if row.item.get("uuid") == key:
                return row
        raise NotFoundError(f"No {resource} with id, uuid or slug {key!r}", resource=resource, key=key)

    def get(self, resource: str, key: str) -> Stored:
        with self._lock:
            row = self._find(resource, key)
            return Stored(_copy(row.item), make_etag(row.rev))

    def create(self, resource: str, item: dict[str, Any]) -> Stored:
        with self._lock:
            rows = self._rows.setdefault(resource, {})
            slugs = self._slugs.setdefault(resource, {})
            entity_id, slug = item["id"], item.get("slug")
            if entity_id in rows:
                raise ConflictError(f"A {resource} item with id {entity_id!r} exists", field="id")
            if slug and slug in slugs:
                raise ConflictError(f"The slug {slug!r} is taken in {resource}", field="slug", slug=slug)
            rows[entity_id] = _Row(_copy(item), 1)
            if slug:
                slugs[slug] = entity_id
            return Stored(_copy(item), make_etag(1))

    def replace(self, resource: str, item: dict[str, Any], if_match: str | None = None) -> Stored:
        with self._lock:
            entity_id = item["id"]
            row = self._rows.get(resource, {}).get(entity_id)
            if row is None:
                raise NotFoundError(f"No {resource} with id {entity_id!r}", resource=resource, key=entity_id)
            check_if_match(if_match, row.rev)
            slugs = self._slugs.setdefault(resource, {})
            old_slug, new_slug = row.item.get("slug"), item.get("slug")
            if new_slug and new_slug != old_slug and new_slug in slugs:
                raise ConflictError(
                    f"The slug {new_slug!r} is taken in {resource}", field="slug", slug=new_slug
                )
            if old_slug != new_slug:
                if old_slug:
                    slugs.pop(old_slug, None)
                if new_slug:
                    slugs[new_slug] = entity_id
            row.item, row.rev, row.deleting = _copy(item), row.rev + 1, None
            return Stored(_copy(item), make_etag(row.rev))

    def delete(
        self, resource: str, entity_id: str, if_match: str | None = None, *, deleting: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            row = self._find(resource, entity_id)
            check_if_match(if_match, row.rev)
            if deleting is not None and row.deleting != deleting:
                raise delete_called_off(resource, row.item["id"])
            del self._rows[resource][row.item["id"]]
            slug = row.item.get("slug")
            if slug:
                self._slugs[resource].pop(slug, None)
            return _copy(row.item)

    def mark_deleting(self, resource: str, entity_id: str, token: str, if_match: str | None = None) -> None:
        with self._lock:
            row = self._rows.get(resource, {}).get(entity_id)
            if row is None:
                raise NotFoundError(f"No {resource} with id {entity_id!r}", resource=resource, key=entity_id)
            check_if_match(if_match, row.rev)
            row.deleting = token

    def unmark_deleting(self, resource: str, entity_id: str, token: str | None = None) -> bool:
        with self._lock:
            row = self._rows.get(resource, {}).get(entity_id)
            if row is None or token not in (None, row.deleting):
                return False
            row.deleting = None
            return True

    def deletion_marks(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        with self._lock:
            rows = ((key, self._rows.get(key[0], {}).get(key[1])) for key in keys)
            return {key: row.deleting for key, row in rows if row is not None}

    def list(
        self,
        resource: str,
        *,
        filters: Mapping[str, str] | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        after = decode_cursor(cursor)
        matches = matcher(filters, search)
        with self._lock:
            rows = self._rows.get(resource, {})
            ids = sorted(key for key in rows if after is None or key > after)
            found: list[dict[str, Any]] = []
            for entity_id in ids:
                if matches(rows[entity_id].item):
                    found.append(_copy(rows[entity_id].item))
                    if len(found) > limit:
                        break
        return page_of(found, limit)

    def count(self, resource: str) -> int:
        with self._lock:
            return len(self._rows.get(resource, {}))


@dataclass
class _Log:
    item: dict[str, Any]
    subject: str | None
    expires_at: float | None


class MemoryLogStore:
    """Logs per kind, ordered by id (UUIDv7 = time); expired logs are invisible."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._logs: dict[str, dict[str, _Log]] = {}
        self._lock = threading.RLock()
        self._clock = clock

    def _alive(self, log: _Log) -> bool:
        return log.expires_at is None or log.expires_at > self._clock()

    def put(
        self, kind: str, item: dict[str, Any], *, subject: str | None = None, expires: datetime | None = None
    ) -> None:
        stored = _copy(item)
        log_id = stored.setdefault("id", new_id())
        stored.setdefault("uuid", log_id)
        with self._lock:
            self._logs.setdefault(kind, {})[log_id] = _Log(
                stored, subject, int(expires.timestamp()) if expires else None
            )

    def put_many(
        self,
        kind: str,
        entries: Sequence[tuple[dict[str, Any], str | None]],
        *,
        expires: datetime | None = None,
    ) -> None:
        copied: list[dict[str, Any]] = _copy([item for item, _ in entries])  # one round trip for all
        expires_at = int(expires.timestamp()) if expires else None
        with self._lock:
            logs = self._logs.setdefault(kind, {})
            for stored, (_, subject) in zip(copied, entries, strict=True):
                log_id = stored.setdefault("id", new_id())
                stored.setdefault("uuid", log_id)
                logs[log_id] = _Log(stored, subject, expires_at)

    def get(self, kind: str, log_id: str) -> dict[str, Any]:
        with self._lock:
            log = self._logs.get(kind, {}).get(log_id)
            if log is None or not self._alive(log):
                raise NotFoundError(f"No {kind} entry {log_id!r}", resource=kind, key=log_id)
            return _copy(log.item)

    def query(
        self,
        kind: str,
        *,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        where: Callable[[dict[str, Any]], bool] | None = None,
        limit: int = 50,
        cursor: str | None = None,
        newest_first: bool = True,
    ) -> Page:
        low, high, after = log_window(since, until, cursor)
        with self._lock:
            logs = self._logs.get(kind, {})
            ids = sorted(logs, reverse=newest_first)
            found: list[dict[str, Any]] = []
            for log_id in ids:
                if after is not None and (log_id >= after if newest_first else log_id <= after):
                    continue
                if (low and log_id < low) or (high and log_id > high):
                    continue
                log = logs[log_id]
                if subject is not None and log.subject != subject:
                    continue
                if not self._alive(log) or (where is not None and not where(log.item)):
                    continue
                found.append(_copy(log.item))
                if len(found) > limit:
                    break
        return page_of(found, limit)


class MemorySecretStore:
    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}
        self._lock = threading.Lock()

    def put(self, name: str, values: dict[str, Any]) -> None:
        with self._lock:
            self._secrets[name] = json.dumps(values)

    def get(self, name: str) -> dict[str, Any]:
        with self._lock:
            raw = self._secrets.get(name)
        return json.loads(raw) if raw is not None else {}

    def delete(self, name: str) -> None:
        with self._lock:
            self._secrets.pop(name, None)

    def names(self, prefix: str = "") -> list[str]:
        """For tests: the names of the stored secrets."""
        with self._lock:
            return sorted(name for name in self._secrets if name.startswith(prefix))
