"""Deleting a register or schema (a *holder* of objects) never orphans an object (ADR 0195).

A delete and the object writes to its holder serialize through a deletion mark on the holder's
entity item. The delete marks, looks for objects, and deletes only while its mark is still there.
A writer writes, then reads both holders (strongly consistent): a mark it finds, it removes, which
calls the delete off; a holder that is gone means the delete won, and the writer takes its write
back. Write-then-read on one side and mark-then-look on the other: at least one sees the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openconnector_core.errors import ConflictError

if TYPE_CHECKING:
    from openconnector_core.entities.service import EntityService
    from openconnector_core.objects.ports import SchemaRef
    from openconnector_core.objects.service import ObjectStore
    from openconnector_core.store.ports import EntityStore


def delete_holder(
    entities: EntityService, objects: ObjectStore, resource: str, key: str, *, if_match: str | None = None
) -> None:
    """Delete the ``schemas`` or ``registers`` entity ``key``; one that still holds objects is kept:
    ``ConflictError`` (409, delete its objects first), also when a write reaches it meanwhile."""
    kind = resource.removesuffix("s")

    def unused(entity: dict[str, Any]) -> None:
        if objects.in_use(resource, entity):
            raise ConflictError(
                f"The {kind} {entity.get('slug') or entity['id']!r} still holds objects; delete them first",
                **{kind: entity["id"]},
            )

    entities.delete(resource, key, if_match=if_match, guard=unused)


def deleted_holder(entities: EntityStore, ref: SchemaRef) -> ConflictError | None:
    """After a write to ``ref``: calls off a delete of its register or schema that is under way,
    or, when one of them is gone (the delete won), the error that refuses the write."""
    holders = {
        ("registers", str(ref.register["id"])): ref.register,
        ("schemas", str(ref.schema["id"])): ref.schema,
    }
    marks = entities.deletion_marks(list(holders))
    for (resource, entity_id), entity in holders.items():
        if (resource, entity_id) in marks and (
            marks[resource, entity_id] is None or entities.unmark_deleting(resource, entity_id)
        ):
            continue
        kind = resource.removesuffix("s")
        return ConflictError(
            f"The {kind} {entity.get('slug') or entity_id!r} was deleted while this write ran; "
            "nothing was stored",
            **{kind: entity_id},
        )
    return None
