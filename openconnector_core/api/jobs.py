"""Job routes: run one job now (``POST /api/jobs/{id}/run``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api.deps import container
from openconnector_core.api.http import json_body, json_response
from openconnector_core.errors import MethodNotAllowedError, ValidationError

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call, unused-ignore]


def run_job(key: str, force: bool) -> Response[Any]:
    from openconnector_core.jobs import JobRunner

    log = JobRunner(container()).run(unquote(key), force=force)
    return json_response(200, log)  # null: not due yet (nothing ran, as upstream)


@router.post("/api/jobs/<key>/run")
def run(key: str) -> Response[Any]:
    body = json_body(router, required=False)
    force = body.get("forceRun", False)
    if not isinstance(force, bool):
        raise ValidationError("'forceRun' must be a boolean", fields=["forceRun"])
    return run_job(key, force)


@router.route("/api/jobs/<key>/run", method=["GET", "PUT", "PATCH", "DELETE"])
def run_not_allowed(key: str) -> Response[Any]:
    raise MethodNotAllowedError("Use POST to run a job", allow=["POST"])
