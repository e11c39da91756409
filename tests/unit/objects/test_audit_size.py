"""The audit trail's cheap size bound never calls a large object small."""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.objects.audit import _VALUE_LIMIT, _size, _surely_small, changed_fields


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "x" * 8_000},
        {"name": "é" * 3_000},
        {"name": "\u0000" * 1_400},
        {"n": -(10**2_000)},
        {"nested": {"list": list(range(2_000))}},
        {"a": 1.5e300, "b": None, "c": True, "d": "ok"},
        {},
    ],
)
def test_the_bound_is_never_below_the_real_size(fields: dict[str, Any]) -> None:
    if _surely_small(fields):
        assert _size(fields)[0] <= _VALUE_LIMIT


def test_large_values_are_still_summarized() -> None:
    changed = changed_fields({"a": 1}, {"a": 2, "blob": "x" * 20_000})
    assert changed["a"] == {"old": 1, "new": 2}
    assert changed["blob"]["new"]["truncated"] is True
