"""Invoking the template's functions: a pool of worker processes per function, like Lambda's
execution environments (own environment variables, own imports and caches, one invocation at a time),
with the function's timeout enforced."""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import threading
import time
import uuid
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from openconnector_local import lambda_worker

log = logging.getLogger("openconnector.local.lambda")

MAX_CONCURRENCY = 8
INIT_TIMEOUT_SECONDS = 60.0
UNSET_VARIABLES = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_DEFAULT_PROFILE")
"""Real-account settings of the developer's shell that must not reach a local function."""


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    function_name: str
    function_arn: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    timeout_seconds: float = 3.0
    memory_mb: int = 128
    max_concurrency: int = MAX_CONCURRENCY


@dataclass(frozen=True)
class Invocation:
    request_id: str
    ok: bool
    payload: Any = None
    """The handler's return value when ``ok``, else Lambda's error document."""
    duration_ms: float = 0.0

    @property
    def error_message(self) -> str:
        return "" if self.ok else str((self.payload or {}).get("errorMessage", ""))


class FunctionError(Exception):
    """The function could not be initialised (import error, bad handler)."""


@dataclass
class _Worker:
    process: BaseProcess
    connection: Connection


@dataclass
class FunctionPool:
    """The execution environments of one function."""

    spec: FunctionSpec
    _idle: list[_Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _closed: bool = False

    _warming: int = 0

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.spec.max_concurrency)
        self._changed = threading.Condition(self._lock)

    def warm(self) -> None:
        """Start one environment ahead of the first invocation; an invocation arriving meanwhile
        waits for it instead of starting a second one."""
        with self._lock:
            self._warming += 1
        worker = None
        try:
            worker = self._start_worker()
        except FunctionError as error:
            log.error("%s", error)
        finally:
            with self._lock:
                self._warming -= 1
                if worker is not None and not self._closed:
                    self._idle.append(worker)
                    worker = None
                self._changed.notify_all()
        if worker is not None:
            self._stop_worker(worker)

    def invoke(self, event: Any, request_id: str | None = None) -> Invocation:
        request_id = request_id or str(uuid.uuid4())
        started = time.monotonic()
        with self._slots:
            try:
                worker = self._acquire()
            except FunctionError as error:
                return self._failure(request_id, started, "Runtime.ImportModuleError", str(error))
            deadline = time.time() + self.spec.timeout_seconds
            worker.connection.send((request_id, json.dumps(event), deadline))
            if not worker.connection.poll(self.spec.timeout_seconds):
                self._discard(worker)
                return self._failure(
                    request_id,
                    started,
                    "Sandbox.Timedout",
                    f"Task timed out after {self.spec.timeout_seconds:.2f} seconds",
                )
            try:
                kind, payload = worker.connection.recv()
            except (EOFError, OSError):
                self._discard(worker)
                return self._failure(
                    request_id, started, "Runtime.ExitError", "The execution environment exited"
                )
            self._release(worker)
        duration = (time.monotonic() - started) * 1000
        if kind == "ok":
            return Invocation(request_id, True, json.loads(payload), duration)
        return Invocation(request_id, False, payload, duration)

    def _failure(self, request_id: str, started: float, error_type: str, message: str) -> Invocation:
        duration = (time.monotonic() - started) * 1000
        log.error("%s %s: %s", self.spec.function_name, request_id, message)
        return Invocation(request_id, False, {"errorType": error_type, "errorMessage": message}, duration)

    def _acquire(self) -> _Worker:
        with self._lock:
            while True:
                while self._idle:
                    worker = self._idle.pop()
                    if worker.process.is_alive():
                        return worker
                if not self._warming:
                    break
                self._changed.wait()
        return self._start_worker()

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                self._changed.notify()
                return
        self._stop_worker(worker)

    def _discard(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join(timeout=5)
        worker.connection.close()

    def _start_worker(self) -> _Worker:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        spec = {
            "function_name": self.spec.function_name,
            "function_arn": self.spec.function_arn,
            "memory_mb": self.spec.memory_mb,
            "handler": self.spec.handler,
            "code_dir": str(self.spec.code_dir),
            "environment": self.spec.environment,
            "unset": list(UNSET_VARIABLES),
        }
        process = context.Process(
            target=lambda_worker.run, args=(child, spec), name=f"lambda-{self.spec.logical_id}", daemon=True
        )
        process.start()
        child.close()
        if not parent.poll(INIT_TIMEOUT_SECONDS):
            process.kill()
            raise FunctionError(
                f"{self.spec.logical_id}: the handler did not load within {INIT_TIMEOUT_SECONDS:.0f} s"
            )
        try:
            kind, payload = parent.recv()
        except EOFError as error:
            raise FunctionError(
                f"{self.spec.logical_id}: the execution environment exited while loading"
            ) from error
        if kind != "ready":
            process.join(timeout=5)
            raise FunctionError(
                f"{self.spec.logical_id}: cannot load {self.spec.handler} from {self.spec.code_dir}: "
                f"{payload['errorType']}: {payload['errorMessage']}"
            )
        return _Worker(process, parent)

    def _stop_worker(self, worker: _Worker) -> None:
        with contextlib.suppress(OSError):
            worker.connection.send(None)
        worker.process.join(timeout=2)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=2)
        worker.connection.close()

    def close(self) -> None:
        """Stop the idle environments; busy ones stop when their invocation returns."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            self._stop_worker(worker)


class LambdaRuntime:
    def __init__(self, specs: list[FunctionSpec]) -> None:
        self.pools = {spec.logical_id: FunctionPool(spec) for spec in specs}

    def invoke(self, logical_id: str, event: Any, request_id: str | None = None) -> Invocation:
        return self.pools[logical_id].invoke(event, request_id)

    def warm_all(self) -> None:
        """Start one environment per function in the background."""
        for pool in self.pools.values():
            threading.Thread(target=pool.warm, name=f"warm-{pool.spec.logical_id}", daemon=True).start()

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
