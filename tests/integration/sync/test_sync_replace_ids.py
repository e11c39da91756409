"""Origin ids replaced by target ids (§5.7) across synchronizations, against the real paginated API:
one synchronization brings records in, a second one references them by origin id."""

from __future__ import annotations

import uuid

from openconnector_core.sync.runs import start_run
from tests.integration.sync.conftest import Setup

NAMESPACE = uuid.UUID("9b0e1f1e-8a43-4c39-9d5a-2a6b8f0d7c11")


def key(n: int) -> str:
    return str(uuid.uuid5(NAMESPACE, str(n)))


def test_origin_ids_become_the_target_ids_another_synchronization_made(setup: Setup) -> None:
    for record in setup.api.state.records:
        n = int(record["value"])
        other = n % 25 + 1
        record.update(
            key=key(n),
            ref={"originId": key(other), "id": "replace me"},
            link=f"https://example.test/records/{key(other)}?x=1",
            other=key(other),
            unknown="not-an-origin-id",
            many=[key(other), "nothing"],
        )
    setup.container.entities.create("schemas", {"name": "Copy", "slug": "copy"})
    persons = setup.sync(name="persons", sourceConfig={"endpoint": "/original", "idPosition": "key"})
    assert start_run(setup.container, persons["id"])["status"] == "success"
    target = {c["originId"]: c["targetId"] for c in setup.contracts(persons)}
    assert len(target) == 25

    cases = setup.sync(
        name="cases",
        targetId="registry/copy",
        sourceConfig={
            "endpoint": "/page_number",
            "resultsPosition": "data",
            "pagination": {"type": "page_number", "total_path": "total_pages"},
            "idsToReplaceWithTargetIdsBeforeRules": {"ref": "true"},
            "originIdsToReplace": {"link": "true", "other": "true", "unknown": "true", "many": "true"},
        },
    )
    log = start_run(setup.container, cases["id"])
    assert log["status"] == "success" and log["result"]["objects"]["created"] == 25
    stored = {o["value"]: o for o in setup.container.objects.list("registry/copy", limit=100).items}
    four = stored[4]
    assert four["ref"] == {"originId": key(5), "id": target[key(5)]}
    assert four["link"] == f"https://example.test/records/{target[key(5)]}?x=1"
    assert four["other"] == target[key(5)]
    assert four["many"] == [target[key(5)], "nothing"]
    assert four["unknown"] == "not-an-origin-id"
    assert four["key"] == key(4)  # not in a tree: untouched


def test_without_the_trees_nothing_is_replaced(setup: Setup) -> None:
    for record in setup.api.state.records:
        record["ref"] = {"originId": "1", "id": "kept"}
    plain = setup.sync(name="plain", sourceConfig={"endpoint": "/original"})
    start_run(setup.container, plain["id"])
    again = setup.sync(name="again", targetId="registry/record", sourceConfig={"endpoint": "/next"})
    start_run(setup.container, again["id"])
    assert all(o["ref"]["id"] == "kept" for o in setup.stored())


def test_find_contract_by_origin_id_only_updates_the_objects_another_synchronization_made(
    setup: Setup,
) -> None:
    first = setup.sync(name="first", sourceConfig={"endpoint": "/original"})
    start_run(setup.container, first["id"])
    targets = {c["originId"]: c["targetId"] for c in setup.contracts(first)}
    second = setup.sync(name="second", sourceConfig={"endpoint": "/next", "findContractByOriginIdOnly": True})
    log = start_run(setup.container, second["id"])
    assert log["status"] == "success", log["message"]
    assert log["result"]["objects"]["created"] == 0 and log["result"]["objects"]["updated"] == 25
    assert sorted(o["id"] for o in setup.stored()) == sorted(targets.values())  # no twins
    assert setup.contracts(second) == []  # the first synchronization's contracts were used

    third = setup.sync(name="third", sourceConfig={"endpoint": "/next"})
    assert start_run(setup.container, third["id"])["result"]["objects"]["created"] == 25
    assert len(setup.stored()) == 50  # without the flag: a synchronization of its own
