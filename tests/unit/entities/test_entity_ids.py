from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from openconnector_core.ids import new_id, uuid7_ceiling, uuid7_floor


def test_new_ids_are_uuid7_and_strictly_increasing() -> None:
    ids = [new_id() for _ in range(5000)]

    assert all(uuid.UUID(value).version == 7 for value in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_floor_and_ceiling_bound_the_ids_of_a_moment() -> None:
    before = datetime.now(UTC) - timedelta(milliseconds=2)
    made = new_id()
    after = datetime.now(UTC) + timedelta(milliseconds=2)

    assert uuid7_floor(before) <= made <= uuid7_ceiling(after)
    assert uuid7_ceiling(before) < made < uuid7_floor(after)
    assert uuid.UUID(uuid7_floor(before)).version == 7


def test_floor_and_ceiling_hold_the_moment_to_the_millisecond() -> None:
    moment = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    floor, ceiling = uuid.UUID(uuid7_floor(moment)), uuid.UUID(uuid7_ceiling(moment))

    assert floor.int >> 80 == ceiling.int >> 80 == int(moment.timestamp() * 1000)
    assert uuid7_ceiling(moment - timedelta(milliseconds=1)) < str(floor) < str(ceiling)
    assert str(ceiling) < uuid7_floor(moment + timedelta(milliseconds=1))
