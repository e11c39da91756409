"""Synchronization runs against a real paginated API on 127.0.0.1 (pages in this process)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from openconnector_core.errors import ConflictError, NotFoundError, ValidationError
from openconnector_core.sync.runs import start_run
from tests.integration.sync.conftest import Setup

STYLES: dict[str, dict[str, Any]] = {
    "original": {"endpoint": "/original"},
    "original-next-links": {"endpoint": "/next"},
    "page_number": {
        "endpoint": "/page_number",
        "resultsPosition": "data",
        "pagination": {"type": "page_number", "total_path": "total_pages"},
    },
    "offset": {
        "endpoint": "/offset",
        "resultsPosition": "data",
        "pagination": {"type": "offset", "limit": 10},
    },
    "json_link": {
        "endpoint": "/json_link",
        "resultsPosition": "data",
        "pagination": {"type": "json_link", "next_url_path": "links.next"},
    },
    "header_link": {
        "endpoint": "/header_link",
        "resultsPosition": "_root",
        "pagination": {"type": "header_link"},
    },
    "cursor": {
        "endpoint": "/cursor",
        "resultsPosition": "data",
        "pagination": {"type": "cursor", "cursor_path": "cursors.next", "cursor_param": "cursor"},
    },
    "single_page": {"endpoint": "/single", "resultsPosition": "_root", "pagination": {"type": "single_page"}},
}


def objects(log: dict[str, Any]) -> dict[str, int]:
    return dict(log["result"]["objects"])


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_paginator_syncs_every_record_once(setup: Setup, style: str) -> None:
    sync = setup.sync(sourceConfig=STYLES[style])
    log = start_run(setup.container, sync["id"])
    assert log["status"] == "success", log["message"]
    assert objects(log) == {
        "found": 25,
        "skipped": 0,
        "created": 25,
        "updated": 0,
        "deleted": 0,
        "invalid": 0,
    }
    stored = setup.stored()
    assert sorted(int(o["value"]) for o in stored) == list(range(1, 26))
    assert len(setup.contracts(sync)) == 25
    again = start_run(setup.container, sync["id"])
    assert objects(again)["skipped"] == 25 and objects(again)["created"] == objects(again)["updated"] == 0
    assert len(setup.stored()) == 25


def test_unchanged_rerun_writes_nothing_to_an_api_target(setup: Setup) -> None:
    sync = setup.api_target()
    first = start_run(setup.container, sync["id"])
    assert objects(first)["created"] == 25
    posts = [r for r in setup.api.state.received if r["method"] == "POST"]
    assert len(posts) == 25 and posts[0]["body"]["name"] == "record 1"
    setup.api.state.received.clear()
    contracts_before = {c["id"]: c["updated"] for c in setup.contracts(sync)}
    again = start_run(setup.container, sync["id"])
    assert objects(again)["skipped"] == 25
    assert setup.api.state.received == []
    assert {c["id"]: c["updated"] for c in setup.contracts(sync)} == contracts_before


def test_changes_update_and_vanished_records_are_deleted(setup: Setup) -> None:
    sync = setup.api_target()
    start_run(setup.container, sync["id"])
    targets = {c["originId"]: c["targetId"] for c in setup.contracts(sync)}
    setup.api.state.received.clear()
    setup.api.state.records[0]["name"] = "renamed"
    gone = setup.api.state.records.pop()
    log = start_run(setup.container, sync["id"])
    assert objects(log) == {
        "found": 24,
        "skipped": 23,
        "created": 0,
        "updated": 1,
        "deleted": 1,
        "invalid": 0,
    }
    assert sorted((r["method"], r["path"]) for r in setup.api.state.received) == [
        ("DELETE", f"/target/{targets[gone['id']]}"),
        ("PUT", f"/target/{targets['1']}"),
    ]
    closed = {c["originId"]: c for c in setup.contracts(sync)}[gone["id"]]
    assert closed["targetId"] is None and closed["targetLastAction"] == "delete"


def test_a_failed_page_deletes_nothing_and_the_next_run_converges(setup: Setup) -> None:
    sync = setup.sync()
    start_run(setup.container, sync["id"])
    setup.api.state.records.pop()
    setup.api.state.faults[("/original", 2)] = [503] * 10  # more than the retries
    failed = start_run(setup.container, sync["id"])
    assert failed["status"] == "failed"
    assert "Page 2" in failed["message"] and "503" in failed["message"]
    assert objects(failed)["deleted"] == 0
    assert len(setup.stored()) == 25  # nothing lost
    setup.api.state.faults.clear()
    converged = start_run(setup.container, sync["id"])
    assert converged["status"] == "success" and objects(converged)["deleted"] == 1
    assert len(setup.stored()) == 24


@pytest.mark.parametrize("fault", [503, 429, "slow"])
def test_transient_faults_are_retried(setup: Setup, fault: Any) -> None:
    setup.container.entities.update(
        "sources", setup.source["id"], {"configuration": {"timeout": 0.5, "retry": {"baseDelay": 0.01}}}
    )
    setup.api.state.slow_seconds = 1.5
    setup.api.state.faults[("/original", 2)] = [fault]
    sync = setup.sync()
    log = start_run(setup.container, sync["id"])
    assert log["status"] == "success", log["message"]
    assert objects(log)["created"] == 25
    assert setup.api.gets("/original?page=2") == 2


def test_invalid_json_fails_the_run_with_the_page_and_cause(setup: Setup) -> None:
    setup.api.state.faults[("/original", 1)] = ["invalid-json"]
    log = start_run(setup.container, setup.sync()["id"])
    assert log["status"] == "failed"
    assert log["message"] == "Page 1: the response is neither JSON nor XML"
    missing = start_run(
        setup.container, setup.sync(sourceConfig={"endpoint": "/original", "resultsPosition": "rows"})["id"]
    )
    assert missing["status"] == "failed" and "resultsPosition 'rows'" in missing["message"]


def test_test_mode_counts_everything_and_writes_nothing(setup: Setup) -> None:
    sync = setup.api_target()
    trial = start_run(setup.container, sync["id"], test=True)
    assert trial["status"] == "success" and trial["test"] is True
    assert objects(trial)["created"] == 25
    assert setup.api.state.received == [] and setup.contracts(sync) == []
    start_run(setup.container, sync["id"])
    setup.api.state.records.pop()
    setup.api.state.received.clear()
    would = start_run(setup.container, sync["id"], test=True)
    assert objects(would)["deleted"] == 1
    assert setup.api.state.received == []
    assert all(c["targetId"] for c in setup.contracts(sync))


def test_a_capped_run_says_so_and_deletes_nothing(setup: Setup) -> None:
    sync = setup.sync(sourceConfig={"endpoint": "/original", "maxPages": 2})
    log = start_run(setup.container, sync["id"])
    assert log["status"] == "success"
    assert log["result"]["pages"]["capped"] is True and "maxPages 2" in log["message"]
    assert objects(log)["created"] == 20
    assert log["result"]["timing"]["stages"]["cleanup_invalid"]["skipped"].startswith("the run hit maxPages")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sourceId": "no-such-source"}, "sourceId"),
        ({"targetId": "registry/nothing"}, "targetId"),
        ({"targetType": "database"}, "targetType"),
        ({"sourceTargetMapping": "no-such-mapping"}, "sourceTargetMapping"),
        ({"actions": ["no-such-rule"]}, "actions.0"),
        (
            {"sourceConfig": {"endpoint": "/original", "pagination": {"type": "pages"}}},
            "sourceConfig.pagination.type",
        ),
    ],
)
def test_bad_references_are_400_naming_the_field_before_fetching(
    setup: Setup, fields: dict[str, Any], field: str
) -> None:
    sync = setup.sync(**fields)
    with pytest.raises(ValidationError) as refused:
        start_run(setup.container, sync["id"])
    assert field in refused.value.extra["fields"]
    assert setup.api.state.requests == []


def test_unknown_synchronization_is_404(setup: Setup) -> None:
    with pytest.raises(NotFoundError):
        start_run(setup.container, "nope")


def test_mapping_conditions_and_invalid_objects(setup: Setup) -> None:
    mapping = setup.container.entities.create(
        "mappings", {"name": "m", "mapping": {"name": "{{ name|upper }}", "value": "value"}}
    ).item
    setup.api.state.records[3]["value"] = "not a number"  # fails the schema after mapping
    sync = setup.sync(
        sourceTargetMapping=mapping["id"],
        conditions={"!=": [{"var": "id"}, "2"]},
    )
    log = start_run(setup.container, sync["id"])
    assert objects(log) == {
        "found": 25,
        "skipped": 1,
        "created": 23,
        "updated": 0,
        "deleted": 0,
        "invalid": 1,
    }
    names = {o["name"] for o in setup.stored()}
    assert "RECORD 1" in names and "RECORD 2" not in names
    logs = setup.container.logs.query("synchronization-contract-logs", limit=100).items
    invalid = [entry for entry in logs if entry["targetResult"] == "invalid"]
    assert len(invalid) == 1 and "value" in invalid[0]["message"]


def test_api_target_errors_count_invalid_and_keep_the_contract(setup: Setup) -> None:
    sync = setup.api_target()
    start_run(setup.container, sync["id"])
    before = {c["originId"]: c for c in setup.contracts(sync)}
    setup.api.state.records[0]["name"] = "changed"
    setup.api.state.target_faults.append(500)
    log = start_run(setup.container, sync["id"])
    assert objects(log)["invalid"] == 1 and objects(log)["updated"] == 0
    after = {c["originId"]: c for c in setup.contracts(sync)}
    assert after["1"] == before["1"]  # unchanged: the next run tries again
    setup.api.state.received.clear()
    retried = start_run(setup.container, sync["id"])
    assert objects(retried)["updated"] == 1
    assert [r["method"] for r in setup.api.state.received] == ["PUT"]


def test_id_in_request_body_is_the_target_id(setup: Setup) -> None:
    sync = setup.api_target(targetConfig={"endpoint": "/target", "idInRequestBody": "name"})
    start_run(setup.container, sync["id"])
    assert {c["targetId"] for c in setup.contracts(sync)} == {f"record {n}" for n in range(1, 26)}


def test_follow_ups_run_after_success(setup: Setup) -> None:
    second = setup.api_target(name="second")
    first = setup.sync(followUps=[second["id"]])
    log = start_run(setup.container, first["id"])
    assert log["result"]["timing"]["stages"]["follow_ups"]["follow_ups_executed"] == 1
    assert len([r for r in setup.api.state.received if r["method"] == "POST"]) == 25


def test_intern_to_extern_all_objects_and_one_object(setup: Setup) -> None:
    start_run(setup.container, setup.sync()["id"])
    outbound = setup.container.entities.create(
        "synchronizations",
        {
            "name": "out",
            "sourceType": "register/schema",
            "sourceId": "registry/record",
            "targetType": "api",
            "targetId": setup.source["id"],
            "targetConfig": {"endpoint": "/target"},
        },
    ).item
    log = start_run(setup.container, outbound["id"])
    assert log["result"]["type"] == "internToExtern" and objects(log)["created"] == 25
    one = setup.stored()[0]
    setup.container.objects.patch("registry/record", one["id"], {"name": "patched"})
    setup.api.state.received.clear()
    single = start_run(setup.container, outbound["id"], object_id=one["id"])
    assert objects(single)["updated"] == 1
    assert setup.api.state.received[0]["body"]["name"] == "patched"
    setup.container.objects.delete("registry/record", one["id"])
    setup.api.state.received.clear()
    removed = start_run(setup.container, outbound["id"], object_id=one["id"])
    assert objects(removed)["deleted"] == 1 and setup.api.state.received[0]["method"] == "DELETE"


def test_a_second_run_while_one_is_running_is_a_conflict(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openconnector_core.sync import runs

    sync = setup.sync()
    services = runs.runtime(setup.container)
    held: list[Any] = []
    monkeypatch.setattr(services, "queue", type("Held", (), {"send": lambda self, m: held.extend(m)})())
    running = start_run(setup.container, sync["id"])
    assert running["status"] == "running"
    with pytest.raises(ConflictError) as conflict:
        start_run(setup.container, sync["id"])
    assert conflict.value.extra["runningLog"] == running["id"]
    assert running["id"] in conflict.value.message
    monkeypatch.setattr(runs, "LEASE_SECONDS", 0.05)  # the held run makes no progress: it is dead
    time.sleep(0.1)
    taken_over = start_run(setup.container, sync["id"])
    assert taken_over["id"] != running["id"]
    dead = runs.get_log(setup.container, running["id"])
    assert dead["status"] == "failed" and taken_over["id"] in dead["message"]


def test_extra_data_is_fetched_per_object_and_merged(setup: Setup) -> None:
    setup.container.entities.update(
        "schemas", "record", {"properties": {"name": {"type": "string"}, "extra": {"type": "object"}}}
    )
    sync = setup.sync(
        sourceConfig={
            "endpoint": "/original",
            "extraDataConfigs": [{"staticEndpoint": "/detail/{{ originId }}", "keyToSetExtraData": "extra"}],
        }
    )
    log = start_run(setup.container, sync["id"])
    assert log["status"] == "success" and objects(log)["created"] == 25
    assert {o["extra"]["detail"] for o in setup.stored()} == {f"about {n}" for n in range(1, 26)}
    assert setup.api.gets("/detail/") == 25


def test_rules_before_and_after(setup: Setup) -> None:
    entities = setup.container.entities
    upper = entities.create(
        "mappings", {"name": "upper", "mapping": {"name": "{{ name|upper }}", "value": "value"}}
    )
    rules = [
        entities.create(
            "rules",
            {
                "name": "shout",
                "type": "mapping",
                "timing": "before",
                "order": 1,
                "configuration": {"mapping": upper.item["id"]},
            },
        ).item,
        entities.create(
            "rules",
            {
                "name": "refuse 7",
                "type": "error",
                "timing": "before",
                "order": 2,
                "conditions": {"==": [{"var": "value"}, 7]},
                "configuration": {"error": {"code": 422, "message": "seven is refused"}},
            },
        ).item,
        entities.create(
            "rules",
            {
                "name": "copy",
                "type": "save_object",
                "timing": "after",
                "order": 3,
                "configuration": {"save_object": {"register": "registry", "schema": "copies"}},
            },
        ).item,
    ]
    entities.create("schemas", {"name": "Copies", "slug": "copies"})
    sync = setup.sync(actions=[rule["id"] for rule in rules])
    log = start_run(setup.container, sync["id"])
    assert objects(log)["created"] == 24 and objects(log)["invalid"] == 1
    names = {o["name"] for o in setup.stored()}
    assert "RECORD 1" in names and "RECORD 7" not in names
    copies = setup.container.objects.list("registry/copies", limit=100).items
    assert len(copies) == 24 and all(c["name"].startswith("RECORD") for c in copies)
    invalid = [
        e
        for e in setup.container.logs.query("synchronization-contract-logs", limit=100).items
        if e["targetResult"] == "invalid"
    ]
    assert "seven is refused" in invalid[0]["message"]


def test_restrict_deletion_only_deletes_origins_named_in_the_run_data(setup: Setup) -> None:
    sync = setup.sync(sourceConfig={"endpoint": "/original", "restrictDeletion": True})
    start_run(setup.container, sync["id"])
    del setup.api.state.records[-3:]  # 23, 24 and 25 disappear
    log = start_run(setup.container, sync["id"], data={"ids": ["24"]})
    assert objects(log)["deleted"] == 1
    still = {c["originId"] for c in setup.contracts(sync) if c["targetId"]}
    assert "24" not in still and {"23", "25"} <= still
