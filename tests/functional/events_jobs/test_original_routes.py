"""The original's routes for jobs, imports, job statistics and pull (registered in api/aliases.py)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.functional.conftest import Management

RULE = Path(__file__).resolve().parents[2] / "data" / "upstream-configurations" / "RX-woo" / "rules"


def test_job_routes_of_the_original(management: Management) -> None:
    job = management.post(
        "/api/jobs", {"name": "Beat", "jobClass": "OCA\\OpenConnector\\Action\\EventAction"}
    ).body
    ran = management.post(f"/api/jobs/run/{job['id']}", {"forceRun": False})
    assert ran.status == 200 and ran.body["level"] == "SUCCESS"
    assert management.post(f"/api/jobs/run/{job['id']}", {}).body is None  # not due
    forced = management.post(f"/api/jobs/test/{job['id']}", {})
    assert forced.status == 200 and forced.body["stackTrace"][0].startswith("Doing a force run")
    logs = management.get("/api/jobs/logs", query={"job_id": job["id"], "_limit": "1"}).body
    assert (logs["total"], logs["pages"], logs["results_count"]) == (2, 2, 1)
    stats = management.get("/api/dashboard/jobstats").body
    assert sum(day["success"] for day in stats["daily"].values()) == 2


def test_import_of_the_original_answers_in_its_shape(management: Management) -> None:
    [path] = RULE.glob("*.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    created = management.post("/api/import", {"json": document})
    assert created.status == 201 and created.body["message"] == "Import successful, created"
    assert created.body["object"]["reference"] == document["@id"]
    again = management.post("/api/import", {"json": json.dumps(document)})
    assert again.status == 200 and again.body["message"] == "Import ok, but nothing changed"
    changed = management.post("/api/import", {"json": {**document, "description": "new"}})
    assert changed.status == 200 and changed.body["message"] == "Import successful, updated"
    assert management.post("/api/import", {"json": {"name": "no type"}}).status == 400


def test_pull_on_the_original_path(management: Management) -> None:
    subscription = management.post("/api/event-subscriptions", {"name": "P", "style": "pull"}).body
    pulled = management.get(f"/api/events/subscriptions/{subscription['id']}/pull", query={"limit": "5"})
    assert pulled.status == 200 and pulled.body == {"messages": [], "cursor": None}
