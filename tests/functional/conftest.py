"""Functional tests: the Lambda handlers fed with API Gateway events, on the in-memory container.

No sockets, except in tests that use the ``local_http_server`` fixture (a real HTTP server on
127.0.0.1, reachable through the SSRF guard's allow-list).
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.functional.events import FakeLambdaContext, http_event
from tests.support.sockets import block_sockets

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"
LOCAL_SERVER_FIXTURE = "local_http_server"


@pytest.fixture(autouse=True)
def _no_sockets(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if LOCAL_SERVER_FIXTURE not in request.fixturenames:
        block_sockets(monkeypatch, "functional tests")


@pytest.fixture(autouse=True)
def _powertools_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "openconnector")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "OpenConnector")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")


def load_handler(function: str) -> ModuleType:
    """Import ``functions/<function>/app.py`` under a unique module name (every handler is ``app``)."""
    name = f"_handler_{function}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / function / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class HttpResult:
    """A handler's response, decoded."""

    status: int
    headers: dict[str, str]
    body: Any
    text: str
    raw: dict[str, Any] = field(repr=False)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None


def decode(response: dict[str, Any]) -> HttpResult:
    text = response.get("body") or ""
    if response.get("isBase64Encoded"):
        import base64

        text = base64.b64decode(text).decode("utf-8")
    headers = dict(response.get("headers") or {})
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    body: Any = json.loads(text) if text and "json" in content_type else text
    return HttpResult(response["statusCode"], headers, body, text, response)


@pytest.fixture
def container() -> Iterator[Any]:
    """A fresh in-memory container, installed as the composition root for the test."""
    from openconnector_core.container import Container, set_container

    instance = Container.in_memory()
    set_container(instance)
    yield instance
    set_container(None)


class Management:
    """Calls the management handler with HTTP API events."""

    def __init__(self) -> None:
        self.module = load_handler("management")
        self.context = FakeLambdaContext()
        self._counter = 0

    def invoke(self, event: dict[str, Any]) -> HttpResult:
        return decode(self.module.lambda_handler(event, self.context))

    def request(self, method: str, path: str, **kwargs: Any) -> HttpResult:
        self._counter += 1
        kwargs.setdefault("request_id", f"req-{self._counter:04d}")
        return self.invoke(http_event(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> HttpResult:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> HttpResult:
        return self.request("POST", path, body=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> HttpResult:
        return self.request("PUT", path, body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> HttpResult:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def management(container: Any) -> Management:
    return Management()


class LogCapture:
    """The JSON lines the handler's Powertools logger wrote during the test."""

    def __init__(self, stream: io.StringIO) -> None:
        self._stream = stream

    @property
    def text(self) -> str:
        return self._stream.getvalue()

    def entries(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip().startswith("{")]


@pytest.fixture
def management_logs(management: Management, monkeypatch: pytest.MonkeyPatch) -> LogCapture:
    """Redirect the management handler's structured log to a buffer for the test."""
    stream = io.StringIO()
    monkeypatch.setattr(management.module.logger.registered_handler, "stream", stream)
    return LogCapture(stream)


@pytest.fixture
def sample_event() -> Callable[[str, str], dict[str, Any]]:
    def load(function: str, name: str) -> dict[str, Any]:
        return json.loads((EVENTS / function / f"{name}.json").read_text(encoding="utf-8"))

    return load


# ---------------------------------------------------------------------------------- local server
@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LocalServer:
    url: str
    requests: list[Recorded]
    # (status, headers, body) answered to every request
    reply: tuple[int, dict[str, str], bytes] = (200, {"Content-Type": "application/json"}, b'{"ok": true}')


@pytest.fixture
def local_http_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 (an ephemeral port) that records requests and replies."""
    state = LocalServer(url="", requests=[])

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
            status, headers, payload = state.reply
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
