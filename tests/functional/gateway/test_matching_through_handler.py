"""The endpoint-matching corpus once more, through the gateway handler: the path is sent the way an
HTTP client sends it (percent-encoded), the endpoint is stored through the entity service, and the
path parameters the rules see are compared."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.conformance._cases import cases

CONSECUTIVE = "Upstream bug fixed on purpose: consecutive middle placeholders each match a segment"
XFAIL = {
    "consecutive-placeholders-real-values": CONSECUTIVE,
    "three-trailing-placeholders": CONSECUTIVE,
}
NO_TARGET = "Endpoint must specify either a schema or source connection"


@pytest.mark.parametrize("case", cases("endpoints", XFAIL))
def test_endpoint_case_through_the_handler(gateway: Any, case: dict[str, Any]) -> None:
    show = gateway.rule(
        "error",
        {"error": {"code": 200, "name": "matched", "includeJsonLogicResult": True}},
        conditions={"var": "parameters"},
    )
    method = case.get("endpointMethod", case["method"])
    gateway.create(
        "endpoints", {"name": "case", "endpoint": case["endpoint"], "method": method, "rules": [show]}
    )

    answer = gateway.request(case["method"], quote(case["requestPath"], safe="/%"))

    if not case["expectedMatch"]:
        assert answer.status == 404, answer.text
        return
    if case["expectedParams"]:
        assert answer.status == 200, answer.text
        assert answer.body["errors"] == case["expectedParams"]
    else:  # no parameters: the rule's condition is empty, so the endpoint reaches its (missing) target
        assert (answer.status, answer.body["detail"]) == (400, NO_TARGET)
