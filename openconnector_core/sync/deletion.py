"""The deletion stage of a complete run (§5.4 stage 5): contracts whose origin object no longer
appears are closed and their targets deleted, sub-objects (§5.7) with them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openconnector_core.errors import NotFoundError, OpenConnectorError
from openconnector_core.sync.contracts import now_precise
from openconnector_core.sync.process import RunContext, contract_log
from openconnector_core.sync.targets import Delete, ObjectStoreTarget


@dataclass
class Cleanup:
    """What the deletion stage did: parents deleted, sub-objects deleted, errors, contract logs."""

    deleted: int = 0
    sub_objects: int = 0
    errors: list[str] = field(default_factory=list)
    contract_logs: list[dict[str, Any]] = field(default_factory=list)


DELETE_PAGE = 100


def delete_orphans(ctx: RunContext, seen: set[str], restrict_to: str | None) -> Cleanup:
    """Stage 5 (§5.4): contracts of this synchronization whose origin object no longer appears →
    target deleted, contract closed, a contract log each; in pages of ``DELETE_PAGE``, so a retried
    stage finds closed contracts gone from ``live_targets`` and does nothing twice. A sub-object's
    contract (``sourceId`` names its parent's) is deleted when no parent seen in the run holds it;
    only the object store has objects of their own to delete for it (in an API target it lived in
    its parent's body). ``restrict_to`` = the JSON of the run data (restrictDeletion). Test mode
    counts what it would delete."""
    gone = [
        origin
        for origin, _ in ctx.contracts.live_targets(ctx.synchronization_id)
        if origin not in seen and (restrict_to is None or origin in restrict_to)
    ]
    cleanup = Cleanup()
    for start in range(0, len(gone), DELETE_PAGE):
        contracts = ctx.contracts.get_many(ctx.synchronization_id, gone[start : start + DELETE_PAGE])
        orphans = [c for c in contracts.values() if c.get("targetId")]
        if ctx.test:
            subs = sum(1 for c in orphans if c.get("sourceId"))
            cleanup.deleted += len(orphans) - subs
            cleanup.sub_objects += subs
            continue
        _delete_page(ctx, orphans, cleanup)
    return cleanup


def _delete_page(ctx: RunContext, orphans: list[dict[str, Any]], cleanup: Cleanup) -> None:
    deletes = [Delete(str(c["originId"]), str(c["targetId"])) for c in orphans]
    own = [d for c, d in zip(orphans, deletes, strict=True) if not c.get("sourceId")]
    subs = [d for c, d in zip(orphans, deletes, strict=True) if c.get("sourceId")]
    for chunk in (own, subs if isinstance(ctx.target, ObjectStoreTarget) else []):
        if not chunk:
            continue
        try:
            ctx.target.delete(chunk)
        except NotFoundError:
            pass  # already gone
        except OpenConnectorError as error:
            for delete in chunk:
                delete.error = error.message
    now = now_precise()
    closed = []
    for contract, delete in zip(orphans, deletes, strict=True):
        sub = bool(contract.get("sourceId"))
        if delete.error:
            cleanup.errors.append(f"{delete.origin_id}: {delete.error}")
            cleanup.contract_logs.append(_deletion_log(ctx, contract, "invalid", delete.error))
            continue
        closed.append(
            {
                **contract,
                "targetId": None,
                "targetLastAction": "delete",
                "targetLastChanged": now,
                "updated": now,
            }
        )
        why = "no parent holds the sub-object any more" if sub else "the origin object is gone"
        cleanup.contract_logs.append(_deletion_log(ctx, contract, "delete", f"Deleted: {why}"))
        if sub:
            cleanup.sub_objects += 1
        else:
            cleanup.deleted += 1
    ctx.contracts.put_many(closed)


def _deletion_log(ctx: RunContext, contract: Mapping[str, Any], outcome: str, message: str) -> dict[str, Any]:
    target = {"id": contract.get("targetId"), "originId": contract.get("originId")}
    return contract_log(ctx, contract, outcome, message, None, target)
