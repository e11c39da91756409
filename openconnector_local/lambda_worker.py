"""One Lambda execution environment: a child process that imports a handler once and runs
invocations sent over a pipe. Stdout and stderr are the function's logs (inherited from the stack).

Kept free of heavy imports: it is what every worker process imports first.
"""

from __future__ import annotations

import decimal
import importlib
import json
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any


class LambdaContext:
    """The attributes and method of the Lambda Python runtime's context object."""

    def __init__(self, spec: dict[str, Any], request_id: str, deadline: float) -> None:
        self.function_name: str = spec["function_name"]
        self.function_version = "$LATEST"
        self.invoked_function_arn: str = spec["function_arn"]
        self.memory_limit_in_mb: int = int(spec["memory_mb"])
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{os.getpid():032x}"
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def run(connection: Connection, spec: dict[str, Any]) -> None:
    """Entry point of the worker process: load the handler, then serve invocations until told to stop."""
    # The stack decides when environments stop (a terminal's Ctrl-C or `timeout` signal the whole group).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for name in spec.get("unset", ()):
        os.environ.pop(name, None)
    os.environ.update(spec["environment"])
    code_dir = str(Path(spec["code_dir"]).resolve())
    os.chdir(code_dir)
    sys.path.insert(0, code_dir)
    module_name, _, function_name = spec["handler"].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
        connection.send(("ready", None))
    except BaseException as error:  # an import error is the function's, report it and stop
        connection.send(("init-error", _error_payload(error)))
        return
    while True:
        try:
            message = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        request_id, event_json, deadline = message
        context = LambdaContext(spec, request_id, deadline)
        try:
            result = handler(json.loads(event_json), context)
            connection.send(("ok", json.dumps(result, default=_json_default)))
        except BaseException as error:
            traceback.print_exc()
            connection.send(("error", _error_payload(error)))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()


def _error_payload(error: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "stackTrace": traceback.format_exception(error),
    }
