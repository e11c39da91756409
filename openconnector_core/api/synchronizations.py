"""Synchronization routes: ``POST /api/synchronizations/{id}/run|test`` and live run logs.

A run answers ``200`` with its SynchronizationLog when it ends within ``?wait=`` seconds (default 20,
at most 25), else ``202`` with ``Location: /api/synchronization-logs/{logId}``; ``409`` naming the
running log while another run of the same synchronization is running.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import json_body, json_response, query_params
from openconnector_core.errors import MethodNotAllowedError, ValidationError

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

DEFAULT_WAIT = 20.0
MAX_WAIT = 25.0
_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off", "")


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise ValidationError(f"'{name}' must be a boolean", fields=[name])


def _wait() -> float:
    raw = query_params(router).get("wait")
    if raw is None or raw == "":
        return DEFAULT_WAIT
    try:
        wait = float(raw)
    except ValueError:
        raise ValidationError(f"wait must be a number of seconds, got {raw!r}", fields=["wait"]) from None
    if wait < 0:
        raise ValidationError("wait must not be negative", fields=["wait"])
    return min(wait, MAX_WAIT)


def _run(key: str, *, test: bool | None) -> Response[Any]:
    from openconnector_core.sync.runs import start_run

    body = json_body(router, required=False)
    data = body.get("data")
    if data is not None and not isinstance(data, dict):
        raise ValidationError("'data' must be an object", fields=["data"])
    object_id = body.get("objectId")
    if object_id is not None and not isinstance(object_id, str):
        raise ValidationError("'objectId' must be a string", fields=["objectId"])
    log = start_run(
        container(),
        unquote(key),
        test=_flag(body, "test") if test is None else test,
        force=_flag(body, "force"),
        data=data,
        object_id=object_id,
        wait=_wait(),
    )
    if log.get("status") == "running":
        return json_response(202, log, {"Location": f"/api/synchronization-logs/{log['id']}"})
    return json_response(200, log)


@router.post("/api/synchronizations/<key>/run")
def run_synchronization(key: str) -> Response[Any]:
    return _run(key, test=None)


@router.post("/api/synchronizations/<key>/test")
def test_synchronization(key: str) -> Response[Any]:
    return _run(key, test=True)


@router.get("/api/synchronization-logs/<key>")
def synchronization_log(key: str) -> Response[Any]:
    from openconnector_core.sync.runs import get_log

    return json_response(200, get_log(container(), unquote(key)))


@router.route("/api/synchronizations/<key>/run", method=["GET", "PUT", "PATCH", "DELETE"])
def run_not_allowed(key: str) -> Response[Any]:
    raise MethodNotAllowedError("Use POST to run a synchronization", allow=["POST"])


@router.route("/api/synchronizations/<key>/test", method=["GET", "PUT", "PATCH", "DELETE"])
def test_not_allowed(key: str) -> Response[Any]:
    raise MethodNotAllowedError("Use POST to test a synchronization", allow=["POST"])
