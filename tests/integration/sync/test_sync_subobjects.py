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
    sync = setup.sync(
        sourceConfig={
            "endpoint": "/page_number",
            "resultsPosition": "data",
            "pagination": {"type": "page_number", "total_path": "total_pages"},
            "subObjects": SUB_OBJECTS,
        }
    )
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
