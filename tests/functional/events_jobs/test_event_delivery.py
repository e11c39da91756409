"""Push delivery to a real sink on 127.0.0.1 (through the SSRF-guarded call engine), with retries on
an injected clock (no real waiting), pull with a cursor, and the incoming route."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from openconnector_core.container import Container, set_container
from openconnector_core.events.service import MAX_ATTEMPTS, backoff
from openconnector_core.events.transport import InlineBus, InlineQueue
from openconnector_core.settings import Settings
from tests.functional.conftest import Management

LOCAL_SERVER_FIXTURE = "local_http_server"  # lets the functional conftest allow sockets


class Sink:
    """Answers 503 ``failures`` times, then 202; records what it got."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.received.append((dict(self.headers.items()), body))
                status = 503 if len(sink.received) <= sink.failures else 202
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_http_server() -> Iterator[None]:
    yield None


@pytest.fixture
def clock() -> list[datetime]:
    return [datetime.now(UTC)]


@pytest.fixture
def services(clock: list[datetime], local_http_server: None) -> Iterator[Container]:
    settings = Settings(OPENCONNECTOR_OUTBOUND_ALLOW="127.0.0.1/32")
    container = Container.in_memory(settings, event_bus=InlineBus())
    container._event_queue = InlineQueue(clock=lambda: clock[0])
    container.events.clock = lambda: clock[0]
    set_container(container)
    yield container
    set_container(None)


def _subscribe(api: Management, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/event-subscriptions", {"name": f"sub {fields}", **fields})
    assert response.status == 201, response.body
    return dict(response.body)


def _send(api: Management, event: dict[str, Any]) -> Any:
    return api.post(
        "/api/events/incoming",
        raw_body=json.dumps(event),
        headers={"content-type": "application/cloudevents+json"},
    )


def _advance(services: Container, clock: list[datetime], seconds: int) -> int:
    clock[0] += timedelta(seconds=seconds)
    queue = services.events.queue
    assert isinstance(queue, InlineQueue)
    return queue.run_due()


EVENT = {"specversion": "1.0", "id": "ev-1", "source": "/zaken", "type": "nl.zaak.created", "data": {"n": 1}}


def test_a_sink_that_fails_twice_gets_the_event_on_the_third_attempt(
    services: Container, clock: list[datetime]
) -> None:
    sink = Sink(failures=2)
    try:
        api = Management()
        subscription = _subscribe(
            api, sink=sink.url, types=["nl.zaak.created"], protocolSettings={"headers": {"X-Hook": "yes"}}
        )
        assert _send(api, EVENT).status == 202
        assert len(sink.received) == 1  # first attempt at once
        assert _advance(services, clock, backoff(1) - 1) == 0  # not before 10 s
        assert _advance(services, clock, 1) == 1 and len(sink.received) == 2
        assert _advance(services, clock, backoff(2)) == 1 and len(sink.received) == 3
        headers, body = sink.received[-1]
        assert headers["Content-Type"] == "application/cloudevents+json" and headers["X-Hook"] == "yes"
        assert json.loads(body)["id"] == "ev-1" and json.loads(body)["data"] == {"n": 1}
        messages = api.get(f"/api/event-subscriptions/{subscription['id']}/messages").body["results"]
        assert [(m["status"], m["retryCount"]) for m in messages] == [("delivered", 2)]
        assert messages[0]["lastResponse"]["statusCode"] == 202
    finally:
        sink.close()


def test_a_sink_that_stays_down_gets_five_attempts_then_the_message_is_failed_and_visible(
    services: Container, clock: list[datetime]
) -> None:
    sink = Sink(failures=100)
    try:
        api = Management()
        subscription = _subscribe(api, sink=sink.url)
        _send(api, EVENT)
        for attempt in range(1, MAX_ATTEMPTS):
            _advance(services, clock, backoff(attempt))
        assert len(sink.received) == MAX_ATTEMPTS
        assert _advance(services, clock, 3600) == 0  # nothing left to try
        failed = api.get(
            f"/api/event-subscriptions/{subscription['id']}/messages", query={"status": "failed"}
        )
        [message] = failed.body["results"]
        assert message["retryCount"] == MAX_ATTEMPTS and message["lastResponse"]["statusCode"] == 503
        assert message["payload"]["id"] == "ev-1"
        listed = api.get(
            "/api/event-messages", query={"subscriptionId": subscription["id"], "status": "failed"}
        )
        assert [item["id"] for item in listed.body["results"]] == [message["id"]]
    finally:
        sink.close()


def test_pull_returns_pending_messages_after_the_cursor(services: Container) -> None:
    api = Management()
    subscription = _subscribe(api, style="pull", source="/zaken")
    for number in range(3):
        assert _send(api, {**EVENT, "id": f"ev-{number}"}).status == 202
    _send(api, {**EVENT, "id": "elsewhere", "source": "/other"})
    first = api.get(f"/api/event-subscriptions/{subscription['id']}/pull", query={"limit": "2"}).body
    assert [m["payload"]["id"] for m in first["messages"]] == ["ev-0", "ev-1"]
    rest = api.get(
        f"/api/event-subscriptions/{subscription['id']}/pull", query={"cursor": first["cursor"]}
    ).body
    assert [m["payload"]["id"] for m in rest["messages"]] == ["ev-2"]
    empty = api.get(f"/api/event-subscriptions/{subscription['id']}/pull", query={"cursor": rest["cursor"]})
    assert empty.body == {"messages": [], "cursor": None}


def test_an_invalid_event_is_a_400_naming_the_attribute_and_nothing_is_delivered(services: Container) -> None:
    api = Management()
    subscription = _subscribe(api, style="pull")
    response = _send(api, {key: value for key, value in EVENT.items() if key != "type"})
    assert response.status == 400 and response.body["fields"] == ["type"]
    binary = api.post("/api/events/incoming", raw_body="{}", headers={"ce-specversion": "1.0", "ce-id": "x"})
    assert binary.status == 400 and set(binary.body["fields"]) == {"source", "type"}
    assert api.get(f"/api/event-subscriptions/{subscription['id']}/pull").body["messages"] == []


def test_a_sink_on_an_internal_address_is_refused_by_the_ssrf_guard(clock: list[datetime]) -> None:
    container = Container.in_memory(event_bus=InlineBus())  # no allow-list
    set_container(container)
    try:
        api = Management()
        subscription = _subscribe(api, sink="http://127.0.0.1:9/hook")
        _send(api, EVENT)
        [message] = api.get(f"/api/event-subscriptions/{subscription['id']}/messages").body["results"]
        assert message["status"] == "pending" and message["retryCount"] == 1
        assert message["lastResponse"]["statusCode"] == 403
    finally:
        set_container(None)
