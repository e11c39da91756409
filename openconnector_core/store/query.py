"""What every adapter shares: list filters, ``_search``, opaque cursors and ETags."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import BadRequestError, ConflictError, PreconditionFailedError, ValidationError
from openconnector_core.ids import uuid7_ceiling, uuid7_floor
from openconnector_core.store.ports import Page

if TYPE_CHECKING:
    from openconnector_core.store.ports import EntityStore

Predicate = Callable[[dict[str, Any]], bool]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def parse_limit(raw: str | None) -> int:
    """A list's ``_limit`` parameter: default 50, at most 500; anything else is a 400 naming it."""
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise ValidationError(f"_limit must be an integer, got {raw!r}", fields=["_limit"]) from None
    if limit < 1:
        raise ValidationError(f"_limit must be at least 1, got {limit}", fields=["_limit"])
    return min(limit, MAX_LIMIT)


def every_item(
    store: EntityStore, resource: str, filters: Mapping[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every item of ``resource``, page by page (for engines that scan a small resource: jobs,
    subscriptions, synchronizations)."""
    cursor = None
    while True:
        page = store.list(resource, filters=filters, limit=500, cursor=cursor)
        yield from page.items
        if page.next is None:
            return
        cursor = page.next


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return str(value)


def matcher(filters: Mapping[str, str] | None, search: str | None) -> Predicate:
    """Equality on top-level fields (as text; ``IS NULL`` / ``IS NOT NULL`` as upstream) and a
    case-insensitive substring ``search`` over ``name`` and ``description``."""
    conditions = dict(filters or {})
    needle = (search or "").lower()

    def matches(item: dict[str, Any]) -> bool:
        for name, expected in conditions.items():
            value = item.get(name)
            if expected.upper() == "IS NULL":
                if value not in (None, ""):
                    return False
            elif expected.upper() == "IS NOT NULL":
                if value in (None, ""):
                    return False
            elif _as_text(value) != expected:
                return False
        if needle:
            haystack = f"{item.get('name') or ''}\n{item.get('description') or ''}".lower()
            return needle in haystack
        return True

    return matches


def page_of(found: list[dict[str, Any]], limit: int) -> Page:
    """A page of at most ``limit`` items, read one past the page (``found`` holds ``limit + 1``
    items when another page follows); the cursor is the id of the page's last item."""
    if len(found) > limit:
        return Page(found[:limit], encode_cursor(found[limit - 1]["id"]))
    return Page(found, None)


def encode_cursor(last_key: str) -> str:
    raw = json.dumps({"after": last_key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The key after which the next page starts; a malformed token is a 400."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise BadRequestError("Invalid _next token", parameter="_next") from error
    if not isinstance(after, str):
        raise BadRequestError("Invalid _next token", parameter="_next")
    return after


def make_etag(rev: int) -> str:
    return f'"{rev}"'


def check_if_match(if_match: str | None, current_rev: int) -> None:
    """``If-Match`` as sent (quoted or not, ``W/``, lists, ``*``) against the current revision."""
    if if_match is None:
        return
    candidates = [part.strip().removeprefix("W/").strip('"') for part in if_match.split(",")]
    if "*" in candidates or str(current_rev) in candidates:
        return
    raise PreconditionFailedError(
        f"If-Match {if_match} does not match the current ETag {make_etag(current_rev)}",
        etag=make_etag(current_rev),
    )


def log_window(
    since: datetime | None, until: datetime | None, cursor: str | None
) -> tuple[str | None, str | None, str | None]:
    """A log query's id range ``(low, high)`` for its time range (ids are UUIDv7, so time-ordered),
    and the last id of the previous page (exclusive), from its cursor."""
    low = uuid7_floor(since) if since else None
    high = uuid7_ceiling(until) if until else None
    return low, high, decode_cursor(cursor)


def delete_called_off(resource: str, entity_id: str) -> ConflictError:
    """A delete under a deletion mark that a writer removed (ADR 0195): the entity is kept."""
    return ConflictError(
        f"The {resource} item {entity_id} was written to while it was being deleted; it is kept",
        resource=resource,
        key=entity_id,
    )
