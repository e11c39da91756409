"""A synchronization's lease on both run-state backends: taken, held by a live run, taken over from a
dead one (the run that took it learns whose it was, to fail that run), released."""

from __future__ import annotations

import pytest

from openconnector_core.sync.ports import Lease
from openconnector_core.sync.runs import runtime


@pytest.mark.parametrize("backend", ["container", "dynamo_container"])
def test_a_lease_is_taken_held_taken_over_and_released(backend: str, request: pytest.FixtureRequest) -> None:
    if backend == "dynamo_container":
        request.getfixturevalue("aws")
    state = runtime(request.getfixturevalue(backend)).state

    assert state.acquire_lease("sync-1", "run-1", 3600) == Lease()
    assert state.acquire_lease("sync-1", "run-1", 3600) == Lease()  # its own lease, again
    # run-1 has written no log yet: alive while its lease is recent, dead once it is not
    assert state.acquire_lease("sync-1", "run-2", 3600) == Lease(holder="run-1")
    assert state.acquire_lease("sync-1", "run-2", 0) == Lease(taken_over="run-1")
    assert state.acquire_lease("sync-1", "run-3", 3600) == Lease(holder="run-2")
    state.release_lease("sync-1", "run-2")
    assert state.acquire_lease("sync-1", "run-3", 3600) == Lease()
