"""Deleting a register or schema: never while it holds objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openconnector_core.errors import ConflictError

if TYPE_CHECKING:
    from openconnector_core.entities.service import EntityService
    from openconnector_core.objects.service import ObjectStore


def delete_holder(
    entities: EntityService, objects: ObjectStore, resource: str, key: str, *, if_match: str | None = None
) -> None:
    """Delete the ``schemas`` or ``registers`` entity ``key``; one that still holds objects is kept:
    ``ConflictError`` (409, delete its objects first)."""
    entity = entities.get(resource, key).item
    if objects.in_use(resource, entity):
        kind = resource.removesuffix("s")
        raise ConflictError(
            f"The {kind} {entity.get('slug') or entity['id']!r} still holds objects; delete them first",
            **{kind: entity["id"]},
        )
    entities.delete(resource, entity["id"], if_match=if_match)
