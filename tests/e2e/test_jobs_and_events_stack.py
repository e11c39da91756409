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
