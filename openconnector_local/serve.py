"""``openconnector serve``: the whole application on one machine, without Docker.

template.yaml → resources in an embedded moto (state persisted in the state directory) → the same
Lambda handlers behind an HTTP API emulation, SQS pollers, schedules and EventBridge rules.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import signal
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from openconnector_local import auth
from openconnector_local.emulator import AwsEmulator
from openconnector_local.eventbridge import EventBridgeRouter
from openconnector_local.functions import EventRuleSource, StackFunctions, base_environment, discover
from openconnector_local.http_api import RouteTable, build_event, json_error, translate_response
from openconnector_local.lambda_runtime import LambdaRuntime
from openconnector_local.output import access_line
from openconnector_local.resources import StackResources
from openconnector_local.schedules import Scheduler, VirtualClock, scheduled_event
from openconnector_local.sqs_poller import SqsPoller
from openconnector_local.state import StateStore, secure_directory
from openconnector_local.template import SamTemplate

log = logging.getLogger("openconnector.local")

HEALTH_PATH = "/api/health"
MAX_BODY_BYTES = 10 * 1024 * 1024
"""API Gateway HTTP API's payload limit."""
COMPACTION_SECONDS = 300.0
SOCKET_TIMEOUT_SECONDS = 15.0
_MAX_LINE = 4096
_DIGITS = re.compile(r"[0-9]{1,18}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")


@dataclass(frozen=True)
class ServeOptions:
    port: int = 3000
    state_dir: Path = Path(".openconnector")
    template: Path = Path("template.yaml")
    admin_token: str | None = None
    schedule_speed: float = 1.0
    parameters: dict[str, str] = field(default_factory=dict)
    region: str = "eu-west-1"
    host: str = "127.0.0.1"
    exit_with_parent: bool = False


class LocalStack:
    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        secure_directory(options.state_dir)
        self.token, self.token_generated = auth.admin_token(options.state_dir, options.admin_token)
        self.store = StateStore(options.state_dir)
        self.emulator = AwsEmulator(self.store)
        self.functions = StackFunctions()
        self.runtime = LambdaRuntime([])
        self.routes = RouteTable([])
        self.pollers: list[SqsPoller] = []
        self.scheduler = Scheduler(VirtualClock(options.schedule_speed))
        self.event_router: EventBridgeRouter | None = None
        self.server: _HttpServer | None = None
        self.admin_scope = "openconnector/admin"
        """Granted to the admin token: the template's ``AdminScope`` (the handler checks it)."""
        self._stopped = threading.Event()
        self._compactor = threading.Thread(target=self._compact_periodically, name="compaction", daemon=True)

    # Start -----------------------------------------------------------------------------------

    def start(self) -> None:
        options = self.options
        # Bind first: a port in use fails in a second, before anything else happens.
        self.server = _HttpServer((options.host, options.port), self)
        template = SamTemplate.from_file(
            options.template, region=options.region, parameter_overrides=options.parameters
        )
        self.admin_scope = str(template.parameters.get("AdminScope") or self.admin_scope)
        services, replayed = self.emulator.restore()
        log.info(
            "state: %s (%d services restored, %d journal entries replayed)",
            options.state_dir,
            services,
            replayed,
        )
        self.emulator.start()
        auth.store_emulator_key(options.state_dir, self.emulator.access_key)
        resources = StackResources(template, self.emulator.endpoint_url, self.emulator.access_key)
        for line in resources.provision():
            log.info("resource: %s", line)
        environment = base_environment(
            options.region,
            self.emulator.endpoint_url,
            self.emulator.access_key,
            own_ports=(self.server.server_port, self.emulator.port),
        )
        self.functions = discover(resources, environment)
        self.runtime = LambdaRuntime(self.functions.specs)
        self.routes = RouteTable(self.functions.routes)
        for route in self.functions.routes:
            log.info(
                "route: %-28s → %s%s",
                route.route_key,
                route.function,
                " (admin token)" if route.requires_auth else "",
            )
        sqs = resources.client("sqs")
        for source in self.functions.queues:
            poller = SqsPoller(
                source,
                sqs,
                functools.partial(self.runtime.invoke, source.function),
                options.region,
            )
            self.pollers.append(poller)
            log.info(
                "queue: %s → %s (batch %d)",
                source.queue_arn.rsplit(":", 1)[-1],
                source.function,
                source.batch_size,
            )
        for schedule in self.functions.schedules:
            self.scheduler.add(
                f"{schedule.function}.{schedule.name}", schedule.expression, self._schedule_firer(schedule)
            )
            log.info("schedule: %s → %s", schedule.expression, schedule.function)
        if self.functions.event_rules:
            self.event_router = EventBridgeRouter(
                self.functions.event_rules, self._deliver_event, options.region, template.account_id
            )
            self.emulator.add_observer(self.event_router.observe)
            for rule in self.functions.event_rules:
                log.info("event rule: %s on bus %s → %s", rule.name, rule.bus_name, rule.function)
        self.runtime.warm_all()
        for poller in self.pollers:
            poller.start()
        self.scheduler.start()
        self._compactor.start()
        self.server.start_serving()

    def _schedule_firer(self, schedule: Any) -> Any:
        def fire(fired_at: Any) -> None:
            event = schedule.input
            if event is None:
                event = scheduled_event(schedule.rule_arn, self.options.region, "123456789012", fired_at)
            invocation = self.runtime.invoke(schedule.function, event)
            if not invocation.ok:
                log.warning(
                    "schedule %s → %s failed: %s", schedule.name, schedule.function, invocation.error_message
                )

        return fire

    def _deliver_event(self, rule: EventRuleSource, event: Any) -> None:
        invocation = self.runtime.invoke(rule.function, event)
        if not invocation.ok:
            log.warning("event rule %s → %s failed: %s", rule.name, rule.function, invocation.error_message)

    def _compact_periodically(self) -> None:
        while not self._stopped.wait(COMPACTION_SECONDS):
            if self.store.pending_entries:
                try:
                    self.store.snapshot()
                except Exception:
                    log.exception("Periodic snapshot failed; the journal keeps every write")

    # Stop ------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop accepting, finish in-flight requests and batches, persist, stop the emulator."""
        self._stopped.set()
        if self.server is not None:
            self.server.stop_accepting()
        for poller in self.pollers:
            poller.stop()
        self.scheduler.stop()
        for poller in self.pollers:
            poller.join(timeout=60)
        if self.event_router is not None:
            self.event_router.drain(timeout=30)
        self.runtime.close()
        self.store.snapshot()
        self.emulator.stop()
        self.store.close()

    def stop_after_failed_start(self) -> None:
        self._stopped.set()
        if self.server is not None:
            self.server.stop_accepting()
        for poller in self.pollers:
            poller.stop()
        self.scheduler.stop(timeout=1)
        self.runtime.close()
        self.emulator.stop()
        self.store.close()

    # HTTP ------------------------------------------------------------------------------------

    def handle_http(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        split = urlsplit(target)
        path = split.path or "/"
        request_id = str(uuid.uuid4())
        if method.upper() == "HEAD":
            method = "GET"  # HEAD is GET without the body (the server drops it)
        matched = self.routes.match(method, path)
        if matched is None:
            return json_error(404, {"message": "Not Found"})
        route, path_parameters = matched
        authorizer = None
        exempt = path == HEALTH_PATH and method.upper() == "GET"
        if route.requires_auth and not exempt:
            presented = next((value for name, value in headers if name.lower() == "authorization"), None)
            if not auth.is_authorized(presented, self.token):
                return json_error(
                    401,
                    {
                        "error": "Unauthorized",
                        "message": "Send Authorization: Bearer <OPENCONNECTOR_ADMIN_TOKEN> "
                        "(printed at start; "
                        "stored in the state directory when the variable is unset)",
                    },
                )
            authorizer = auth.authorizer_context(self.admin_scope)
        event = build_event(
            route=route,
            path_parameters=path_parameters,
            method=method,
            raw_path=path,
            raw_query=split.query,
            headers=headers,
            body=body,
            source_ip=source_ip,
            request_id=request_id,
            authorizer=authorizer,
        )
        invocation = self.runtime.invoke(route.function, event, request_id)
        if not invocation.ok:
            if (invocation.payload or {}).get("errorType") == "Sandbox.Timedout":
                return json_error(503, {"message": "Service Unavailable"})
            return json_error(500, {"message": "Internal Server Error"})
        try:
            status, response_headers, response_body = translate_response(invocation.payload)
        except (ValueError, TypeError) as error:
            log.error("%s returned a response API Gateway would reject: %s", route.function, error)
            return json_error(500, {"message": "Internal Server Error"})
        response_headers.append(("apigw-requestid", request_id))
        return status, response_headers, response_body


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for requests in flight
    block_on_close = True
    request_queue_size = 128  # listen backlog: bursts of clients queue instead of being reset

    def __init__(self, address: tuple[str, int], stack: LocalStack) -> None:
        self.stack = stack
        self.stopping = False
        self.handlers: set[_RequestHandler] = set()
        self.handlers_lock = threading.Lock()
        self.serving = False
        super().__init__(address, _RequestHandler)

    def start_serving(self) -> None:
        self.serving = True
        threading.Thread(target=self.serve_forever, name="http", daemon=True).start()

    def stop_accepting(self) -> None:
        """Stop the accept loop, close idle keep-alive connections and half-sent requests, wait for the
        requests that are running."""
        self.stopping = True
        if self.serving:
            self.shutdown()
        with self.handlers_lock:
            idle = [handler for handler in self.handlers if handler.phase != "running"]
        for handler in idle:
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
        self.server_close()


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: without this, Nagle and delayed ACKs add 40 ms a request.
    disable_nagle_algorithm = True
    timeout = SOCKET_TIMEOUT_SECONDS  # a client that stops sending mid-request cannot hold a thread
    server: _HttpServer
    phase = "idle"
    """``idle`` (between requests), ``reading`` (request line, headers, body) or ``running``."""

    def setup(self) -> None:
        super().setup()
        with self.server.handlers_lock:
            self.server.handlers.add(self)

    def finish(self) -> None:
        with self.server.handlers_lock:
            self.server.handlers.discard(self)
        super().finish()

    def parse_request(self) -> bool:
        self.phase = "reading"
        return super().parse_request()

    def log_message(self, format: str, *args: Any) -> None:
        return  # one line per request is written by _dispatch

    def _read_body(self) -> bytes:
        """The body, framed strictly (RFC 9112 §6): the size limit is checked before anything is read."""
        transfer_encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        if transfer_encodings:
            if lengths:
                raise _BadRequest(400, "Send either Content-Length or Transfer-Encoding, not both")
            if [value.strip().lower() for value in transfer_encodings] != ["chunked"]:
                raise _BadRequest(501, "Only Transfer-Encoding: chunked is supported")
            return self._read_chunked()
        if not lengths:
            return b""
        values = {value.strip() for value in ",".join(lengths).split(",")}
        if len(values) != 1 or not _DIGITS.fullmatch(next(iter(values))):
            raise _BadRequest(400, "Content-Length must be one non-negative decimal number")
        length = int(next(iter(values)))
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, f"The request body exceeds {MAX_BODY_BYTES} bytes")
        body = self.rfile.read(length)
        if len(body) != length:
            raise _BadRequest(400, "The request body ended before Content-Length bytes")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(_MAX_LINE + 1)
            size_text = line.split(b";", 1)[0].strip()
            if len(line) > _MAX_LINE or not _HEX.fullmatch(size_text):
                raise _BadRequest(400, "Invalid chunk size")
            size = int(size_text, 16)
            if size == 0:
                for _ in range(100):  # trailer fields, then the empty line
                    trailer = self.rfile.readline(_MAX_LINE + 1)
                    if trailer in (b"\r\n", b"\n", b""):
                        return b"".join(chunks)
                raise _BadRequest(400, "Too many trailer fields")
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadRequest(413, f"The request body exceeds {MAX_BODY_BYTES} bytes")
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _BadRequest(400, "A chunk does not match its size")
            chunks.append(chunk)

    def _dispatch(self) -> None:
        started = time.monotonic()
        try:
            self.phase = "reading"
            body = self._read_body()
            self.phase = "running"
            status, headers, payload = self.server.stack.handle_http(
                self.command, self.path, list(self.headers.items()), body, self.client_address[0]
            )
        except _BadRequest as error:
            self.close_connection = True  # the rest of the stream cannot be trusted
            status, headers, payload = json_error(
                error.status, {"error": "Bad Request", "message": error.message}
            )
        except TimeoutError:
            self.close_connection = True
            status, headers, payload = json_error(408, {"message": "Request Timeout"})
        except OSError:
            self.close_connection = True  # the client went away (or the stack is stopping)
            return
        except Exception:
            log.exception("Request %s %s failed", self.command, self.path)
            status, headers, payload = json_error(500, {"message": "Internal Server Error"})
        if self.server.stopping:
            self.close_connection = True
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()
        self.phase = "idle"
        milliseconds = (time.monotonic() - started) * 1000
        log.info("%s", access_line(self.command, self.path.split("?", 1)[0], status, milliseconds, payload))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _dispatch


def _stop_when_orphaned(stop_requested: threading.Event, interval: float = 0.5) -> None:
    """Stop cleanly once the parent is gone. A signal sent to ``make`` alone is not passed on to the
    recipe it runs, so without this ``kill <make>`` would leave the stack holding its port."""
    parent = os.getppid()

    def watch() -> None:
        while not stop_requested.wait(interval):
            if os.getppid() != parent:
                log.info("parent process %d ended: stopping (saving state)", parent)
                stop_requested.set()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def serve(options: ServeOptions) -> int:
    """Run until SIGINT/SIGTERM; returns the exit code."""
    stop_requested = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        if stop_requested.is_set():
            if signum != signal.SIGINT:
                return  # the same stop, announced twice (e.g. to the process and to its group)
            log.warning("Second Ctrl-C: exiting without a clean stop")
            os._exit(130)
        log.info("%s: stopping (finishing requests in flight, saving state)", signal.Signals(signum).name)
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    if options.exit_with_parent:
        _stop_when_orphaned(stop_requested)
    stack = LocalStack(options)
    try:
        stack.start()
    except BaseException:
        stack.stop_after_failed_start()
        raise
    url = f"http://{options.host}:{options.port}"
    print(
        f"OpenConnector local stack on {url}  "
        f"(state: {options.state_dir}, AWS emulator: {stack.emulator.endpoint_url})",
        flush=True,
    )
    if options.admin_token:
        print("Management API token: from OPENCONNECTOR_ADMIN_TOKEN", flush=True)
    else:
        where = "generated now" if stack.token_generated else "stored"
        print(
            f"Management API token ({where}, {auth.token_path(options.state_dir)}): {stack.token}", flush=True
        )
    print(f"  curl -H 'Authorization: Bearer <token>' {url}/api/sources", flush=True)
    stop_requested.wait()
    stack.stop()
    log.info("stopped")
    return 0
