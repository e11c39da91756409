"""Given the sample events of ``events/management`` (also used by ``sam local invoke -e``),
when they are sent in order, then the management handler answers each as documented."""

from __future__ import annotations

from pathlib import Path

from tests.functional.conftest import EVENTS, Management

SAMPLES = sorted(path.stem for path in (EVENTS / "management").glob("*.json"))


def test_every_documented_sample_exists() -> None:
    assert set(SAMPLES) >= {
        "health",
        "list-sources",
        "create-source",
        "get-source",
        "update-source",
        "delete-source",
        "mapping-test",
        "conditions-test",
    }


def test_samples_in_order(management: Management, sample_event) -> None:
    health = management.invoke(sample_event("management", "health"))
    assert health.status == 200
    assert health.body["status"] == "ok"
    assert isinstance(health.body["version"], str)

    created = management.invoke(sample_event("management", "create-source"))
    assert created.status == 201, created.body
    assert created.body["slug"] == "example-api"
    assert "sample-not-a-real-key" not in created.text  # secrets come back masked

    got = management.invoke(sample_event("management", "get-source"))
    assert got.status == 200
    assert got.body["id"] == created.body["id"]
    assert got.header("ETag")

    listed = management.invoke(sample_event("management", "list-sources"))
    assert listed.status == 200
    assert [item["id"] for item in listed.body["results"]] == [created.body["id"]]
    assert listed.body["next"] is None

    updated = management.invoke(sample_event("management", "update-source"))
    assert updated.status == 200
    assert updated.body["description"] == "Updated from the sample event"
    assert updated.body["version"] != created.body["version"]

    mapped = management.invoke(sample_event("management", "mapping-test"))
    assert mapped.status == 200, mapped.body
    assert mapped.body == {
        "resultObject": {"fullName": "Jane", "city": "Utrecht", "age": 42},
        "isValid": True,
        "validationErrors": [],
    }

    condition = management.invoke(sample_event("management", "conditions-test"))
    assert condition.status == 200
    assert condition.body == {"result": True}

    deleted = management.invoke(sample_event("management", "delete-source"))
    assert deleted.status == 204
    assert deleted.text == ""

    gone = management.invoke(sample_event("management", "get-source"))
    assert gone.status == 404
    assert gone.body["error"] == "Not found"


def test_samples_are_http_api_v2_events() -> None:
    import json

    for name in SAMPLES:
        event = json.loads(Path(EVENTS / "management" / f"{name}.json").read_text(encoding="utf-8"))
        assert event["version"] == "2.0"
        assert event["rawPath"].startswith("/api/")
        assert event["requestContext"]["http"]["method"] in {"GET", "POST", "PUT", "DELETE"}
