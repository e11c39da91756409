"""Jobs through the management API: run by hand, a synchronization job against a real API on
127.0.0.1, and the job runner's handler on its scheduled event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openconnector_core.container import Container, set_container
from openconnector_core.settings import Settings
from tests.functional.conftest import FakeLambdaContext, Management, load_handler
from tests.support.paginated_api import PaginatedApi

SYNC_ACTION = "OCA\\OpenConnector\\Action\\SynchronizationAction"


@pytest.fixture
def local_http_server() -> Iterator[PaginatedApi]:  # the name lets the conftest allow sockets
    api = PaginatedApi(records=25, page_size=10).start()
    yield api
    api.stop()


@pytest.fixture
def services(local_http_server: PaginatedApi) -> Iterator[Container]:
    container = Container.in_memory(Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32"))
    set_container(container)
    yield container
    set_container(None)


def _create(api: Management, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/api/{resource}", body)
    assert response.status == 201, response.body
    return dict(response.body)


def _synchronization(api: Management, url: str) -> dict[str, Any]:
    _create(api, "schemas", {"title": "Record", "type": "object", "properties": {"name": {"type": "string"}}})
    _create(api, "registers", {"title": "Data", "schemas": ["record"]})
    _create(api, "sources", {"name": "Records", "location": url})
    return _create(
        api,
        "synchronizations",
        {
            "name": "Records in",
            "sourceId": "records",
            "sourceType": "api",
            "sourceConfig": {"endpoint": "/original", "resultsPosition": "results", "idPosition": "id"},
            "targetType": "register/schema",
            "targetId": "data/record",
        },
    )


def test_a_synchronization_job_runs_its_synchronization(
    services: Container, local_http_server: PaginatedApi
) -> None:
    api = Management()
    sync = _synchronization(api, local_http_server.url)
    job = _create(
        api,
        "jobs",
        {"name": "Nightly", "jobClass": SYNC_ACTION, "arguments": {"synchronizationId": sync["slug"]}},
    )
    log = api.post(f"/api/jobs/{job['id']}/run", {}).body
    assert log["level"] == "INFO", log
    # In-process (no SyncQueue) the run ends before start_run returns; on AWS the job log says
    # "Started synchronization run <log>" and the workers go on.
    assert log["message"] == "Synchronized 25 successfully"
    assert services.objects.count("data/record") == 25
    stored = api.get(f"/api/jobs/{job['id']}").body
    assert stored["lastRun"] and stored["nextRun"] and stored["status"] is None
    assert api.post(f"/api/jobs/{job['id']}/run", {}).body is None  # not due before its next run
    logs = api.get("/api/job-logs", query={"jobId": job["id"]}).body["results"]
    assert [entry["id"] for entry in logs] == [log["id"]]


def test_run_route_errors(services: Container) -> None:
    api = Management()
    assert api.post("/api/jobs/nope/run", {}).status == 404
    job = _create(api, "jobs", {"name": "Ping", "jobClass": "event"})
    assert api.post(f"/api/jobs/{job['id']}/run", {"forceRun": "yes"}).status == 400
    assert api.get(f"/api/jobs/{job['id']}/run").status == 405
    assert api.post("/api/jobs", {"name": "Bad", "cron": "every day"}).body["fields"] == ["cron"]


def test_the_job_runner_handler_runs_due_jobs(services: Container, sample_event: Any) -> None:
    api = Management()
    due = _create(api, "jobs", {"name": "Due", "jobClass": "event"})
    _create(api, "jobs", {"name": "Off", "jobClass": "event", "isEnabled": False})
    handler = load_handler("job_runner")
    outcome = handler.lambda_handler(sample_event("job_runner", "schedule"), FakeLambdaContext())
    assert outcome == {"ran": [due["id"]], "skipped": [], "deferred": []}
    assert handler.lambda_handler(sample_event("job_runner", "schedule"), FakeLambdaContext())["ran"] == []
