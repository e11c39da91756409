"""Object events start synchronizations (§5.10).

1. Every synchronization whose ``sourceId`` is the object's ``register/schema`` runs for that object
   (forced; a delete passes the object with ``mutationType: delete``), unless
   ``sourceConfig.triggerOnlyOnEvents`` leaves the mutation out.
2. Every ``register/schema`` synchronization whose ``sourceConfig.triggerFromRelatedObjects`` names
   the object's ``register/schema`` with a relation key runs once for the *parent* object that key
   points at (a uuid, or a URL ending in one). ``all`` allows every mutation; ``create`` and
   ``update`` allow each other; ``delete`` only when listed.

Failures are logged, never raised: the event itself was handled.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openconnector_core.events.objects import TYPE_PREFIX
from openconnector_core.mapping.paths import found, lookup
from openconnector_core.store.query import every_item

if TYPE_CHECKING:
    from openconnector_core.container import Container

logger = logging.getLogger(__name__)

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_MUTATIONS = {"created": "create", "updated": "update", "deleted": "delete"}


def _mutations(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [value] if value else []
    return {str(item).strip().lower() for item in items}


def allows(configured: Any, mutation: str, *, grouped: bool) -> bool:
    wanted = _mutations(configured)
    if not wanted or "all" in wanted:
        return True
    if grouped and mutation in ("create", "update"):
        return bool(wanted & {"create", "update"})
    return mutation in wanted


def parent_id(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    last = value.rstrip("/").rsplit("/", 1)[-1]
    return last if _UUID.fullmatch(last) else None


def _schema_key(container: Container, reference: str) -> str | None:
    if "/" not in reference:
        return None
    try:
        return str(container.objects.resolve(reference).key)
    except Exception:  # an unresolvable reference names nothing here
        return None


def run_triggered_synchronizations(container: Container, event: Mapping[str, Any]) -> list[str]:
    """Start the synchronizations an object event triggers; returns their ids."""
    kind = str(event.get("type") or "")
    if not kind.startswith(TYPE_PREFIX) or not event.get("register") or not event.get("schema"):
        return []
    mutation = _MUTATIONS.get(kind.removeprefix(TYPE_PREFIX))
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    if mutation is None or not data:
        return []
    key = f"{event['register']}/{event['schema']}"
    obj = dict(data.get("attributes") or {})
    if data.get("truncated") and mutation != "delete":  # too large for the bus: read it from the store
        try:
            obj = container.objects.get(key, str(data.get("id"))).object
        except Exception:
            logger.warning("Object %s of a truncated event is gone", data.get("id"))
            return []
    obj.setdefault("id", data.get("id"))
    keys: dict[str, str | None] = {}  # each reference resolved once per event, however many name it

    def same_schema(reference: Any) -> bool:
        text = str(reference or "")
        if text not in keys:
            keys[text] = _schema_key(container, text)
        return keys[text] == key

    started = []
    for sync in every_item(container.entity_store, "synchronizations"):
        if sync.get("sourceType") != "register/schema":
            continue
        config = sync.get("sourceConfig") or {}
        if same_schema(sync.get("sourceId")):
            if allows(config.get("triggerOnlyOnEvents"), mutation, grouped=False):
                payload = {**obj, "mutationType": "delete"} if mutation == "delete" else obj
                if _start(container, sync, payload, str(obj.get("id"))):
                    started.append(sync["id"])
            continue
        related = config.get("triggerFromRelatedObjects")
        if not isinstance(related, Mapping):
            continue
        parents: set[str] = set()
        for reference, relations in related.items():
            if not isinstance(relations, Mapping) or not same_schema(reference):
                continue
            for relation_key, configured in relations.items():
                value = lookup(obj, str(relation_key))
                parent = parent_id(value) if found(value) else None
                if parent and allows(configured, mutation, grouped=True):
                    parents.add(parent)
        for parent in sorted(parents):
            try:
                parent_object = container.objects.get(str(sync["sourceId"]), parent).object
            except Exception:
                logger.warning("Synchronization %s: parent object %s not found", sync["id"], parent)
                continue
            if _start(container, sync, parent_object, parent):
                started.append(sync["id"])
    return started


def _start(container: Container, sync: dict[str, Any], data: dict[str, Any], object_id: str) -> bool:
    try:
        from openconnector_core.sync.runs import start_run

        start_run(container, str(sync["id"]), force=True, data=data, object_id=object_id, wait=0.0)
    except Exception:
        logger.exception("Synchronization %s triggered by object %s failed", sync.get("id"), object_id)
        return False
    return True
