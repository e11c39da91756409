"""Sub-objects (§5.7): nested objects with an ``originId`` keep their id across runs through their
own contracts, and the deletion stage leaves them to their parent. Real paginated API on 127.0.0.1,
memory stores and moto's DynamoDB."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.sync.runs import start_run
from tests.integration.sync.conftest import Setup

SUB_OBJECTS: dict[str, Any] = {"owner": {}, "parts": {"subObjects": {"maker": {}}}}
PAGED: dict[str, Any] = {  # the paginated endpoint, with the sub-objects above
    "endpoint": "/page_number",
    "resultsPosition": "data",
    "pagination": {"type": "page_number", "total_path": "total_pages"},
    "subObjects": SUB_OBJECTS,
}


def _with_sub_objects(setup: Setup) -> None:
    for record in setup.api.state.records:
        n = int(record["value"])
        record["owner"] = {"originId": f"owner-{n % 3}", "name": f"owner {n % 3}"}
        record["parts"] = [
            {"originId": f"part-{n}", "n": n, "maker": {"originId": "maker-1", "name": "Acme"}},
            {"n": 0},  # no originId: left alone
        ]


def _check(setup: Setup) -> None:
    _with_sub_objects(setup)
    sync = setup.sync(sourceConfig=PAGED)
    first = start_run(setup.container, sync["id"])
    assert first["status"] == "success", first["message"]
    assert first["result"]["objects"]["created"] == 25
    contracts = {c["originId"]: c for c in setup.contracts(sync)}
    assert len(contracts) == 25 + 3 + 25 + 1  # records, owners, parts, the one maker
    stored = {o["name"]: o for o in setup.stored()}
    one = stored["record 4"]
    assert one["owner"]["id"] == contracts["owner-1"]["targetId"]
    assert one["parts"][0]["id"] == contracts["part-4"]["targetId"]
    assert one["parts"][0]["maker"]["id"] == contracts["maker-1"]["targetId"]
    assert "id" not in one["parts"][1]
    assert contracts["part-4"]["sourceId"] == contracts["4"]["id"]  # kept with its parent

    again = start_run(setup.container, sync["id"])
    assert again["result"]["objects"]["skipped"] == 25 and again["result"]["objects"]["deleted"] == 0
    assert {c["originId"]: c["targetId"] for c in setup.contracts(sync)} == {
        origin: c["targetId"] for origin, c in contracts.items()
    }

    record = next(r for r in setup.api.state.records if r["value"] == 4)
    record["owner"]["name"] = "renamed"  # the parent changes through its sub-object
    changed = start_run(setup.container, sync["id"])
    assert changed["result"]["objects"]["updated"] == 1
    after = {c["originId"]: c for c in setup.contracts(sync)}
    assert after["owner-1"]["targetId"] == contracts["owner-1"]["targetId"]  # same id, no twin
    assert after["owner-1"]["targetHash"] != contracts["owner-1"]["targetHash"]
    renamed = {o["name"]: o for o in setup.stored()}["record 4"]
    assert renamed["owner"] == {
        "originId": "owner-1",
        "name": "renamed",
        "id": contracts["owner-1"]["targetId"],
    }


def test_sub_objects_in_memory(setup: Setup) -> None:
    _check(setup)


@pytest.mark.usefixtures("aws")
def test_sub_objects_on_dynamodb(
    dynamo_container: Container, make_setup: Callable[[Container], Setup]
) -> None:
    _check(make_setup(dynamo_container))


def test_without_a_tree_nothing_changes(setup: Setup) -> None:
    _with_sub_objects(setup)
    sync = setup.sync(sourceConfig={"endpoint": "/original"})
    start_run(setup.container, sync["id"])
    assert len(setup.contracts(sync)) == 25
    assert all("id" not in o["owner"] for o in setup.stored())


def _deletion_logs(setup: Setup, run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The contract logs the run's deletion stage wrote, by the origin id they name."""
    logs = setup.container.logs.query("synchronization-contract-logs", limit=500).items
    return {
        log["target"]["originId"]: log
        for log in logs
        if log["synchronizationLogId"] == run["id"] and log["targetResult"] == "delete"
    }


def _follow_the_parent(setup: Setup) -> None:
    _with_sub_objects(setup)
    records = {int(r["value"]): r for r in setup.api.state.records}
    records[5]["owner"] = {"originId": "owner-solo", "name": "only record 5's"}
    sync = setup.sync(sourceConfig=PAGED)
    assert start_run(setup.container, sync["id"])["status"] == "success"
    first = {c["originId"]: c for c in setup.contracts(sync)}
    assert first["5"]["subObjectOriginIds"] == ["owner-solo", "part-5", "maker-1"]
    # a sub-object that was also written as an object of its own (the original's cascade does that)
    setup.container.objects.create(
        "registry/record", {"id": first["part-5"]["targetId"], "name": "part 5 on its own"}
    )

    # the parent goes: its own sub-objects go with it, the shared ones stay with their other parents
    setup.api.state.records.remove(records[5])
    run = start_run(setup.container, sync["id"])
    assert run["status"] == "success", run["message"]
    assert run["result"]["objects"]["deleted"] == 1
    assert run["result"]["timing"]["stages"]["cleanup_invalid"]["sub_objects_deleted"] == 2
    after = {c["originId"]: c for c in setup.contracts(sync)}
    for origin in ("5", "owner-solo", "part-5"):
        assert after[origin]["targetId"] is None and after[origin]["targetLastAction"] == "delete", origin
    for origin in ("owner-2", "maker-1", "part-4"):  # still held by records 2, 8, … / every record / 4
        assert after[origin]["targetId"] == first[origin]["targetId"], origin
    names = {o["name"] for o in setup.stored()}
    assert "record 5" not in names and "part 5 on its own" not in names and "record 4" in names
    assert set(_deletion_logs(setup, run)) == {"5", "owner-solo", "part-5"}

    # a re-run finds a sub-object gone from its parent: that sub-object goes, its parent stays
    records[7]["parts"] = [{"n": 0}]
    dropped = start_run(setup.container, sync["id"])
    assert dropped["result"]["objects"]["updated"] == 1 and dropped["result"]["objects"]["deleted"] == 0
    assert dropped["result"]["timing"]["stages"]["cleanup_invalid"]["sub_objects_deleted"] == 1
    now = {c["originId"]: c for c in setup.contracts(sync)}
    assert now["part-7"]["targetId"] is None and now["7"]["targetId"] == first["7"]["targetId"]
    assert now["7"]["subObjectOriginIds"] == ["owner-1"]
    assert now["maker-1"]["targetId"] == first["maker-1"]["targetId"]  # held by the other parts
    assert set(_deletion_logs(setup, dropped)) == {"part-7"}

    # nothing twice: the next run deletes nothing and logs no deletion
    again = start_run(setup.container, sync["id"])
    assert again["result"]["objects"]["deleted"] == 0
    assert again["result"]["timing"]["stages"]["cleanup_invalid"]["sub_objects_deleted"] == 0
    assert _deletion_logs(setup, again) == {}
    assert {c["originId"]: c for c in setup.contracts(sync)} == now


def test_sub_objects_follow_their_parent_in_memory(setup: Setup) -> None:
    _follow_the_parent(setup)


@pytest.mark.usefixtures("aws")
def test_sub_objects_follow_their_parent_on_dynamodb(
    dynamo_container: Container, make_setup: Callable[[Container], Setup]
) -> None:
    _follow_the_parent(make_setup(dynamo_container))


def test_contracts_from_before_the_held_list_are_rewritten_once_and_nothing_is_deleted(setup: Setup) -> None:
    from openconnector_core.sync.runs import runtime
    from openconnector_core.sync.subobjects import HELD

    _with_sub_objects(setup)
    sync = setup.sync(sourceConfig={"endpoint": "/original", "subObjects": SUB_OBJECTS})
    start_run(setup.container, sync["id"])
    contracts = runtime(setup.container).contracts
    legacy = [{k: v for k, v in c.items() if k != HELD} for c in setup.contracts(sync)]
    contracts.put_many(legacy)  # as an earlier version wrote them

    upgraded = start_run(setup.container, sync["id"])
    assert upgraded["result"]["objects"]["updated"] == 25 and upgraded["result"]["objects"]["deleted"] == 0
    assert upgraded["result"]["timing"]["stages"]["cleanup_invalid"]["sub_objects_deleted"] == 0
    assert all(HELD in c for c in setup.contracts(sync) if not c["sourceId"])
    assert start_run(setup.container, sync["id"])["result"]["objects"]["skipped"] == 25
