"""The audit trail of objects: who changed what and when, kept in the logs table with a retention.

One log entry (kind ``object-audit-trails``, subject = the object id) per create/update/delete:
``{"id", "action", "actor", "created", "register", "schema", "object", "version",
"changed": {field: {"old", "new"}}}``. Field values larger than a few kilobytes are replaced by a
summary (``{"truncated": true, "bytes": n, "sha256": …}``) so that an entry always fits one item.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from openconnector_core.ids import new_id
from openconnector_core.store.ports import LogStore, Page

AUDIT_KIND = "object-audit-trails"
DEFAULT_RETENTION = timedelta(days=30)
_VALUE_LIMIT = 8_192  # bytes of JSON per old/new value
_ENTRY_BUDGET = 262_144  # bytes of JSON per entry; values past it are summarized


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _size(value: Any) -> tuple[int, str]:
    text = _ENCODER.encode(value)
    return len(text.encode()), text


def _surely_small(fields: Mapping[str, Any]) -> bool:
    """Whether the JSON of ``fields`` is surely within ``_VALUE_LIMIT`` bytes, from an upper bound
    that serializes only nested values (a UTF-8 character or an escape takes at most 6 bytes)."""
    bound = 2
    for name, value in fields.items():
        bound += 6 * len(name) + 4
        if isinstance(value, str):
            bound += 6 * len(value) + 2
        elif value is None or isinstance(value, bool):
            bound += 5
        elif isinstance(value, int):
            bound += value.bit_length() // 3 + 2
        elif isinstance(value, float):
            bound += 32
        else:
            bound += _size(value)[0]
        if bound > _VALUE_LIMIT:
            return False
    return True


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Top-level fields whose value differs: ``{field: {"old": …, "new": …}}`` (``None`` when absent)."""
    old, new = before or {}, after or {}
    names = [
        name
        for name in dict.fromkeys([*old, *new])
        if name not in old or name not in new or old[name] != new[name]
    ]
    if _surely_small(old) and _surely_small(new):  # the common case: nothing to cut
        return {name: {"old": old.get(name), "new": new.get(name)} for name in names}
    changed: dict[str, Any] = {}
    budget = _ENTRY_BUDGET
    for name in names:
        pair = {}
        for side, value in (("old", old.get(name)), ("new", new.get(name))):
            size, text = _size(value)
            if size > _VALUE_LIMIT or size > budget:
                value = {
                    "truncated": True,
                    "bytes": size,
                    "sha256": hashlib.sha256(text.encode()).hexdigest(),
                }
                size = 100
            budget -= size
            pair[side] = value
        changed[name] = pair
    return changed


def audit_entry(
    action: str,
    *,
    register: str,
    schema: str,
    object_id: str,
    version: str | None,
    actor: str | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "action": action,
        "actor": actor,
        "created": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "register": register,
        "schema": schema,
        "object": object_id,
        "version": version,
        "changed": changed_fields(before, after),
    }


@runtime_checkable
class BatchLogStore(Protocol):
    """A log store that writes many entries per request (both adapters do; a test fake may not)."""

    def put_many(
        self,
        kind: str,
        entries: Sequence[tuple[dict[str, Any], str | None]],
        *,
        expires: datetime | None = None,
    ) -> None: ...


class AuditTrail:
    def __init__(self, logs: LogStore, retention: timedelta = DEFAULT_RETENTION) -> None:
        self._logs = logs
        self.retention = retention

    def record(self, entries: Sequence[dict[str, Any]]) -> None:
        expires = datetime.now(UTC) + self.retention
        if isinstance(self._logs, BatchLogStore):
            self._logs.put_many(AUDIT_KIND, [(entry, entry["object"]) for entry in entries], expires=expires)
            return
        for entry in entries:
            self._logs.put(AUDIT_KIND, entry, subject=entry["object"], expires=expires)

    def list(self, *, register: str, schema: str, object_id: str, limit: int, cursor: str | None) -> Page:
        def in_partition(entry: dict[str, Any]) -> bool:
            return entry.get("register") == register and entry.get("schema") == schema

        return self._logs.query(
            AUDIT_KIND, subject=object_id, where=in_partition, limit=limit, cursor=cursor, newest_first=True
        )
