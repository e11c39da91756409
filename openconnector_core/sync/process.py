"""Per object (§5.5), one page at a time: conditions, origin id, one batched contract read, the
canonical hash and the skip rule, the mapping, rules before/after, one batched target write, one
batched contract write. An object that fails is counted ``invalid`` with its reason; the page goes on.

An unchanged object costs nothing but its share of the page's contract read: no mapping, no target
write, no contract write (its origin id is recorded with the page's seen ids, in one item).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openconnector_core import logic
from openconnector_core.errors import MappingError, OpenConnectorError, ValidationError
from openconnector_core.mapping import paths
from openconnector_core.sync import replace_ids
from openconnector_core.sync.contracts import (
    content_hash,
    new_contract,
    now_precise,
    target_object_id,
    unchanged,
)
from openconnector_core.sync.file_rules import FileRules
from openconnector_core.sync.ports import ContractStore
from openconnector_core.sync.subobjects import HELD, held_by, sub_objects
from openconnector_core.sync.targets import ObjectStoreTarget, Target, Write

logger = logging.getLogger(__name__)

RULE_TYPES_HERE = ("mapping", "error", "save_object", "synchronization")


@dataclass
class RunContext:
    """Everything a worker needs to process a run's pages, built once per run per container."""

    run_id: str
    synchronization: dict[str, Any]
    test: bool
    force: bool
    data: dict[str, Any] | None
    fingerprint: str
    config: dict[str, Any]
    target: Target
    contracts: ContractStore
    run_mapping: Callable[[Mapping[str, Any] | str, Any], dict[str, Any]]
    hash_mapping: dict[str, Any] | None = None
    target_mapping: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    save_object: Callable[[Mapping[str, Any], dict[str, Any]], dict[str, Any]] | None = None
    record: Any = None  # the RunRecord the context was built from (its plan; a worker's cache)
    enrich: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # extraDataConfigs
    synchronization_ids: Callable[[], list[str]] = lambda: []  # every synchronization (§5.7 look-ups)
    file_rules: FileRules | None = None  # fetch_file / write_file (§5.11)

    def contracts_anywhere(self, origin_ids: list[str]) -> dict[str, dict[str, Any]]:
        """The contracts with a target of these origin ids in any synchronization, this one's first
        (one batched read per synchronization while origin ids remain)."""
        found: dict[str, dict[str, Any]] = {}
        remaining = list(origin_ids)
        for synchronization_id in dict.fromkeys([self.synchronization_id, *self.synchronization_ids()]):
            if not remaining:
                break
            for origin, contract in self.contracts.get_many(synchronization_id, remaining).items():
                if contract.get("targetId"):
                    found[origin] = contract
            remaining = [origin for origin in remaining if origin not in found]
        return found

    def targets_anywhere(self, origin_ids: list[str]) -> dict[str, str]:
        return {origin: str(c["targetId"]) for origin, c in self.contracts_anywhere(origin_ids).items()}

    @property
    def synchronization_id(self) -> str:
        return str(self.synchronization["id"])


@dataclass
class PageResult:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("found", "skipped", "created", "updated", "invalid"), 0)
    )
    seen: list[str] = field(default_factory=list)
    contract_logs: list[dict[str, Any]] = field(default_factory=list)
    object_ms: list[float] = field(default_factory=list)


@dataclass
class _Item:
    origin_id: str
    source: dict[str, Any]
    contract: dict[str, Any] | None
    origin_hash: str = ""
    mapped: dict[str, Any] | None = None
    error: str | None = None
    subs: list[dict[str, Any]] = field(default_factory=list)  # sub-objects with an originId (§5.7)
    held: list[str] | None = None  # the origin ids of the sub-objects it holds, once written


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", "false", "0", 0)


def _condition_data(item: dict[str, Any]) -> Any:
    return paths.encode_keys(item, True)


def rule_applies(rule: Mapping[str, Any], timing: str, data: Any) -> bool:
    if str(rule.get("timing") or "before") != timing:
        return False
    conditions = rule.get("conditions")
    if conditions in (None, [], {}):
        return True
    return logic.passes(logic.evaluate(conditions, data), "synchronization-action")


def run_rules(
    ctx: RunContext, timing: str, data: dict[str, Any], problems: list[str] | None = None
) -> dict[str, Any]:
    """Rules of ``synchronization.actions`` with this timing (§5.9); an ``error`` rule or a failing
    rule raises ``ValidationError`` with the reason (the object becomes ``invalid``). A file that a
    file rule could not fetch or write is added to ``problems`` instead (§5.11: logged, not raised)."""
    for rule in ctx.rules:
        if not rule_applies(rule, timing, data):
            continue
        kind = rule.get("type")
        configuration = rule.get("configuration") or {}
        if kind == "error":
            error = configuration.get("error") if isinstance(configuration, Mapping) else None
            message = (error or {}).get("message") if isinstance(error, Mapping) else None
            raise ValidationError(f"Rule {rule.get('name') or rule.get('id')}: {message or 'error rule'}")
        if kind == "mapping":
            data = ctx.run_mapping(str(configuration.get("mapping")), data)
        elif kind == "save_object":
            if ctx.save_object is None:
                raise ValidationError("save_object rules need the object store")
            data = ctx.save_object(configuration.get("save_object") or {}, data)
        elif kind in ("fetch_file", "write_file"):
            if ctx.file_rules is None:
                raise ValidationError(f"{kind} rules need the files bucket")
            found: list[str] = []
            data = ctx.file_rules.run(kind, configuration, data, found)
            if problems is None:
                for problem in found:
                    logger.warning("%s", problem)
            else:
                problems.extend(found)
        elif kind == "synchronization":
            continue  # a no-op inside synchronizations, as upstream
        else:
            raise ValidationError(f"Unsupported rule type: {kind}")
    return data


def _origin_id(ctx: RunContext, item: dict[str, Any]) -> str | None:
    position = str(ctx.config.get("idPosition") or "id")
    value = paths.lookup(item, position)
    if not paths.found(value) or value is None or value == "" or isinstance(value, dict | list):
        return None
    return str(value)


def _passes_conditions(ctx: RunContext, item: dict[str, Any]) -> bool:
    conditions = ctx.synchronization.get("conditions")
    if conditions in (None, [], {}):
        return True
    return logic.passes(logic.evaluate(conditions, _condition_data(item)), "synchronization")


def _merge_data(ctx: RunContext, item: dict[str, Any]) -> dict[str, Any]:
    if ctx.config.get("useDataAsRequestBody") is False and ctx.data:
        return {**item, **ctx.data}
    return item


def process_page(ctx: RunContext, objects: Sequence[Any]) -> PageResult:
    """Process one page's objects; nothing is written in test mode."""
    import time

    result = PageResult()
    result.counts["found"] = len(objects)
    tree = replace_ids.tree_of(ctx.config, "subObjects")
    enrich = ctx.enrich
    before_conditions = str(ctx.config.get("fetchExtraDataBeforeConditions")).lower() == "true"
    items: list[_Item] = []
    for raw in objects:
        if not isinstance(raw, dict):
            result.counts["invalid"] += 1
            continue
        source = _merge_data(ctx, raw)
        try:
            if enrich is not None and before_conditions:
                source = enrich(source)
            if not _passes_conditions(ctx, source):
                result.counts["skipped"] += 1
                continue
        except OpenConnectorError as error:
            result.counts["invalid"] += 1
            logger.info("Object refused before its origin id was known: %s", error.message)
            continue
        origin_id = _origin_id(ctx, source)
        if origin_id is None:
            result.counts["invalid"] += 1
            logger.info(
                "Could not find origin id in object for key: %s", ctx.config.get("idPosition") or "id"
            )
            continue
        items.append(_Item(origin_id, source, None))
    unique: dict[str, _Item] = {}
    for item in items:  # an origin id twice in one page: the last occurrence wins, once
        if item.origin_id in unique:
            result.counts["skipped"] += 1
        unique[item.origin_id] = item
    result.seen = list(unique)
    contracts = ctx.contracts.get_many(ctx.synchronization_id, list(unique))
    if _truthy(ctx.config.get("findContractByOriginIdOnly")) and len(contracts) < len(unique):
        contracts.update(ctx.contracts_anywhere([origin for origin in unique if origin not in contracts]))
    to_write: list[_Item] = []
    for item in unique.values():
        started = time.perf_counter()
        item.contract = contracts.get(item.origin_id)
        try:
            if enrich is not None and not before_conditions:
                item.source = enrich(item.source)
            hashed = ctx.run_mapping(ctx.hash_mapping, item.source) if ctx.hash_mapping else item.source
            item.origin_hash = content_hash(hashed)
            if unchanged(item.contract, item.origin_hash, ctx.fingerprint, ctx.force) and (
                tree is None or HELD in (item.contract or {})  # a contract from before HELD: rewrite
            ):
                result.counts["skipped"] += 1
                continue
            item.mapped = (
                ctx.run_mapping(ctx.target_mapping, item.source) if ctx.target_mapping else dict(item.source)
            )
        except (MappingError, ValidationError, OpenConnectorError) as error:
            item.error = error.message
        finally:
            result.object_ms.append((time.perf_counter() - started) * 1000)
        to_write.append(item)
    _before_write(ctx, [item for item in to_write if item.error is None and item.mapped is not None])
    sub_contracts = _identify_sub_objects(ctx, to_write, tree)
    _write(ctx, to_write, result, tree, sub_contracts)
    if tree is not None:  # a sub-object held by a parent seen in this run is seen too
        held = (item.held if item.held is not None else held_by(item.contract) for item in unique.values())
        result.seen = list(dict.fromkeys([*result.seen, *(origin for origins in held for origin in origins)]))
    return result


def _before_write(ctx: RunContext, items: list[_Item]) -> None:
    """§5.5 f–g and §5.6 for the page at once: ids replaced before the rules, the rules with timing
    ``before``, origin ids replaced before a write to the object store."""
    tree = replace_ids.tree_of(ctx.config, "idsToReplaceWithTargetIdsBeforeRules")
    if tree is not None:
        replace_ids.replace_ids_before_rules([item.mapped for item in items], tree, ctx.targets_anywhere)
    if ctx.rules:
        for item in items:
            try:
                item.mapped = run_rules(ctx, "before", item.mapped or {})
            except OpenConnectorError as error:
                item.error = error.message
    tree = replace_ids.tree_of(ctx.config, "originIdsToReplace")
    if tree is not None and isinstance(ctx.target, ObjectStoreTarget):
        objects = [item.mapped for item in items if item.error is None]
        replace_ids.replace_origin_ids(objects, tree, ctx.targets_anywhere)


def _identify_sub_objects(
    ctx: RunContext, items: list[_Item], tree: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Give every sub-object the target id of its contract (one batched read for the page);
    returns the contracts found, by origin id."""
    if tree is None:
        return {}
    for item in items:
        if item.error is None and item.mapped is not None:
            item.subs = list(sub_objects(item.mapped, tree))
    origin_ids = [str(sub["originId"]) for item in items for sub in item.subs]
    if not origin_ids:
        return {}
    known = ctx.contracts.get_many(ctx.synchronization_id, origin_ids)
    for item in items:
        for sub in item.subs:
            origin = str(sub["originId"])
            sub["id"] = (known.get(origin) or {}).get("targetId") or target_object_id(
                ctx.synchronization_id, origin
            )
    return known


def _sub_contracts(
    ctx: RunContext, item: _Item, parent: Mapping[str, Any], known: Mapping[str, dict[str, Any]], now: str
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The sub-objects of a written item whose contract changes, with that contract."""
    contracts = []
    rewrite = item.contract is not None and HELD not in item.contract  # written before HELD existed
    for sub in item.subs:
        origin = str(sub["originId"])
        contract = dict(known.get(origin) or new_contract(ctx.synchronization_id, origin))
        sub_hash = content_hash(sub)
        if not rewrite and contract.get("targetHash") == sub_hash and contract.get("targetId") == sub["id"]:
            continue  # unchanged sub-object: nothing to write
        contract.update(
            sourceId=parent["id"],
            originHash=sub_hash,
            sourceHash=ctx.fingerprint,
            sourceLastChanged=now,
            sourceLastSynced=now,
            targetId=sub["id"],
            targetHash=sub_hash,
            targetLastChanged=now,
            targetLastSynced=now,
            targetLastAction="update" if contract.get("targetId") else "create",
            updated=now,
        )
        contracts.append((sub, contract))
    return contracts


def _write(
    ctx: RunContext,
    items: list[_Item],
    result: PageResult,
    tree: Mapping[str, Any] | None,
    sub_contracts: Mapping[str, dict[str, Any]],
) -> None:
    writes = [
        Write(item.origin_id, (item.contract or {}).get("targetId"), item.mapped)
        for item in items
        if item.error is None and item.mapped is not None
    ]
    if ctx.test:  # every stage ran; nothing is written
        for item in items:
            if item.error is None:
                item.held = list(dict.fromkeys(str(sub["originId"]) for sub in item.subs))
        for write in writes:
            result.counts["created" if write.target_id is None else "updated"] += 1
        result.counts["invalid"] += sum(1 for item in items if item.error is not None)
        return
    try:
        ctx.target.write(writes)
    except OpenConnectorError as failure:
        for pending in writes:
            pending.error = failure.message
    by_origin = {write.origin_id: write for write in writes}
    # Written as fetched (no mapping, no rules): the target's hash is the origin hash.
    as_fetched = ctx.target_mapping is None and ctx.hash_mapping is None and not ctx.rules
    now = now_precise()
    contracts: list[dict[str, Any]] = []
    for item in items:
        written = by_origin.get(item.origin_id)
        reason = item.error or (written.error if written else "not written")
        if reason is not None or written is None:
            result.counts["invalid"] += 1
            result.contract_logs.append(
                contract_log(ctx, item.contract, "invalid", reason, item.source, item.mapped)
            )
            continue
        write = written
        contract = (
            dict(item.contract) if item.contract else new_contract(ctx.synchronization_id, item.origin_id)
        )
        result.counts[
            "created" if item.contract is None or not item.contract.get("targetId") else "updated"
        ] += 1
        problems: list[str] = []  # an after-rule that fails leaves the written object as it is
        if ctx.rules:  # their result is discarded (side effects only), as upstream
            after = {"id": write.target_id_out, **(write.written or write.object)}
            try:
                run_rules(ctx, "after", {**after, "_objectBeforeMapping": item.source}, problems)
            except OpenConnectorError as failure:
                problems.append(failure.message)
        for problem in problems:
            logger.warning("After-rule problem for object %s: %s", item.origin_id, problem)
        if problems:
            result.counts["ruleErrors"] = result.counts.get("ruleErrors", 0) + len(problems)
        contract.update(
            originHash=item.origin_hash,
            sourceHash=ctx.fingerprint,
            sourceLastChanged=now,
            sourceLastChecked=now,
            sourceLastSynced=now,
            targetId=write.target_id_out,
            targetHash=item.origin_hash if as_fetched else content_hash(write.object),
            targetLastChanged=now,
            targetLastSynced=now,
            targetLastAction=write.action,
            updated=now,
        )
        if tree is not None:
            item.held = contract[HELD] = list(dict.fromkeys(str(sub["originId"]) for sub in item.subs))
        contracts.append(contract)
        log = contract_log(ctx, contract, str(write.action), None, item.source, item.mapped)
        result.contract_logs.append({**log, "ruleErrors": problems} if problems else log)
        for sub, sub_contract in _sub_contracts(ctx, item, contract, sub_contracts, now):
            contracts.append(sub_contract)
            action = str(sub_contract["targetLastAction"])
            result.contract_logs.append(contract_log(ctx, sub_contract, action, None, sub, sub))
    # one write per contract: a sub-object shared by several objects of the page is written once
    ctx.contracts.put_many(list({contract["id"]: contract for contract in contracts}.values()))


def contract_log(
    ctx: RunContext,
    contract: Mapping[str, Any] | None,
    outcome: str,
    message: str | None,
    source: Any,
    target: Any,
) -> dict[str, Any]:
    """A synchronization contract log of this run (``message`` ``None`` → ``Success``)."""
    return {
        "message": message or "Success",
        "synchronizationId": ctx.synchronization_id,
        "synchronizationContractId": (contract or {}).get("id"),
        "synchronizationLogId": ctx.run_id,
        "source": source,
        "target": target,
        "targetResult": outcome,
        "test": ctx.test,
        "force": ctx.force,
        "created": now_precise(),
    }
