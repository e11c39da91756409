"""Slugs: URL-friendly, unique per resource, derived from the name when the client gives none.

Upstream derives a missing slug on every serialization; we derive it once and store it, so a
renamed entity keeps its slug (send ``"slug": ""`` to derive it again). Unlike upstream we trim
leading/trailing ``-`` for every entity (``"My  API (v2)"`` → ``"my-api-v2"``, not ``"my-api-v2-"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from openconnector_core.errors import ConflictError

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_VALID = re.compile(r"^[^/\s?#]+$")
_SUFFIX_TRIES = 50  # then the id's tail makes it unique: ``pets-1a2b3c4d``


def derive_slug(name: str | None, style: str, entity_id: str, kind: str) -> str:
    """``style`` ``"plain"`` (Source/Endpoint/Synchronization/Rule/…) lower-cases first, so a
    non-ASCII letter becomes ``-``; ``"transliterate"`` (Mapping) maps ``é`` → ``e`` first.
    An empty result falls back to ``{kind}-{last 8 hex digits of the id}``."""
    text = (name or "").strip()
    if style == "transliterate":
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")
    return slug or f"{kind}-{entity_id.replace('-', '')[-8:]}"


def slug_problem(slug: str) -> str | None:
    """Why a client-supplied slug cannot be used in a URL path segment, or ``None``."""
    if len(slug) > 255:
        return "at most 255 characters"
    if not _VALID.match(slug):
        return "no whitespace, '/', '?' or '#'"
    return None


def create_with_free_slug[T](
    create: Callable[[dict[str, Any]], T], item: dict[str, Any], *, derived: bool
) -> T:
    """Insert ``item`` with ``create``. A *derived* slug that is taken gets a numeric suffix
    (``pets``, ``pets-2``, ``pets-3`` …) so two entities named alike can both exist; a slug the
    client chose that is taken stays a ``ConflictError`` (409)."""
    base = item.get("slug")
    if not derived or not base:
        return create(item)
    candidates = [base, *(f"{base}-{n}" for n in range(2, _SUFFIX_TRIES + 1))]
    candidates.append(f"{base}-{str(item['id']).replace('-', '')[-8:]}")
    for candidate in candidates:
        try:
            return create({**item, "slug": candidate})
        except ConflictError as error:
            if error.extra.get("field") != "slug":
                raise
    raise ConflictError(f"No free slug derived from {base!r}", field="slug", slug=base)
