"""Sub-objects (§5.7, ``sourceConfig.subObjects``): nested objects that carry an ``originId`` get
their own contracts, so a re-run gives them the same id instead of a twin.

The tree ``{property: {"subObjects": {...}}}`` names the properties (an object or a list of
objects) to look in, level by level. Before the write each such sub-object gets ``id`` = the target
id of its contract (a new one: the id derived from the synchronization and its origin id); after a
successful write its contract records that id and the sub-object's hash. A sub-object's contract
names its parent's contract in ``sourceId``; a parent's contract lists the origin ids of the
sub-objects it holds in ``subObjectOriginIds``. A run's pages count those as seen (a skipped parent
by its contract's list), so the deletion stage of a complete run deletes a sub-object exactly when no
parent holds it any more: its parent was deleted, or dropped it, and no other parent holds it (ADR 0205).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

HELD = "subObjectOriginIds"  # on a parent's contract: the origin ids of the sub-objects it holds


def held_by(contract: Mapping[str, Any] | None) -> list[str]:
    """The origin ids of the sub-objects a parent's contract says its target holds."""
    held = (contract or {}).get(HELD)
    return [str(origin) for origin in held] if isinstance(held, list) else []


def sub_objects(data: Any, tree: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every object under the tree's properties (at every configured level) that has an
    ``originId``, outermost first."""
    if not isinstance(data, dict):
        return
    for name, node in tree.items():
        value = data.get(name)
        for child in value if isinstance(value, list) else [value]:
            if not isinstance(child, dict):
                continue
            if child.get("originId") not in (None, ""):
                yield child
            nested = node.get("subObjects") if isinstance(node, Mapping) else None
            if isinstance(nested, Mapping):
                yield from sub_objects(child, nested)
