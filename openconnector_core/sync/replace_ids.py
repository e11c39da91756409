"""Origin ids replaced by target ids (§5.7): ``idsToReplaceWithTargetIdsBeforeRules`` and
``originIdsToReplace``, both trees ``{key: "true" | {nested tree}}`` over the mapped object.

* ``idsToReplaceWithTargetIdsBeforeRules`` (after the mapping, before the rules): every object
  reached through the tree that carries an ``originId`` gets ``id`` = that origin's target id.
* ``originIdsToReplace`` (before a write to the object store): a string at a ``"true"`` leaf that is
  a known origin id becomes its target id; a URL holding a uuid that is a known origin id gets that
  uuid replaced. A list at a leaf is treated element by element.

Origin ids are looked up in the contracts of *every* synchronization (this one's first), as the
original does: one synchronization typically references objects another one brought in. A page
costs one batched contract read per synchronization, for all its objects at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

Lookup = Callable[[list[str]], dict[str, str]]  # origin ids → {origin id: target id}


def tree_of(config: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    tree = config.get(key)
    return tree if isinstance(tree, Mapping) and tree else None


def _leaf(node: Any) -> bool:
    return node is True or str(node).lower() == "true"


def _walk(data: Any, tree: Mapping[str, Any]) -> Iterator[tuple[Any, Any, Any]]:
    """(container, key, node) for every key of the tree present in ``data``; lists are walked
    element by element (the container is then the list and the key an index)."""
    if isinstance(data, list):
        for element in data:
            yield from _walk(element, tree)
        return
    if not isinstance(data, dict):
        return
    for key, node in tree.items():
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, list) and _leaf(node):
            for index in range(len(value)):
                yield value, index, node
        else:
            yield data, key, node
        if isinstance(node, Mapping):
            yield from _walk(value, node)


def _objects_with_origin(objects: Iterable[Any], tree: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for data in objects:
        for container, key, _ in _walk(data, tree):
            value = container[key]
            for candidate in value if isinstance(value, list) else [value]:
                if isinstance(candidate, dict) and candidate.get("originId") not in (None, ""):
                    yield candidate


def replace_ids_before_rules(objects: list[Any], tree: Mapping[str, Any], lookup: Lookup) -> None:
    found = list(_objects_with_origin(objects, tree))
    targets = lookup(list(dict.fromkeys(str(o["originId"]) for o in found))) if found else {}
    for candidate in found:
        target = targets.get(str(candidate["originId"]))
        if target is not None:
            candidate["id"] = target


def _strings(objects: Iterable[Any], tree: Mapping[str, Any]) -> Iterator[tuple[Any, Any, str]]:
    for data in objects:
        for container, key, node in _walk(data, tree):
            if _leaf(node) and isinstance(container[key], str):
                yield container, key, container[key]


def replace_origin_ids(objects: list[Any], tree: Mapping[str, Any], lookup: Lookup) -> None:
    leaves = list(_strings(objects, tree))
    wanted: dict[str, None] = {}
    for _, _, text in leaves:
        wanted[text] = None
        wanted.update(dict.fromkeys(_UUID.findall(text)))
    targets = lookup(list(wanted)) if wanted else {}
    for container, key, text in leaves:
        if text in targets:
            container[key] = targets[text]
            continue
        container[key] = _UUID.sub(lambda match: targets.get(match.group(0), match.group(0)), text)
