"""``POST /api/synchronizations/{id}/run|test`` and ``GET /api/synchronization-logs/{id}`` through the
management handler; the sync worker handlers on SQS events (pages run in this process)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.functional.conftest import LocalServer, Management, load_handler
from tests.functional.events import FakeLambdaContext
from tests.support.paginated_api import PaginatedApi


@pytest.fixture
def api(local_http_server: LocalServer) -> Iterator[PaginatedApi]:  # the fixture name opens sockets
    server = PaginatedApi(records=12, page_size=5).start()
    yield server
    server.stop()


@pytest.fixture
def sync(management: Management, api: PaginatedApi, reachable_local: Any) -> dict[str, Any]:
    source = management.post("/api/sources", {"name": "Records", "location": api.url}).body
    management.post("/api/registers", {"name": "Registry", "slug": "registry"})
    management.post("/api/schemas", {"name": "Record", "slug": "record"})
    body = {
        "name": "Records sync",
        "sourceType": "api",
        "sourceId": source["id"],
        "sourceConfig": {"endpoint": "/original"},
        "targetType": "register/schema",
        "targetId": "registry/record",
    }
    created = management.post("/api/synchronizations", body)
    assert created.status == 201, created.body
    return dict(created.body)


def test_run_answers_the_log_and_the_log_route_shows_it(management: Management, sync: dict[str, Any]) -> None:
    ran = management.post(f"/api/synchronizations/{sync['slug']}/run", {"force": "false"})
    assert ran.status == 200, ran.body
    assert ran.body["status"] == "success" and ran.body["message"] == "Success"
    assert ran.body["result"]["objects"]["created"] == 12
    assert ran.body["result"]["pages"]["fetched"] == 4
    assert set(ran.body["result"]["timing"]["stages"]) >= {
        "fetch_objects",
        "process_objects",
        "cleanup_invalid",
    }
    log = management.get(f"/api/synchronization-logs/{ran.body['id']}")
    assert log.status == 200 and log.body["result"]["objects"] == ran.body["result"]["objects"]
    listed = management.get("/api/synchronization-logs", query={"synchronizationId": sync["id"]})
    assert [entry["id"] for entry in listed.body["results"]] == [ran.body["id"]]
    contracts = management.get("/api/synchronization-contracts", query={"synchronizationId": sync["id"]})
    assert len(contracts.body["results"]) == 12
    assert {
        "originId",
        "targetId",
        "originHash",
        "targetHash",
        "sourceLastChecked",
        "targetLastAction",
    } <= set(contracts.body["results"][0])


def test_test_route_writes_nothing(
    management: Management, sync: dict[str, Any], reachable_local: Any
) -> None:
    tried = management.post(f"/api/synchronizations/{sync['id']}/test")
    assert tried.status == 200 and tried.body["test"] is True
    assert tried.body["result"]["objects"]["created"] == 12
    assert reachable_local.objects.list("registry/record").items == []


def test_a_running_run_is_202_with_location_and_a_second_run_is_409(
    management: Management, sync: dict[str, Any], reachable_local: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openconnector_core.sync.runs import runtime

    held: list[dict[str, Any]] = []
    monkeypatch.setattr(
        runtime(reachable_local), "queue", type("Held", (), {"send": lambda s, m: held.extend(m)})()
    )
    started = management.post(f"/api/synchronizations/{sync['id']}/run", query={"wait": "0"})
    assert started.status == 202
    assert started.body["status"] == "running"
    assert started.header("Location") == f"/api/synchronization-logs/{started.body['id']}"
    again = management.post(f"/api/synchronizations/{sync['id']}/run")
    assert again.status == 409
    assert started.body["id"] in again.body["message"] and again.body["runningLog"] == started.body["id"]
    progress = management.get(f"/api/synchronization-logs/{started.body['id']}")
    assert progress.body["status"] == "running" and progress.body["result"]["pages"]["pending"] == 1


@pytest.mark.parametrize(
    ("body", "query", "field"),
    [
        ({"data": [1]}, None, "data"),
        ({"test": "maybe"}, None, "test"),
        ({}, {"wait": "soon"}, "wait"),
    ],
)
def test_bad_run_input_is_400_naming_the_field(
    management: Management, sync: dict[str, Any], api: PaginatedApi, body: Any, query: Any, field: str
) -> None:
    refused = management.post(f"/api/synchronizations/{sync['id']}/run", body, query=query)
    assert refused.status == 400 and refused.body["fields"] == [field]
    assert api.state.requests == []


def test_unknown_source_is_400_and_unknown_synchronization_404(
    management: Management, sync: dict[str, Any], api: PaginatedApi
) -> None:
    management.put(f"/api/synchronizations/{sync['id']}", {"sourceId": "gone"})
    refused = management.post(f"/api/synchronizations/{sync['id']}/run")
    assert refused.status == 400 and refused.body["fields"] == ["sourceId"]
    assert api.state.requests == []
    assert management.post("/api/synchronizations/nope/run").status == 404
    assert management.get(f"/api/synchronizations/{sync['id']}/run").status == 405


def sqs_event(*bodies: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m-{index}",
                "receiptHandle": f"r-{index}",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:SyncQueue",
                "awsRegion": "eu-west-1",
            }
            for index, body in enumerate(bodies)
        ]
    }


def test_worker_reports_a_failing_page_as_a_batch_item_failure_and_the_dlq_handler_fails_the_run(
    management: Management, sync: dict[str, Any], reachable_local: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openconnector_core.sync.runs import runtime

    held: list[dict[str, Any]] = []
    monkeypatch.setattr(
        runtime(reachable_local), "queue", type("Held", (), {"send": lambda s, m: held.extend(m)})()
    )
    started = management.post(f"/api/synchronizations/{sync['id']}/run", query={"wait": "0"}).body
    worker = load_handler("sync_worker")
    context = FakeLambdaContext()
    good = held.pop(0)
    poison = {"run": started["id"], "page": 7, "request": "not a request"}
    result = worker.lambda_handler(sqs_event(good, poison), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert [m["page"] for m in held] == [2]
    failed = worker.dead_letter_handler(sqs_event(poison), context)
    assert failed == {"batchItemFailures": []}
    log = management.get(f"/api/synchronization-logs/{started['id']}").body
    assert log["status"] == "failed" and "Page 7" in log["message"] and "dead-letter" in log["message"]
    assert log["result"]["objects"]["deleted"] == 0
    assert worker.lambda_handler(sqs_event(held.pop(0)), context) == {"batchItemFailures": []}  # ignored now


def test_the_original_routes_for_logs_and_contracts(management: Management, sync: dict[str, Any]) -> None:
    ran = management.post(f"/api/synchronizations/{sync['id']}/run").body
    logs = management.get(
        "/api/synchronizations/logs", query={"synchronization_id": sync["id"], "status": "success"}
    )
    assert logs.status == 200, logs.body
    assert [entry["id"] for entry in logs.body["results"]] == [ran["id"]]
    assert (logs.body["page"], logs.body["pages"], logs.body["total"]) == (1, 1, 1)
    contracts = management.get(f"/api/synchronizations/contracts/{sync['slug']}")
    assert contracts.status == 200 and isinstance(contracts.body, list) and len(contracts.body) == 12
    assert management.get("/api/synchronizations/contracts/nope").status == 404
