"""The original's management routes answer in the original's shapes (a client of the PHP app only
changes its base URL): source test, call logs with page/pages/total, call statistics, settings."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openconnector_core.ids import uuid7_floor
from tests.functional.conftest import LocalServer, Management

NOW = datetime.now(UTC).replace(microsecond=0)


def put_call_log(container: Any, at: datetime, status: int, source_id: str = "s1", ms: float = 10.0) -> str:
    log_id = uuid7_floor(at)
    item = {
        "id": log_id,
        "uuid": log_id,
        "statusCode": status,
        "sourceId": source_id,
        "created": at.isoformat(timespec="seconds"),
        "request": {"method": "GET", "url": "https://x.example/"},
        "response": {"statusCode": status, "responseTime": ms},
    }
    container.logs.put("call-logs", item, subject=source_id)
    return log_id


# ---------------------------------------------------------------- sources


def test_the_original_source_test_path_fires_one_call(
    management: Management, local_http_server: LocalServer, reachable_local: Any
) -> None:
    local_http_server.reply = (200, {"Content-Type": "application/json"}, b'{"pets": []}')
    source = management.post("/api/sources", {"name": "Pets", "location": local_http_server.url}).body

    by_id = management.post(f"/api/sources/test/{source['id']}", {"endpoint": "/pets"})
    by_slug = management.post(f"/api/sources/test/{source['slug']}", {"endpoint": "/pets", "type": "json"})

    assert by_id.status == by_slug.status == 200, by_id.body
    assert by_id.body["statusCode"] == 200
    assert json.loads(by_id.body["response"]["body"]) == {"pets": []}
    assert [request.path for request in local_http_server.requests] == ["/pets", "/pets"]
    assert management.post("/api/sources/test/no-such-source", {}).status == 404


def test_source_logs_answer_with_page_pages_and_total(management: Management, container: Any) -> None:
    for minute in range(25):
        put_call_log(container, NOW - timedelta(minutes=minute), 200 if minute % 5 else 500)

    first = management.get("/api/sources/logs").body
    third = management.get("/api/sources/logs", query={"_limit": "10", "_page": "3"}).body

    assert set(first) == {"results", "page", "pages", "results_count", "total"}
    assert (first["page"], first["pages"], first["results_count"], first["total"]) == (1, 2, 20, 25)
    assert first["results"][0]["created"] > first["results"][1]["created"]  # newest first
    assert (third["page"], third["pages"], third["results_count"], third["total"]) == (3, 3, 5, 25)


def test_source_logs_take_the_originals_filters_and_sort(management: Management, container: Any) -> None:
    for minute in range(6):
        put_call_log(container, NOW - timedelta(minutes=minute), 200, source_id="a" if minute < 4 else "b")
    put_call_log(container, NOW - timedelta(minutes=10), 503, source_id="a", ms=9000)

    of_a = management.get("/api/sources/logs", query={"source_id": "a"}).body
    errors = management.get("/api/sources/logs", query={"status_code": "500,599"}).body
    slow = management.get("/api/sources/logs", query={"slow_requests": "true"}).body
    oldest_first = management.get("/api/sources/logs", query={"_sort[created]": "ASC", "_limit": "2"}).body
    by_status = management.get("/api/sources/logs", query={"_sort[status_code]": "DESC"}).body

    assert of_a["total"] == 5
    assert [log["statusCode"] for log in errors["results"]] == [503]
    assert slow["total"] == 1
    assert oldest_first["results"][0]["statusCode"] == 503
    assert by_status["results"][0]["statusCode"] == 503
    bad = management.get("/api/sources/logs", query={"_sort[endpoint]": "ASC"})
    assert bad.status == 400 and "_sort[endpoint]" in bad.body["fields"]
    assert management.get("/api/sources/logs", query={"_page": "0"}).status == 400


# ---------------------------------------------------------------- dashboard


def test_call_stats_count_success_and_error_per_day_and_hour(management: Management, container: Any) -> None:
    today = NOW.replace(hour=10, minute=0, second=0)
    if today > NOW:
        today -= timedelta(days=1)
    put_call_log(container, today, 200)
    put_call_log(container, today + timedelta(seconds=1), 201)
    put_call_log(container, today + timedelta(seconds=2), 404)
    put_call_log(container, today - timedelta(days=2, hours=-1), 302)  # 3xx: an error, as the original counts

    stats = management.get("/api/dashboard/callstats").body

    assert set(stats) == {"daily", "hourly"}
    assert len(stats["daily"]) == 8  # the last 7 days and today, every day present
    assert stats["daily"][today.date().isoformat()] == {"success": 2, "error": 1}
    assert stats["daily"][(today - timedelta(days=2)).date().isoformat()] == {"success": 0, "error": 1}
    assert stats["hourly"] == {"10": {"success": 2, "error": 1}, "11": {"success": 0, "error": 1}}


def test_call_stats_take_a_date_range(management: Management, container: Any) -> None:
    put_call_log(container, datetime(2026, 3, 2, 23, 59, tzinfo=UTC), 200)
    put_call_log(container, datetime(2026, 3, 4, 0, 0, tzinfo=UTC), 200)

    stats = management.get("/api/dashboard/callstats", query={"from": "2026-03-01", "to": "2026-03-03"}).body

    assert stats["daily"] == {
        "2026-03-01": {"success": 0, "error": 0},
        "2026-03-02": {"success": 1, "error": 0},
        "2026-03-03": {"success": 0, "error": 0},
    }
    bad = management.get("/api/dashboard/callstats", query={"from": "yesterday"})
    assert bad.status == 400 and bad.body["fields"] == ["from"]


# ---------------------------------------------------------------- settings


def test_settings_hold_the_originals_retentions_in_milliseconds(management: Management) -> None:
    defaults = management.get("/api/settings").body

    assert defaults == {
        "retention": {
            "successLogRetention": 3_600_000,
            "callLogRetention": 2_592_000_000,
            "eventMessageRetention": 604_800_000,
            "jobLogRetention": 2_592_000_000,
            "syncContractLogRetention": 7_776_000_000,
            "syncLogRetention": 2_592_000_000,
        }
    }
    changed = management.put("/api/settings", {"retention": {"callLogRetention": "86400000"}})
    assert changed.status == 200
    assert changed.body["retention"]["callLogRetention"] == 86_400_000
    assert management.get("/api/settings").body == changed.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"retention": {"callLogRetention": -1}}, "retention.callLogRetention"),
        ({"retention": {"callLogRetention": 1.5}}, "retention.callLogRetention"),
        ({"retention": {"logRetention": 1}}, "retention.logRetention"),
        ({"retention": []}, "retention"),
        ({"theme": "dark"}, "theme"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(management: Management, body: Any, field: str) -> None:
    before = management.get("/api/settings").body
    response = management.put("/api/settings", body)

    assert response.status == 400
    assert field in response.body["fields"]
    assert management.get("/api/settings").body == before


def test_the_global_retention_extends_call_logs_as_the_original_does(
    management: Management, local_http_server: LocalServer, reachable_local: Any
) -> None:
    local_http_server.reply = (500, {"Content-Type": "text/plain"}, b"down")
    source = management.post("/api/sources", {"name": "Flaky", "location": local_http_server.url}).body

    default = management.post(f"/api/sources/{source['id']}/test", {}).body
    management.put("/api/settings", {"retention": {"callLogRetention": 0}})
    forever = management.post(f"/api/sources/{source['id']}/test", {}).body

    expires = datetime.fromisoformat(default["expires"])
    assert timedelta(days=29) < expires - datetime.fromisoformat(default["created"]) <= timedelta(days=30)
    assert forever["expires"] is None


def test_concurrent_settings_updates_all_land() -> None:
    from openconnector_core.retention import DEFAULTS_MS, GlobalSettings
    from openconnector_core.store.memory import MemoryEntityStore

    store = MemoryEntityStore()
    writers = [GlobalSettings(store, ttl=0) for _ in DEFAULTS_MS]
    start = threading.Barrier(len(writers))

    def update(writer: GlobalSettings, name: str) -> None:
        start.wait()
        writer.update({"retention": {name: 1234}})

    threads = [threading.Thread(target=update, args=pair) for pair in zip(writers, DEFAULTS_MS, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert GlobalSettings(store).retention() == dict.fromkeys(DEFAULTS_MS, 1234)


def test_a_change_is_seen_at_once_here_and_within_the_ttl_elsewhere() -> None:
    from openconnector_core.retention import GlobalSettings
    from openconnector_core.store.memory import MemoryEntityStore

    store, now = MemoryEntityStore(), [0.0]
    here, elsewhere = (GlobalSettings(store, ttl=30, clock=lambda: now[0]) for _ in range(2))
    assert elsewhere.retention()["syncLogRetention"] == 2_592_000_000

    here.update({"retention": {"syncLogRetention": 5}})
    now[0] = 29.0
    assert here.retention()["syncLogRetention"] == 5
    assert elsewhere.retention()["syncLogRetention"] == 2_592_000_000
    now[0] = 30.0
    assert elsewhere.retention()["syncLogRetention"] == 5


def test_every_alias_is_in_the_openapi_document(management: Management) -> None:
    from openconnector_core.api.aliases import ALIASES

    paths = management.get("/api/openapi.json").body["paths"]
    for alias in ALIASES:
        assert alias.method.lower() in paths[alias.openapi_path], alias
    assert {
        "/api/sources/test/{key}",
        "/api/sources/logs",
        "/api/dashboard/callstats",
        "/api/settings",
    } <= set(paths)
