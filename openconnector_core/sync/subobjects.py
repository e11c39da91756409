"""Sub-objects (§5.7, ``sourceConfig.subObjects``): nested objects that carry an ``originId`` get
their own contracts, so a re-run gives them the same id instead of a twin.

The tree ``{property: {"subObjects": {...}}}`` names the properties (an object or a list of
objects) to look in, level by level. Before the write each such sub-object gets ``id`` = the target
id of its contract (a new one: the id derived from the synchronization and its origin id); after a
successful write its contract records that id and the sub-object's hash. A sub-object's contract
names its parent's contract in ``sourceId`` and is kept with its parent: the deletion stage of a
run never deletes a sub-object on its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def tree_of(config: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tree = config.get("subObjects")
    return tree if isinstance(tree, Mapping) and tree else None


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
