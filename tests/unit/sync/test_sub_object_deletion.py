"""The deletion stage and sub-objects (§5.7) on the in-memory contract store: a sub-object no parent
holds any more is deleted with a contract log, page by page, never twice; an API target never gets a
DELETE for it (it lived in its parent's body)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from openconnector_core.errors import OpenConnectorError
from openconnector_core.store.memory import MemoryEntityStore
from openconnector_core.sync import deletion
from openconnector_core.sync.contracts import new_contract
from openconnector_core.sync.deletion import delete_orphans
from openconnector_core.sync.memory import MemoryContractStore
from openconnector_core.sync.process import RunContext
from openconnector_core.sync.subobjects import HELD
from openconnector_core.sync.targets import Delete, Write

SYNC = "0193a4e2-7f00-7000-8000-00000000abcd"


class RecordingTarget:
    """An API target as the deletion stage sees it: records each call, fails on request."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.failing: set[str] = set()

    def write(self, writes: Sequence[Write]) -> None:
        raise AssertionError("the deletion stage writes nothing")

    def delete(self, deletes: Sequence[Delete]) -> None:
        self.calls.append([d.target_id for d in deletes])
        for delete in deletes:
            if delete.target_id in self.failing:
                delete.error = "The target answered 503"


def _contract(
    origin: str, parent: dict[str, Any] | None = None, held: list[str] | None = None
) -> dict[str, Any]:
    contract = new_contract(SYNC, origin)
    contract.update(targetId=f"t-{origin}", targetHash="h", targetLastAction="create")
    if parent is not None:
        contract["sourceId"] = parent["id"]
    if held is not None:
        contract[HELD] = held
    return contract


def _context(contracts: MemoryContractStore, target: Any, *, test: bool = False) -> RunContext:
    return RunContext(
        run_id="run-1",
        synchronization={"id": SYNC},
        test=test,
        force=False,
        data=None,
        fingerprint="f",
        config={},
        target=target,
        contracts=contracts,
        run_mapping=lambda mapping, data: dict(data),
    )


def _store(parents: int) -> MemoryContractStore:
    """``parents`` parents, each holding its own part; every parent also holds the shared owner."""
    store = MemoryContractStore(MemoryEntityStore())
    rows = []
    for n in range(parents):
        parent = _contract(str(n), held=["owner", f"part-{n}"])
        rows += [parent, _contract(f"part-{n}", parent)]
    rows.append(_contract("owner", rows[0]))
    store.put_many(rows)
    return store


def _open(store: MemoryContractStore) -> set[str]:
    return {origin for origin, _ in store.live_targets(SYNC)}


def test_a_sub_object_no_parent_holds_goes_a_held_one_stays() -> None:
    store, target = _store(3), RecordingTarget()
    seen = {"1", "2", "owner", "part-1", "part-2"}  # parent 0 is gone; 1 and 2 still hold the owner
    done = delete_orphans(_context(store, target), seen, None)
    assert (done.deleted, done.sub_objects, done.errors) == (1, 1, [])
    assert target.calls == [["t-0"]]  # an API target: no DELETE for the part
    assert _open(store) == seen
    closed = store.get_many(SYNC, ["0", "part-0"])
    assert all(c["targetId"] is None and c["targetLastAction"] == "delete" for c in closed.values())
    logs = {log["target"]["originId"]: log for log in done.contract_logs}
    assert set(logs) == {"0", "part-0"}
    assert logs["part-0"]["synchronizationContractId"] == closed["part-0"]["id"]
    assert all(
        log["targetResult"] == "delete" and log["synchronizationLogId"] == "run-1" for log in logs.values()
    )


def test_pages_of_a_hundred_and_a_retry_does_nothing_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    store, target = _store(130), RecordingTarget()
    done = delete_orphans(_context(store, target), set(), None)
    assert (done.deleted, done.sub_objects) == (130, 131)
    assert len(target.calls) == 3  # 261 contracts → 3 pages, the parents' deletes of each
    assert all(len(call) <= deletion.DELETE_PAGE for call in target.calls)
    assert _open(store) == set()
    again = delete_orphans(_context(store, target), set(), None)
    assert (again.deleted, again.sub_objects, again.contract_logs) == (0, 0, [])
    assert len(target.calls) == 3

    # a stage that died after its first page: the retry finishes the rest, once
    store, target = _store(130), RecordingTarget()
    put_many = store.put_many
    pages = 0

    def dying(contracts: Sequence[dict[str, Any]]) -> None:
        nonlocal pages
        pages += 1
        if pages == 2:
            raise OpenConnectorError("the worker died")
        put_many(contracts)

    monkeypatch.setattr(store, "put_many", dying)
    with pytest.raises(OpenConnectorError):
        delete_orphans(_context(store, target), set(), None)
    monkeypatch.setattr(store, "put_many", put_many)
    first = 130 * 2 + 1 - len(_open(store))
    assert first == deletion.DELETE_PAGE
    retried = delete_orphans(_context(store, target), set(), None)
    assert retried.deleted + retried.sub_objects == 130 * 2 + 1 - first
    assert _open(store) == set()


def test_a_failed_delete_keeps_the_contract_open_and_says_why() -> None:
    store, target = _store(2), RecordingTarget()
    target.failing.add("t-0")
    done = delete_orphans(_context(store, target), {"owner"}, None)
    assert done.deleted == 1 and done.errors == ["0: The target answered 503"]
    assert "0" in _open(store) and "1" not in _open(store)
    failed = [log for log in done.contract_logs if log["targetResult"] == "invalid"]
    assert [log["target"]["originId"] for log in failed] == ["0"]


def test_test_mode_counts_parents_and_sub_objects_and_changes_nothing() -> None:
    store, target = _store(3), RecordingTarget()
    before = _open(store)
    done = delete_orphans(_context(store, target, test=True), {"1", "2", "owner", "part-1", "part-2"}, None)
    assert (done.deleted, done.sub_objects, done.contract_logs) == (1, 1, [])
    assert target.calls == [] and _open(store) == before
