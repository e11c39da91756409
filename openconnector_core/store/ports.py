"""Storage ports. The DynamoDB and in-memory adapters implement these; nothing else touches storage.

Items are plain dicts in the wire shape (camelCase field names); secrets never reach these ports
in clear text except through :class:`SecretStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Stored:
    """One entity as read from storage, with the revision used for ``ETag`` / ``If-Match``."""

    item: dict[str, Any]
    etag: str


@dataclass(frozen=True)
class Page:
    """A page of a list; ``next`` is an opaque token for the following page, or ``None``."""

    items: list[dict[str, Any]]
    next: str | None


class EntityStore(Protocol):
    """Configuration entities (sources, mappings, …), one namespace per resource name."""

    def get(self, resource: str, key: str) -> Stored:
        """By id, uuid or slug. Raises ``NotFoundError``."""
        ...

    def create(self, resource: str, item: dict[str, Any]) -> Stored:
        """Insert; ``item`` has ``id`` and ``slug``. Raises ``ConflictError`` on a taken id or slug."""
        ...

    def replace(self, resource: str, item: dict[str, Any], if_match: str | None = None) -> Stored:
        """Overwrite the whole item (same id). ``if_match`` stale → ``PreconditionFailedError``;
        new slug taken → ``ConflictError``; unknown id → ``NotFoundError``."""
        ...

    def delete(
        self, resource: str, entity_id: str, if_match: str | None = None, *, deleting: str | None = None
    ) -> dict[str, Any]:
        """Remove and return the item. Unknown → ``NotFoundError``; stale ``if_match`` → 412; with
        ``deleting``, only while the item holds that deletion mark, else ``ConflictError``."""
        ...

    # -- deletion marks (ADR 0195): a delete that writers elsewhere can see and call off ---------
    # A mark is no write of the entity: its revision stays, and a ``replace`` removes the mark.

    def mark_deleting(self, resource: str, entity_id: str, token: str, if_match: str | None = None) -> None:
        """Mark the item as being deleted by ``token``. Unknown → 404; stale ``if_match`` → 412."""
        ...

    def unmark_deleting(self, resource: str, entity_id: str, token: str | None = None) -> bool:
        """Remove the mark (only ``token``'s, when given); ``False`` when the item is gone (or holds
        another mark)."""
        ...

    def deletion_marks(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
        """The mark (``None``: none) of each ``(resource, id)`` that exists, read strongly consistent;
        an item that does not exist is absent."""
        ...

    def list(
        self,
        resource: str,
        *,
        filters: Mapping[str, str] | None = None,
        search: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """Stable order, every item exactly once across pages. ``filters`` are equality on
        top-level fields (string comparison of the stored value); ``search`` is a case-insensitive
        substring over ``name`` and ``description``."""
        ...

    def count(self, resource: str) -> int: ...


class LogStore(Protocol):
    """Append-only logs (call-logs, synchronization-logs, job-logs …) with expiry.

    ``subject`` groups logs for efficient queries (e.g. the source id of a call log).
    Expired items are never returned, whether or not the backend has removed them yet."""

    def put(
        self, kind: str, item: dict[str, Any], *, subject: str | None = None, expires: datetime | None = None
    ) -> None: ...

    def get(self, kind: str, log_id: str) -> dict[str, Any]:
        """Raises ``NotFoundError`` (also for an expired log)."""
        ...

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
    ) -> Page: ...


class SecretStore(Protocol):
    """Credentials (passwords, client secrets, API keys, private keys, tokens).

    One secret per version of an entity's secrets holds a JSON object of its secret fields; the
    entity item names the version (``entities.secret_versions``). A name is written once."""

    def put(self, name: str, values: dict[str, Any]) -> None: ...

    def get(self, name: str) -> dict[str, Any]:
        """Missing → ``{}``."""
        ...

    def delete(self, name: str) -> None: ...
