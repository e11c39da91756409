"""Synchronizations on the stack `make run` starts: the management function plans, pages travel
through SyncQueue (moto's SQS) to SyncWorkerFunction, state lives in moto's DynamoDB."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.paginated_api import PaginatedApi

from .conftest import REPO, RunningStack

pytestmark = pytest.mark.e2e


@pytest.fixture
def api() -> Iterator[PaginatedApi]:
    server = PaginatedApi(records=45, page_size=10).start()
    yield server
    server.stop()


@pytest.fixture
def stack(make_stack, monkeypatch: pytest.MonkeyPatch) -> RunningStack:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    return make_stack(template=REPO / "template.yaml")  # type: ignore[no-any-return]


def finished(client: httpx.Client, log: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while log["status"] == "running":
        assert time.monotonic() < deadline, log
        time.sleep(0.3)
        answer = client.get(f"/api/synchronization-logs/{log['id']}")
        assert answer.status_code == 200, answer.text
        log = answer.json()
    return log


def test_a_synchronization_runs_over_the_queue_and_converges(stack: RunningStack, api: PaginatedApi) -> None:
    with stack.client() as client:
        source = client.post("/api/sources", json={"name": "Records", "location": api.url}).json()
        assert client.post("/api/registers", json={"name": "Registry", "slug": "registry"}).status_code == 201
        assert client.post("/api/schemas", json={"name": "Record", "slug": "record"}).status_code == 201
        sync = client.post(
            "/api/synchronizations",
            json={
                "name": "Records",
                "sourceType": "api",
                "sourceId": source["id"],
                "sourceConfig": {
                    "endpoint": "/page_number",
                    "resultsPosition": "data",
                    "pagination": {"type": "page_number", "total_path": "total_pages"},
                },
                "targetType": "register/schema",
                "targetId": "registry/record",
            },
        ).json()

        started = client.post(f"/api/synchronizations/{sync['id']}/run", params={"wait": "0"})
        assert started.status_code == 202, started.text
        assert started.headers["Location"] == f"/api/synchronization-logs/{started.json()['id']}"
        conflict = client.post(f"/api/synchronizations/{sync['id']}/run", params={"wait": "0"})
        assert conflict.status_code in (409, 202)  # 202 only if the first run already ended
        first = finished(client, started.json())
        assert first["status"] == "success", first
        assert first["result"]["objects"]["created"] == 45 and first["result"]["pages"]["fetched"] == 5
        contracts = client.get(
            "/api/synchronization-contracts", params={"synchronizationId": sync["id"], "_limit": "100"}
        ).json()["results"]
        assert len(contracts) == 45

        again = finished(
            client, client.post(f"/api/synchronizations/{sync['id']}/run", params={"wait": "20"}).json()
        )
        assert again["result"]["objects"]["skipped"] == 45 and again["result"]["objects"]["created"] == 0

        api.state.records.pop()
        api.state.records[0]["name"] = "renamed"
        trial = finished(client, client.post(f"/api/synchronizations/{sync['id']}/test").json())
        assert trial["result"]["objects"]["deleted"] == 1 and trial["result"]["objects"]["updated"] == 1
        third = finished(client, client.post(f"/api/synchronizations/{sync['id']}/run").json())
        objects = third["result"]["objects"]
        assert (objects["updated"], objects["deleted"], objects["skipped"]) == (1, 1, 43)
        logs = client.get("/api/synchronization-logs", params={"synchronizationId": sync["id"]}).json()
        assert len(logs["results"]) == 4
