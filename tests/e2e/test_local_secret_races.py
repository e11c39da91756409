"""A source and its secret never tear, on the real local stack: eight concurrent PUTs (real threads,
real sockets), then a source test call to a real server that records the basic-auth password; and
the same while the stack is killed with SIGKILL mid-race."""

from __future__ import annotations

import base64
import itertools
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import REPO, RunningStack

WRITERS = 8
_numbers = itertools.count(1)


class _Recorder(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.passwords: list[str] = []
        super().__init__(("127.0.0.1", 0), _RecordingHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class _RecordingHandler(BaseHTTPRequestHandler):
    server: _Recorder

    def do_GET(self) -> None:
        header = self.headers.get("Authorization") or ""
        if header.startswith("Basic "):
            self.server.passwords.append(base64.b64decode(header[6:]).decode().split(":", 1)[1])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def recorder() -> Iterator[_Recorder]:
    server = _Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def allow_loopback() -> Iterator[None]:
    previous = os.environ.get("OPENCONNECTOR_OUTBOUND_ALLOW")
    os.environ["OPENCONNECTOR_OUTBOUND_ALLOW"] = "127.0.0.1/32"
    yield
    if previous is None:
        os.environ.pop("OPENCONNECTOR_OUTBOUND_ALLOW", None)
    else:
        os.environ["OPENCONNECTOR_OUTBOUND_ALLOW"] = previous


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, allow_loopback: None) -> Iterator[RunningStack]:
    running = RunningStack(
        state_dir=tmp_path_factory.mktemp("races") / "state", template=REPO / "template.yaml"
    )
    try:
        yield running.start()
    finally:
        running.kill()


def _basic(password: str) -> dict[str, str]:
    return {
        "authentication.type": "basic",
        "authentication.username": "u",
        "authentication.password": password,
    }


def _race(
    stack: RunningStack, source_id: str, bodies: list[dict[str, Any]], if_match: str | None
) -> list[Any]:
    start = threading.Barrier(len(bodies))
    results: list[Any] = [None] * len(bodies)

    def put(index: int) -> None:
        headers = {"If-Match": if_match} if if_match else {}
        with stack.client() as api:
            start.wait()
            try:
                results[index] = api.put(f"/api/sources/{source_id}", json=bodies[index], headers=headers)
            except httpx.HTTPError as error:
                results[index] = error

    threads = [threading.Thread(target=put, args=(index,)) for index in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _password_of_test_call(stack: RunningStack, recorder: _Recorder, source_id: str) -> str:
    before = len(recorder.passwords)
    with stack.client() as api:
        call = api.post(f"/api/sources/{source_id}/test", json={"endpoint": "/"})
    assert call.status_code == 200 and call.json()["statusCode"] == 200, call.text
    assert len(recorder.passwords) == before + 1
    return recorder.passwords[-1]


def _new_source(stack: RunningStack, recorder: _Recorder) -> dict[str, Any]:
    with stack.client() as api:
        created = api.post(
            "/api/sources",
            json={
                "name": f"Raced {next(_numbers)}",
                "location": recorder.url,
                "configuration": _basic("initial"),
            },
        )
    assert created.status_code == 201, created.text
    return {**created.json(), "etag": created.headers["ETag"]}


def test_conditional_puts_one_wins_and_the_source_calls_with_its_password(
    stack: RunningStack, recorder: _Recorder
) -> None:
    for _round in range(3):
        source = _new_source(stack, recorder)
        bodies = [{"configuration": _basic(f"password-{n}")} for n in range(WRITERS)]
        results = _race(stack, source["id"], bodies, if_match=source["etag"])
        statuses = [result.status_code for result in results]
        assert sorted(statuses) == [200] + [412] * (WRITERS - 1), statuses
        winner = statuses.index(200)
        assert _password_of_test_call(stack, recorder, source["id"]) == f"password-{winner}"


def test_unconditional_puts_are_all_acknowledged_and_the_last_one_wins(
    stack: RunningStack, recorder: _Recorder
) -> None:
    source = _new_source(stack, recorder)
    bodies = [{"configuration": _basic(f"password-{n}"), "description": str(n)} for n in range(WRITERS)]
    results = _race(stack, source["id"], bodies, if_match=None)
    assert [result.status_code for result in results] == [200] * WRITERS
    last = max(range(WRITERS), key=lambda n: int(results[n].headers["ETag"].strip('"')))
    with stack.client() as api:
        assert api.get(f"/api/sources/{source['id']}").json()["description"] == str(last)
    assert _password_of_test_call(stack, recorder, source["id"]) == f"password-{last}"


def test_after_kill_9_mid_race_the_source_calls_with_the_password_of_the_write_that_stayed(
    tmp_path: Path, recorder: _Recorder, allow_loopback: None
) -> None:
    # Given a stack and a source, and eight clients writing (description, password) pairs in a loop
    stack = RunningStack(state_dir=tmp_path / "state", template=REPO / "template.yaml").start()
    source = _new_source(stack, recorder)
    acknowledged: set[str] = set()
    sent: set[str] = set()
    stop = threading.Event()

    def write(writer: int) -> None:
        with stack.client() as api:
            for number in range(10_000):
                token = f"{writer}-{number}"
                sent.add(token)
                try:
                    response = api.put(
                        f"/api/sources/{source['id']}",
                        json={"configuration": _basic(f"password-{token}"), "description": token},
                    )
                except httpx.HTTPError:
                    return
                if response.status_code == 200:
                    acknowledged.add(token)
                if stop.is_set():
                    return

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        # When the stack is killed once writes are flowing
        while len(acknowledged) < 3 * WRITERS:
            threading.Event().wait(0.05)
        stack.kill()
        stop.set()
        for thread in threads:
            thread.join()

        # Then, after a restart, the source's password is the one written with its description
        again = RunningStack(state_dir=stack.state_dir, template=REPO / "template.yaml").start()
        try:
            with again.client() as api:
                description = api.get(f"/api/sources/{source['id']}").json()["description"]
            assert description in sent
            assert _password_of_test_call(again, recorder, source["id"]) == f"password-{description}"
        finally:
            again.kill()
    finally:
        stop.set()
        stack.kill()
