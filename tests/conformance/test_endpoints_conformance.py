"""Every case of conformance/endpoints.json against openconnector_core.gateway.matching."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.gateway.matching import (
    EndpointRef,
    matches,
    path_parameters,
    placeholder_parameters,
)

from ._cases import cases

CONSECUTIVE = "Upstream bug fixed on purpose: consecutive middle placeholders each match a segment"
XFAIL = {
    "consecutive-placeholders-real-values": CONSECUTIVE,
    "three-trailing-placeholders": CONSECUTIVE,
}


@pytest.mark.parametrize("case", cases("endpoints", XFAIL))
def test_endpoint_case(case: dict[str, Any]) -> None:
    endpoint = EndpointRef(case["endpoint"], case.get("endpointMethod", case["method"]), "case")
    assert matches(endpoint, case["requestPath"], case["method"]) is case["expectedMatch"]
    if case["expectedMatch"]:
        assert path_parameters(endpoint, case["requestPath"]) == case["expectedParams"]
        assert placeholder_parameters(endpoint, case["requestPath"]) == case["expectedPlaceholderParams"]
