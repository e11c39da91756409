"""Contracts: deterministic ids, canonical hashes and the fields a write sets (§1.6, §5.5).

A contract's id and a new object-store target's id are derived from (synchronization, origin id):
two pages that carry the same origin object, or a page redelivered after a worker died between its
target write and its contract write, write the same contract and the same object — never a twin.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

_CONTRACT_NS = uuid.UUID("6f1c3f0e-6b1f-4c8e-9a55-0c9b1de0a210")
_TARGET_NS = uuid.UUID("2b7d8c61-29a4-4f0e-8d3e-5f4a1c7e9b02")


def contract_id(synchronization_id: str, origin_id: str) -> str:
    return str(uuid.uuid5(_CONTRACT_NS, f"{synchronization_id}\x00{origin_id}"))


def target_object_id(synchronization_id: str, origin_id: str) -> str:
    """The object-store id a new target object gets (stable across retries of its page)."""
    return str(uuid.uuid5(_TARGET_NS, f"{synchronization_id}\x00{origin_id}"))


def canonical(value: Any) -> str:
    """JSON with sorted keys and no whitespace: key order does not change a hash (§5.5 6c)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(value: Any) -> str:
    return hashlib.md5(canonical(value).encode(), usedforsecurity=False).hexdigest()


def now_precise() -> str:
    return datetime.now(UTC).isoformat()


def new_contract(synchronization_id: str, origin_id: str) -> dict[str, Any]:
    identifier = contract_id(synchronization_id, origin_id)
    now = now_precise()
    return {
        "id": identifier,
        "uuid": identifier,
        "version": "0.0.1",
        "synchronizationId": synchronization_id,
        "originId": origin_id,
        "originHash": None,
        "sourceLastChanged": None,
        "sourceLastChecked": None,
        "sourceLastSynced": None,
        "targetId": None,
        "targetHash": None,
        "targetLastChanged": None,
        "targetLastChecked": None,
        "targetLastSynced": None,
        "targetLastAction": None,
        "sourceId": None,
        "sourceHash": None,
        "created": now,
        "updated": now,
    }


def unchanged(contract: dict[str, Any] | None, origin_hash: str, fingerprint: str, force: bool) -> bool:
    """The skip rule (§5.5 6d): same source hash, written under the same configuration (the
    fingerprint of synchronization + mappings + rules replaces upstream's timestamp comparisons,
    which second-precision ``updated`` fields cannot decide), and a target that exists."""
    return (
        not force
        and contract is not None
        and contract.get("originHash") == origin_hash
        and contract.get("sourceHash") == fingerprint
        and bool(contract.get("targetId"))
        and bool(contract.get("targetHash"))
    )
