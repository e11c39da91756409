"""The gateway handler fed with the sample events of ``events/gateway`` (also used by
``sam local invoke GatewayFunction -e``). Without endpoints, every path answers the problem document
of a path that matches no endpoint (with the original's ``error`` beside it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import EVENTS, decode, load_handler
from tests.functional.events import FakeLambdaContext

SAMPLES = sorted((EVENTS / "gateway").glob("*.json"))
REQUESTS = [path for path in SAMPLES if not path.stem.startswith("preflight")]


@pytest.mark.parametrize("path", REQUESTS, ids=lambda path: path.stem)
def test_no_endpoint_is_a_problem_document(path: Any, container: Any) -> None:
    event = json.loads(path.read_text(encoding="utf-8"))
    handler = load_handler("gateway")

    response = decode(handler.lambda_handler(event, FakeLambdaContext()))

    method = event["requestContext"]["http"]["method"]
    proxy = event["pathParameters"]["proxy"]
    assert response.status == 404
    assert response.header("Content-Type") == "application/problem+json"
    problem = json.loads(response.text)
    message = f"No matching endpoint found for path and method: {proxy.removeprefix('endpoint/')} {method}"
    assert problem == {
        "type": "Not Found",
        "code": 404,
        "title": "Not Found",
        "status": 404,
        "instance": event["requestContext"]["requestId"],
        "detail": message,
        "error": message,
    }


def test_there_are_gateway_samples() -> None:
    assert len(SAMPLES) >= 2


def test_the_preflight_sample_is_answered_without_any_endpoint(container: Any) -> None:
    event = json.loads((EVENTS / "gateway" / "preflight-building.json").read_text(encoding="utf-8"))

    response = decode(load_handler("gateway").lambda_handler(event, FakeLambdaContext()))

    assert response.status == 200
    assert response.header("Access-Control-Allow-Origin") == "https://app.example"
    assert response.header("Access-Control-Allow-Credentials") == "false"
