"""Object store writes as CloudEvents in the original's shape (§8.2), so its subscribers keep
working: ``source`` ``/objects/{schema}``, ``type`` ``com.nextcloud.openregister.object.<action>``,
``subject`` the object id, ``data`` ``{type, id, attributes[, previous: {attributes}]}``. The
``register`` and ``schema`` extension attributes (ids) let §5.10 find the synchronizations."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from openconnector_core.events.cloudevent import new_event

if TYPE_CHECKING:
    from openconnector_core.objects.ports import ObjectEvent

logger = logging.getLogger(__name__)

TYPE_PREFIX = "com.nextcloud.openregister.object."


def object_cloudevent(change: ObjectEvent) -> dict[str, Any]:
    schema = change.ref.schema
    object_type = str(schema.get("slug") or schema.get("id"))
    attributes = {key: value for key, value in change.object.items() if key != "@self"}
    data: dict[str, Any] = {"type": object_type, "id": change.object.get("id"), "attributes": attributes}
    if change.previous is not None:
        data["previous"] = {"attributes": {k: v for k, v in change.previous.items() if k != "@self"}}
    extensions: dict[str, Any] = {"register": str(change.ref.register["id"]), "schema": str(schema["id"])}
    if change.actor:
        extensions["actor"] = change.actor
    return new_event(
        source=f"/objects/{object_type}",
        type=f"{TYPE_PREFIX}{change.action}",
        subject=str(change.object.get("id")),
        data=data,
        extensions=extensions,
    )


class ObjectEventPublisher:
    """The listener the composition root subscribes to the object store. The write has committed,
    so a failing bus is logged, never raised into the writer; a bulk write's events go out together
    (``many``: EventBridge takes ten per call)."""

    def __init__(self, publish_many: Callable[[Sequence[dict[str, Any]]], None]) -> None:
        self._publish_many = publish_many

    def __call__(self, change: ObjectEvent) -> None:
        self.many([change])

    def many(self, changes: Sequence[ObjectEvent]) -> None:
        try:
            self._publish_many([object_cloudevent(change) for change in changes])
        except Exception:
            logger.exception("Could not publish the events of %d object write(s)", len(changes))
