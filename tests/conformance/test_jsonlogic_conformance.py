"""Every case of conformance/jsonlogic.json against openconnector_core.logic.evaluate."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.errors import ConditionError
from openconnector_core.logic import evaluate

from ._cases import cases, same


@pytest.mark.parametrize("case", cases("jsonlogic"))
def test_jsonlogic_case(case: dict[str, Any]) -> None:
    if case.get("expectedError"):
        with pytest.raises(ConditionError):
            evaluate(case["rule"], case["data"])
        return
    result = evaluate(case["rule"], case["data"])
    assert same(case["expected"], result, case.get("emptyOutputEitherWay", False)), result
