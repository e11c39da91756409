"""The local stack with the fixture template: HTTP API, authorizer, SQS with partial batch failures and
a DLQ, schedules and EventBridge rules, all through real handlers."""

from __future__ import annotations

import signal
import time

import pytest

from .conftest import RunningStack, wait_for

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(make_stack) -> RunningStack:  # type: ignore[no-untyped-def]
    return make_stack(extra_args=["--schedule-speed", "60"])


def test_http_api_auth_events_and_responses(stack: RunningStack) -> None:
    anonymous = stack.client(token=None)
    # Given the health route, no token is needed.
    health = anonymous.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    # The management route needs the admin token.
    refused = anonymous.get("/api/items/x")
    assert refused.status_code == 401
    assert refused.json()["error"] == "Unauthorized"
    assert stack.client(token="wrong").get("/api/items/x").status_code == 401
    with stack.client() as client:
        assert client.get("/api/items/nothing").status_code == 404  # reached the handler
        # The public route gets a payload 2.0 event and a realistic context.
        echoed = anonymous.get(
            "/api/endpoint/buildings/1?a=1&a=2", headers={"Cookie": "c=1; d=2", "X-Test": "t"}
        )
        assert echoed.status_code == 200
        assert echoed.headers["x-fixture"] == "yes"
        assert echoed.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2"]
        event = echoed.json()["event"]
        assert event["routeKey"] == "ANY /api/endpoint/{proxy+}"
        assert event["pathParameters"] == {"proxy": "buildings/1"}
        assert event["queryStringParameters"] == {"a": "1,2"}
        assert event["cookies"] == ["c=1", "d=2"]
        assert event["headers"]["x-test"] == "t"
        context = echoed.json()["context"]
        assert context["function_name"] == "openconnector-ApiFunction"
        assert context["memory_limit_in_mb"] == 256
        assert 0 < context["remaining_ms"] <= 10_000
        assert (
            context["aws_request_id"]
            == event["requestContext"]["requestId"]
            == echoed.headers["apigw-requestid"]
        )
        assert echoed.json()["environment"]["STAGE"] == "test-eu-west-1"
        # Binary bodies travel base64-encoded both ways.
        binary = client.post(
            "/api/binary", content=b"\x00\xff\x10", headers={"Content-Type": "application/octet-stream"}
        )
        assert binary.content == b"\x00\xff\x10"
        # A failing handler is API Gateway's 500.
        crash = client.get("/api/crash")
        assert crash.status_code == 500 and crash.json() == {"message": "Internal Server Error"}
        assert anonymous.get("/nowhere").status_code == 404


def test_sqs_batches_partial_failures_dead_letters_schedules_and_event_rules(stack: RunningStack) -> None:
    with stack.client() as client:
        # When messages are queued, the worker gets them as SQS batches.
        assert client.post("/api/queue", json={"messages": ["ok-1", "fail-1", "ok-2"]}).status_code == 202
        processed = wait_for(
            lambda: sorted(r["sk"] for r in client.get("/api/records/message").json()["records"]) or None
        )
        wait_for(lambda: len(client.get("/api/records/message").json()["records"]) == 2)
        assert set(processed) <= {"ok-1", "ok-2"}
        # The reported failure came back after the visibility timeout, then went to the DLQ
        # (maxReceiveCount 2).
        dead = wait_for(lambda: client.get("/api/dead-letters").json()["bodies"], timeout=20)
        assert dead == ["fail-1"]
        attempts = sorted(r["sk"] for r in client.get("/api/records/attempt").json()["records"])
        assert attempts == ["fail-1#1", "fail-1#2"]
        # The rate(1 minute) schedule fires (60x speed: once a second) with a Scheduled Event.
        ticks = wait_for(lambda: client.get("/api/records/tick").json()["records"], timeout=15)
        assert ticks[0]["type"] == "Scheduled Event"
        assert ticks[0]["rule"].endswith(":rule/openconnector-TickFunction-EveryMinute")
        # PutEvents on the bus reaches the function whose rule matches, only for matching events.
        assert client.post("/api/events", json={"n": 1}).status_code == 202
        events = wait_for(lambda: client.get("/api/records/event").json()["records"])
        time.sleep(0.5)
        events = client.get("/api/records/event").json()["records"]
        assert [event["source"] for event in events] == ["fixture.test"]


def test_sigterm_stops_cleanly_with_exit_code_zero(stack: RunningStack) -> None:
    # A clean stop (not the harness' kill after its timeout): exit code 0 and the last log line
    assert stack.stop(signal.SIGTERM) == 0
    assert "stopped" in stack.output
