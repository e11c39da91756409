"""Hostile checks against the real local stack: its AWS emulator, its HTTP server, its outbound guard.

Each test reproduces a finding of the security review (issue 8) over real sockets."""

from __future__ import annotations

import os
import signal
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from openconnector_local.auth import read_emulator_key
from tests.e2e.conftest import REPO, RunningStack


def emulator_url(stack: RunningStack) -> str:
    import re

    found = re.search(r"AWS emulator: (http://127\.0\.0\.1:\d+)", stack.output)
    assert found, stack.output
    return found.group(1)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state = tmp_path_factory.mktemp("hardening") / "state"
    previous = os.environ.get("OPENCONNECTOR_OUTBOUND_ALLOW")
    os.environ["OPENCONNECTOR_OUTBOUND_ALLOW"] = "127.0.0.1/32"
    running = RunningStack(state_dir=state, template=REPO / "template.yaml")
    try:
        yield running.start()
    finally:
        running.kill()
        if previous is None:
            os.environ.pop("OPENCONNECTOR_OUTBOUND_ALLOW", None)
        else:
            os.environ["OPENCONNECTOR_OUTBOUND_ALLOW"] = previous


def _client(stack: RunningStack, service: str, key: str) -> object:
    session = boto3.Session(aws_access_key_id=key, aws_secret_access_key="x", region_name="eu-west-1")
    return session.client(service, endpoint_url=emulator_url(stack))  # type: ignore[call-overload]


def _raw(port: int, request: bytes, read_timeout: float = 10.0) -> bytes:
    """Send raw bytes, return everything the server answers until it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as connection:
        connection.sendall(request)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and b"Connection: close" in received:
                    break
        except TimeoutError:
            pass
    return received


# --- the emulator ------------------------------------------------------------------------------


def test_the_emulator_refuses_anyone_without_the_per_start_key(stack: RunningStack) -> None:
    url = emulator_url(stack)
    # The control routes are gone, with or without credentials
    assert httpx.get(f"{url}/moto-api/data.json").status_code == 403
    assert httpx.post(f"{url}/moto-api/reset").status_code == 403
    # An unsigned request or one signed with another key gets 403
    assert httpx.get(f"{url}/").status_code == 403
    with pytest.raises(ClientError) as refused:
        _client(stack, "secretsmanager", "testing").list_secrets()  # type: ignore[attr-defined]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # The stack's own key (0600 in the 0700 state directory) works
    key = read_emulator_key(stack.state_dir)
    assert "SecretList" in _client(stack, "secretsmanager", key).list_secrets()  # type: ignore[attr-defined]
    assert stat.S_IMODE(stack.state_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((stack.state_dir / "emulator-access-key").stat().st_mode) == 0o600


def test_the_emulator_answers_no_cross_origin_request(stack: RunningStack) -> None:
    url = emulator_url(stack)
    preflight = httpx.options(
        f"{url}/", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers
    key = read_emulator_key(stack.state_dir)
    sqs = _client(stack, "sqs", key)
    seen: list[dict[str, str]] = []
    sqs.meta.events.register(
        "after-call.sqs.*", lambda http_response, **_: seen.append(dict(http_response.headers))
    )  # type: ignore[attr-defined]
    sqs.meta.events.register(
        "before-sign.sqs.*",
        lambda request, **_: request.headers.__setitem__("Origin", "https://evil.example"),
    )  # type: ignore[attr-defined]
    sqs.list_queues()  # type: ignore[attr-defined]
    assert seen and not any(name.lower().startswith("access-control-") for name in seen[0])


def test_a_source_cannot_reach_the_emulator_even_when_loopback_is_allowed(stack: RunningStack) -> None:
    with stack.client() as api:
        source = api.post("/api/sources", json={"name": "Emulator", "location": emulator_url(stack)})
        assert source.status_code == 201, source.text
        result = api.post(
            f"/api/sources/{source.json()['id']}/test", json={"endpoint": "/moto-api/data.json"}
        )
        assert result.status_code == 200, result.text
        assert result.json()["statusCode"] == 403
        assert "local stack itself or its AWS emulator" in result.json()["statusMessage"]
        own = api.post("/api/sources", json={"name": "Self", "location": stack.url})
        result = api.post(f"/api/sources/{own.json()['id']}/test", json={"endpoint": "/api/health"})
        assert result.json()["statusCode"] == 403


# --- the HTTP server ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("framing", "status"),
    [
        (b"Content-Length: -1\r\n", b" 400 "),
        (b"Content-Length: 1e3\r\n", b" 400 "),
        (b"Content-Length: 5, 6\r\n", b" 400 "),
        (b"Content-Length: 999999999999\r\n", b" 413 "),
        (b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", b" 400 "),
        (b"Transfer-Encoding: gzip\r\n", b" 501 "),
    ],
)
def test_bad_framing_is_refused_before_any_body_is_read(
    stack: RunningStack, framing: bytes, status: bytes
) -> None:
    answer = _raw(stack.port, b"POST /api/sources HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n")
    assert answer.startswith(b"HTTP/1.1" + status), answer[:200]


def test_a_negative_chunk_size_is_refused(stack: RunningStack) -> None:
    request = (
        b"POST /api/sources HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n" + b"x" * 65536
    )
    answer = _raw(stack.port, request)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_chunks_past_the_body_limit_are_refused_at_their_size_line(stack: RunningStack) -> None:
    request = b"POST /api/sources HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n"
    answer = _raw(stack.port, request)  # nothing of the 4 GB chunk was sent: the size line decides
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


def test_head_works_where_get_does(stack: RunningStack) -> None:
    health = httpx.head(f"{stack.url}/api/health")
    assert health.status_code == 200 and health.content == b""
    with stack.client() as api:
        assert api.head("/api/sources").status_code == 200


def test_many_concurrent_clients_are_queued_not_reset(stack: RunningStack) -> None:
    sockets = [socket.create_connection(("127.0.0.1", stack.port), timeout=30) for _ in range(64)]
    try:
        for connection in sockets:
            connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answers = [connection.recv(64) for connection in sockets]
    finally:
        for connection in sockets:
            connection.close()
    assert all(answer.startswith(b"HTTP/1.1 200 ") for answer in answers)


def test_sigterm_stops_while_a_client_holds_a_half_sent_request(tmp_path: Path) -> None:
    stack = RunningStack(state_dir=tmp_path / "state", template=REPO / "template.yaml").start()
    try:
        holder = socket.create_connection(("127.0.0.1", stack.port))
        holder.sendall(b"POST /api/sources HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        idle = socket.create_connection(("127.0.0.1", stack.port))
        time.sleep(0.3)  # both connections are accepted and their handlers wait for bytes
        assert stack.stop(signal.SIGTERM, timeout=30) == 0
        holder.close()
        idle.close()
    finally:
        stack.kill()


def test_requests_keep_being_answered_while_a_slow_client_dribbles(stack: RunningStack) -> None:
    slow = socket.create_connection(("127.0.0.1", stack.port))
    stop = threading.Event()

    def dribble() -> None:
        slow.sendall(b"POST /api/sources HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        while not stop.wait(0.2):
            try:
                slow.sendall(b" ")
            except OSError:
                return

    thread = threading.Thread(target=dribble)
    thread.start()
    try:
        for _ in range(5):
            assert httpx.get(f"{stack.url}/api/health").status_code == 200
    finally:
        stop.set()
        thread.join()
        slow.close()


# --- HTTP semantics and budgets ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b'{"name": NaN}', "application/json", "NaN is not a JSON number"),
        (b'{"name": Infinity}', "application/json", "Infinity is not a JSON number"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "application/json", "nests deeper than"),
        (b'{"name": "\xff\xfe"}', "application/octet-stream", "not UTF-8"),
    ],
)
def test_bad_json_is_a_400_in_our_words(
    stack: RunningStack, body: bytes, content_type: str, message: str
) -> None:
    with stack.client() as api:
        response = api.post("/api/rules", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400, response.text
    assert message in response.json()["message"]
    assert "Traceback" not in response.text and "Expecting" not in response.text


def test_if_match_lists_are_compared_tag_by_tag(stack: RunningStack) -> None:
    with stack.client() as api:
        created = api.post("/api/rules", json={"name": "Listed", "type": "error"})
        etag = created.headers["ETag"]
        stale = api.put(
            f"/api/rules/{created.json()['id']}", json={"order": 1}, headers={"If-Match": '"99", "98"'}
        )
        assert stale.status_code == 412
        listed = api.put(
            f"/api/rules/{created.json()['id']}", json={"order": 2}, headers={"If-Match": f'"99", {etag}'}
        )
        assert listed.status_code == 200, listed.text
        weak = api.put(
            f"/api/rules/{created.json()['id']}",
            json={"order": 3},
            headers={"If-Match": f"W/{listed.headers['ETag']}"},
        )
        assert weak.status_code == 412  # If-Match compares strongly (RFC 9110 §13.1.1)


def test_a_client_uuid_must_be_a_unique_uuid(stack: RunningStack) -> None:
    with stack.client() as api:
        assert api.post("/api/rules", json={"name": "U1", "uuid": "not-a-uuid"}).status_code == 400
        given = "5c1bd1f4-3b8e-4c55-9a44-0f6b7c1e2d3a"
        assert api.post("/api/rules", json={"name": "U2", "uuid": given}).status_code == 201
        assert api.post("/api/rules", json={"name": "U3", "uuid": given}).status_code == 409


def test_a_runaway_condition_ends_in_a_400_naming_the_limit_while_health_answers(stack: RunningStack) -> None:
    rule = {"reduce": [{"var": "n"}, {"cat": [{"var": "accumulator"}, {"var": "accumulator"}]}, "ab"]}
    answers: list[int] = []

    def poll() -> None:
        for _ in range(5):
            answers.append(httpx.get(f"{stack.url}/api/health").status_code)

    poller = threading.Thread(target=poll)
    poller.start()
    with stack.client() as api:
        response = api.post("/api/conditions/test", json={"conditions": rule, "data": {"n": list(range(64))}})
    poller.join()
    assert response.status_code == 400 and "JSON-logic size limit" in response.json()["message"]
    assert answers == [200] * 5
