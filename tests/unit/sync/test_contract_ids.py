"""Contract and target ids are uuid5 of (synchronization, origin id), computed without UUID objects."""

from __future__ import annotations

import uuid

import pytest

from openconnector_core.sync.contracts import _CONTRACT_NS, _TARGET_NS, contract_id, target_object_id


@pytest.mark.parametrize(
    "origin", ["1", "é-ü", "x" * 500, "", "a\x00b", "0193a4e2-7f00-7000-8000-000000000001"]
)
def test_ids_are_the_standard_uuid5(origin: str) -> None:
    sync = "0193a4e2-7f00-7000-8000-00000000abcd"
    assert contract_id(sync, origin) == str(uuid.uuid5(_CONTRACT_NS, f"{sync}\x00{origin}"))
    assert target_object_id(sync, origin) == str(uuid.uuid5(_TARGET_NS, f"{sync}\x00{origin}"))
