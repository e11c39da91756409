"""The gateway handler fed with the sample events of ``events/gateway`` (also used by
``sam local invoke GatewayFunction -e``). Endpoint execution arrives with the gateway issue; until then
every path answers the original's problem document for a path that matches no endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import EVENTS, decode, load_handler
from tests.functional.events import FakeLambdaContext

SAMPLES = sorted((EVENTS / "gateway").glob("*.json"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.stem)
def test_no_endpoint_is_a_problem_document(path: Any) -> None:
    event = json.loads(path.read_text(encoding="utf-8"))
    handler = load_handler("gateway")

    response = decode(handler.lambda_handler(event, FakeLambdaContext()))

    method = event["requestContext"]["http"]["method"]
    proxy = event["pathParameters"]["proxy"]
    assert response.status == 404
    assert response.header("Content-Type") == "application/problem+json"
    problem = json.loads(response.text)
    assert problem == {
        "type": "Not Found",
        "code": 404,
        "title": "Not Found",
        "status": 404,
        "instance": event["requestContext"]["requestId"],
        "detail": f"No matching endpoint found for path and method: {proxy} {method}",
    }


def test_there_are_gateway_samples() -> None:
    assert len(SAMPLES) >= 2
