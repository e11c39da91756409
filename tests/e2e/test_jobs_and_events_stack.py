"""Over the real local stack (template.yaml): a job created through the API runs on the
JobRunnerFunction's schedule without being started by hand, and a CloudEvent posted to
``/api/events/incoming`` travels the EventBridge bus to the EventFunction and reaches a pull
subscription."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def test_a_job_runs_on_the_schedule_and_events_reach_subscriptions(make_stack: Any) -> None:
    stack = make_stack(template=REPO / "template.yaml", extra_args=["--schedule-speed", "60"])
    with stack.client() as client:
        job = client.post("/api/jobs", json={"name": "Heartbeat", "jobClass": "event"})
        assert job.status_code == 201, job.text
        job_id = job.json()["id"]

        def job_logs() -> list[dict[str, Any]]:
            return list(client.get("/api/job-logs", params={"jobId": job_id}).json()["results"])

        [log] = wait_for(job_logs, timeout=30)  # a minute of schedule time passes per second
        assert log["level"] == "SUCCESS" and log["jobClass"] == "event"
        stored = client.get(f"/api/jobs/{job_id}").json()
        assert stored["lastRun"] and stored["nextRun"] and stored["status"] is None

        subscription = client.post(
            "/api/event-subscriptions", json={"name": "Pull", "style": "pull", "types": ["nl.e2e.ping"]}
        ).json()
        event = {
            "specversion": "1.0",
            "id": "e2e-1",
            "source": "/e2e",
            "type": "nl.e2e.ping",
            "data": {"n": 1},
        }
        sent = client.post(
            "/api/events/incoming",
            content=json.dumps(event),
            headers={"Content-Type": "application/cloudevents+json"},
        )
        assert sent.status_code == 202, sent.text

        def pulled() -> list[dict[str, Any]]:
            return list(client.get(f"/api/event-subscriptions/{subscription['id']}/pull").json()["messages"])

        [message] = wait_for(pulled, timeout=30)
        assert message["payload"]["id"] == "e2e-1" and message["payload"]["data"] == {"n": 1}
        invalid = client.post(
            "/api/events/incoming", content="{}", headers={"ce-id": "x", "ce-specversion": "1.0"}
        )
        assert invalid.status_code == 400 and set(invalid.json()["fields"]) == {"source", "type"}


def test_push_delivery_retries_through_the_event_queue_until_the_sink_accepts(
    make_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real sink on 127.0.0.1 answers 503 twice, then 202: the retries travel the EventQueue with
    SQS delays (10 s, then 20 s) and the message ends ``delivered`` after three attempts."""
    from tests.functional.events_jobs.test_event_delivery import Sink

    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    sink = Sink(failures=2)
    try:
        stack = make_stack(template=REPO / "template.yaml")
        with stack.client() as client:
            subscription = client.post(
                "/api/event-subscriptions", json={"name": "Push", "sink": sink.url, "types": ["nl.e2e.push"]}
            ).json()
            event = {"specversion": "1.0", "id": "push-1", "source": "/e2e", "type": "nl.e2e.push"}
            sent = client.post(
                "/api/events/incoming",
                content=json.dumps(event),
                headers={"Content-Type": "application/cloudevents+json"},
            )
            assert sent.status_code == 202

            def delivered() -> list[dict[str, Any]]:
                messages = client.get(f"/api/event-subscriptions/{subscription['id']}/messages").json()
                return [m for m in messages["results"] if m["status"] == "delivered"]

            [message] = wait_for(delivered, timeout=90, interval=1.0)
            assert message["retryCount"] == 2 and len(sink.received) == 3
            assert json.loads(sink.received[-1][1])["id"] == "push-1"
    finally:
        sink.close()


def test_the_cli_imports_the_originals_files_and_exports_the_bundle(make_stack: Any) -> None:
    import subprocess
    import sys

    stack = make_stack(template=REPO / "template.yaml")
    folder = REPO / "tests" / "data" / "upstream-configurations" / "xxllnc-zgw"
    files = sorted(str(path) for path in folder.rglob("*.json"))
    command = [
        sys.executable,
        "-m",
        "openconnector_local.cli",
        "import",
        "--url",
        stack.url,
        "--token",
        "e2e-token",
    ]
    result = subprocess.run([*command, *files], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "created" in result.stdout and "unresolved: synchronizations" in result.stdout
    again = subprocess.run([*command, files[0]], capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 0 and "unchanged" in again.stdout
    with stack.client() as client:
        configuration = client.post("/api/configurations", json={"name": "ZGW"}).json()
        client.put("/api/mappings/xxllnc-case-to-zgw-zaak", json={"configurations": [configuration["id"]]})
        exported = client.get(f"/api/configurations/{configuration['id']}/export").json()
    assert "xxllnc-case-to-zgw-zaak" in exported["components"]["mappings"]


def test_a_scheduled_synchronization_job_starts_the_run_and_the_workers_finish_it(
    make_stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.paginated_api import PaginatedApi

    monkeypatch.setenv("OPENCONNECTOR_OUTBOUND_ALLOW", "127.0.0.1/32")
    api = PaginatedApi(records=25, page_size=10).start()
    try:
        stack = make_stack(template=REPO / "template.yaml", extra_args=["--schedule-speed", "60"])
        with stack.client() as client:
            for resource, body in (
                ("schemas", {"title": "Record", "type": "object"}),
                ("registers", {"title": "Data", "schemas": ["record"]}),
                ("sources", {"name": "Records", "location": api.url}),
                (
                    "synchronizations",
                    {
                        "name": "Records in",
                        "sourceId": "records",
                        "sourceType": "api",
                        "sourceConfig": {
                            "endpoint": "/original",
                            "resultsPosition": "results",
                            "idPosition": "id",
                        },
                        "targetType": "register/schema",
                        "targetId": "data/record",
                    },
                ),
                (
                    "jobs",
                    {
                        "name": "Records nightly",
                        "jobClass": "OCA\\OpenConnector\\Action\\SynchronizationAction",
                        "arguments": {"synchronizationId": "records-in"},
                    },
                ),
            ):
                created = client.post(f"/api/{resource}", json=body)
                assert created.status_code == 201, created.text
            job_id = created.json()["id"]

            def job_log() -> list[dict[str, Any]]:
                return list(client.get("/api/job-logs", params={"jobId": job_id}).json()["results"])

            [log] = wait_for(job_log, timeout=30)
            assert log["level"] == "INFO", log
            assert log["message"].startswith(("Started synchronization run", "Synchronized")), log["message"]

            def finished() -> list[dict[str, Any]]:
                logs = client.get("/api/synchronization-logs").json()["results"]
                return [entry for entry in logs if entry["status"] == "success"]

            [run] = wait_for(finished, timeout=60)
            assert run["result"]["objects"]["created"] == 25
    finally:
        api.stop()
