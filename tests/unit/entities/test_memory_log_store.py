from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openconnector_core.errors import NotFoundError
from openconnector_core.ids import new_id
from openconnector_core.store.memory import MemoryLogStore, MemorySecretStore


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 6, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_logs_expire_although_nobody_deleted_them() -> None:
    clock = Clock()
    store = MemoryLogStore(clock)
    store.put("job-logs", {"id": "a"}, expires=clock.now + timedelta(hours=1))
    store.put("job-logs", {"id": "b"})

    clock.now += timedelta(hours=2)

    with pytest.raises(NotFoundError):
        store.get("job-logs", "a")
    assert [item["id"] for item in store.query("job-logs").items] == ["b"]


def test_put_gives_an_id_when_none_is_given() -> None:
    store = MemoryLogStore()
    store.put("call-logs", {"statusCode": 200})
    (item,) = store.query("call-logs").items
    assert item["uuid"] == item["id"]


def test_query_by_subject_time_range_order_and_pages() -> None:
    store = MemoryLogStore()
    ids = []
    for index in range(30):
        log_id = new_id()
        ids.append(log_id)
        store.put("call-logs", {"id": log_id, "n": index}, subject="s1" if index % 2 else "s2")

    def collect(**kwargs: object) -> list[str]:
        seen, token = [], None
        while True:
            page = store.query("call-logs", limit=4, cursor=token, **kwargs)  # type: ignore[arg-type]
            seen += [item["id"] for item in page.items]
            token = page.next
            if token is None:
                return seen

    assert collect() == list(reversed(ids))
    assert collect(newest_first=False) == ids
    assert collect(subject="s1", newest_first=False) == ids[1::2]
    assert collect(where=lambda item: item["n"] < 5, newest_first=False) == ids[:5]
    assert collect(since=datetime.now(UTC) + timedelta(seconds=5)) == []
    assert collect(until=datetime.now(UTC) - timedelta(days=1)) == []
    assert collect(
        since=datetime.now(UTC) - timedelta(days=1), until=datetime.now(UTC) + timedelta(seconds=1)
    ) == list(reversed(ids))


def test_memory_secret_store() -> None:
    store = MemorySecretStore()
    assert store.get("sources/x") == {}
    store.put("sources/x", {"/password": "pw"})
    assert store.get("sources/x") == {"/password": "pw"}
    store.delete("sources/x")
    store.delete("sources/x")
    assert store.get("sources/x") == {}
