"""The embedded AWS emulator: moto's WSGI app on a free 127.0.0.1 port, wrapped in a middleware that
journals every successful mutating request before its response leaves (see ``state.py``)."""

from __future__ import annotations

import dataclasses
import hmac
import io
import json
import logging
import random
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import Client

from openconnector_local.state import RecordedRequest, StateStore

log = logging.getLogger("openconnector.local.emulator")

ACCOUNT_ID = "123456789012"
READ_ONLY_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Query",
    "Scan",
    "BatchGet",
    "TransactGet",
    "Receive",
    "Head",
    "Search",
    "Lookup",
    "Test",
    "Validate",
)
"""Operations that change nothing worth keeping. ``ReceiveMessage`` changes receive counts and
visibility, which a replay cannot reproduce (receipt handles are random); snapshots keep those."""

CONTROL_PREFIX = "/moto-api"
_ACCESS_KEY = re.compile(r"Credential=([^/,\s]+)/")
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class AwsCall:
    """What the middleware knows about a request after moto answered it."""

    service: str | None
    operation: str | None
    request: RecordedRequest
    status: int
    response_body: bytes


Observer = Callable[[AwsCall], None]


def operation_of(method: str, headers: dict[str, str], query_string: str, body: bytes) -> str | None:
    """The API operation for JSON (X-Amz-Target) and query protocols; None for REST (S3)."""
    target = headers.get("x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    action = parse_qs(query_string).get("Action")
    if action:
        return action[0]
    if "x-www-form-urlencoded" in headers.get("content-type", "") and body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0]
    return None


def is_mutating(method: str, operation: str | None) -> bool:
    if operation is not None:
        return not operation.startswith(READ_ONLY_PREFIXES)
    return method.upper() in ("PUT", "POST", "DELETE", "PATCH")


def service_of(headers: dict[str, str]) -> str | None:
    match = _CREDENTIAL_SCOPE.search(headers.get("authorization", ""))
    if match:
        return match.group(1)
    credential = headers.get("x-amz-credential", "")
    parts = credential.split("/")
    return parts[3] if len(parts) > 3 else None


def seed_moto_random(seed: int | None) -> None:
    if seed is not None:
        from moto.moto_api._internal import mock_random

        mock_random.seed(seed)


class JournalingMiddleware:
    def __init__(
        self,
        app: WsgiApp,
        store: StateStore,
        observers: list[Observer] | None = None,
        access_key: str | None = None,
    ) -> None:
        self.app = app
        self.store = store
        self.observers = observers or []
        self.access_key = access_key
        """The per-start key every request must be signed with; ``None`` admits any (tests only)."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        refusal = self._refusal(environ, headers)
        if refusal is not None:
            payload = json.dumps({"message": refusal}).encode()
            start_response("403 Forbidden", [("Content-Type", "application/json")])
            return [payload]
        body = _read_body(environ)
        if body is None:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"message": "Invalid Content-Length"}']
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        method = environ["REQUEST_METHOD"]
        query_string = environ.get("QUERY_STRING", "")
        operation = operation_of(method, headers, query_string, body)
        request = RecordedRequest(
            method=method,
            path=environ.get("PATH_INFO", "/"),
            query_string=query_string,
            headers=[(name, value) for name, value in headers.items() if name not in _HOP_BY_HOP],
            body=body,
        )
        service = service_of(headers)
        if is_mutating(method, operation):
            request = dataclasses.replace(request, seed=random.getrandbits(63))
            with self.store.lock:
                seed_moto_random(request.seed)
                status, response_headers, payload = _call(self.app, environ)
                if status < 300:
                    self.store.record(request, service)
        else:
            status, response_headers, payload = _call(self.app, environ)
        status_line, outgoing = response_headers
        response_headers = (
            status_line,
            [(k, v) for k, v in outgoing if not k.lower().startswith("access-control-")],
        )
        call = AwsCall(service, operation, request, status, payload)
        for observer in self.observers:
            try:
                observer(call)
            except Exception:
                log.exception("An observer of %s failed", operation)
        start_response(response_headers[0], response_headers[1])
        return [payload]

    def _refusal(self, environ: dict[str, Any], headers: dict[str, str]) -> str | None:
        """Why a request may not reach moto (checked before its body is read), else ``None``."""
        path = str(environ.get("PATH_INFO", "/"))
        if path.startswith(CONTROL_PREFIX):
            return "The emulator's control routes are disabled"
        if environ["REQUEST_METHOD"] == "OPTIONS":
            return "The emulator answers no cross-origin requests"
        if self.access_key is None:
            return None
        presented = access_key_of(headers, str(environ.get("QUERY_STRING", "")))
        if presented is None or not hmac.compare_digest(presented.encode(), self.access_key.encode()):
            return "Only the local stack may use its AWS emulator"
        return None


def access_key_of(headers: dict[str, str], query_string: str) -> str | None:
    """The access key id a SigV4 request (header or presigned URL) was signed with."""
    match = _ACCESS_KEY.search(headers.get("authorization", ""))
    if match:
        return match.group(1)
    credential = parse_qs(query_string).get("X-Amz-Credential")
    if credential:
        return credential[0].split("/", 1)[0]
    return None


def new_access_key() -> str:
    """A fresh per-start access key id (AWS's shape: upper-case letters and digits)."""
    return "OCLOCAL" + secrets.token_hex(16).upper()


def _read_body(environ: dict[str, Any]) -> bytes | None:
    stream = environ["wsgi.input"]
    length = str(environ.get("CONTENT_LENGTH") or "")
    if length and not (length.isascii() and length.isdigit()):
        return None
    if length:
        body = stream.read(int(length))
    elif (
        environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    ):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = True
    return bytes(body)


def _call(app: WsgiApp, environ: dict[str, Any]) -> tuple[int, tuple[str, list[tuple[str, str]]], bytes]:
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[..., Any]:
        captured["status"] = status
        captured["headers"] = headers
        return lambda _data: None

    result = app(environ, start_response)
    try:
        payload = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status_line = captured["status"]
    return int(status_line.split(" ", 1)[0]), (status_line, captured["headers"]), payload


class _QuietRequestHandler:
    """Built lazily: moto's request handler minus the access log."""

    @staticmethod
    def build() -> type:
        from moto.moto_server.werkzeug_app import MotoRequestHandler

        class QuietMotoRequestHandler(MotoRequestHandler):
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                return

        return QuietMotoRequestHandler


class _TransactionBackupCopy:
    """Stands in for the ``copy`` module inside moto's DynamoDB models.

    Before a transaction moto backs up every table it touches with ``copy.deepcopy`` — every item of
    the table, on every write, so a create slows down as the table grows (50 ms at 400 items). The
    backup only has to survive the transaction's Put and Delete operations, which replace or remove
    items, and its Update operations, which replace top-level attributes of an item in place: a copy
    of the table's item index with a copy of each item's attribute dict is enough."""

    def __getattr__(self, name: str) -> Any:
        import copy

        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        import copy
        from collections import defaultdict

        from moto.dynamodb.models.table import Table

        if type(value) is not Table:
            return copy.deepcopy(value, memo)

        def item(row: Any) -> Any:
            clone = copy.copy(row)
            clone.attrs = dict(row.attrs)
            return clone

        backup = copy.copy(value)
        backup.items = defaultdict(
            dict,
            {
                key: {sort: item(row) for sort, row in rows.items()} if isinstance(rows, dict) else item(rows)
                for key, rows in value.items.items()
            },
        )
        return backup


def _speed_up_dynamodb_transactions() -> None:
    import moto.dynamodb.models as dynamodb_models

    dynamodb_models.copy = _TransactionBackupCopy()  # type: ignore[attr-defined,assignment]


class AwsEmulator:
    """moto, in this process, on ``http://127.0.0.1:<port>``; state persisted by ``store``."""

    def __init__(self, store: StateStore, port: int = 0, access_key: str | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        _speed_up_dynamodb_transactions()
        self.store = store
        self.access_key = access_key or new_access_key()
        self.moto_app: WsgiApp = DomainDispatcherApplication(create_backend_app)
        self.middleware = JournalingMiddleware(self.moto_app, store, access_key=self.access_key)
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def add_observer(self, observer: Observer) -> None:
        self.middleware.observers.append(observer)

    def replay(self, request: RecordedRequest) -> int:
        """Send a journaled request to moto directly (no socket, no journal)."""
        seed_moto_random(request.seed)
        response = Client(self.moto_app).open(
            path=request.path,
            method=request.method,
            query_string=request.query_string,
            headers=request.headers,
            data=request.body,
        )
        return response.status_code

    def restore(self) -> tuple[int, int]:
        return self.store.restore(self.replay)

    def start(self) -> None:
        self._server = make_server(
            "127.0.0.1",
            self._port,
            self.middleware,
            threaded=True,
            request_handler=_QuietRequestHandler.build(),
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-emulator", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
