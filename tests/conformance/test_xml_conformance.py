"""Every case of conformance/xml.json against openconnector_core.xmljson."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.xmljson import request_body_to_data, source_response_to_data

from ._cases import cases, same

CONVERTERS = {"source-response": source_response_to_data, "request-body": request_body_to_data}


@pytest.mark.parametrize("case", cases("xml"))
def test_xml_case(case: dict[str, Any]) -> None:
    result = CONVERTERS[case["converter"]](case["xml"])
    if case.get("unparseable"):
        assert result is None
        return
    assert same(case["expected"], result, case.get("emptyOutputEitherWay", False)), result
