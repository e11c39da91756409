"""State in the state directory survives a clean stop and a crash."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_state_survives_sigterm_and_sigkill(make_stack, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "persistent"
    # Given a stack with an item, a generated secret and a dead letter.
    first = make_stack(state_dir=state)
    with first.client() as client:
        assert (
            client.put(
                "/api/items/before-stop", content="one", headers={"Content-Type": "text/plain"}
            ).status_code
            == 200
        )
        secret = client.get("/api/secret").json()
    # When it stops on SIGTERM and starts again,
    assert first.stop(signal.SIGTERM) == 0
    assert (state / "snapshot.pickle").exists()
    second = make_stack(state_dir=state)
    # then everything is still there, the secret with the same ARN and value.
    with second.client() as client:
        assert client.get("/api/items/before-stop").json()["body"] == "one"
        assert client.get("/api/secret").json() == secret
        # An acknowledged write survives a crash too (the journal is fsynced before the answer).
        assert (
            client.put(
                "/api/items/before-crash", content="two", headers={"Content-Type": "text/plain"}
            ).status_code
            == 200
        )
    second.stop(signal.SIGKILL)
    third = make_stack(state_dir=state)
    with third.client() as client:
        assert client.get("/api/items/before-stop").json()["body"] == "one"
        assert client.get("/api/items/before-crash").json()["body"] == "two"
        assert client.get("/api/secret").json() == secret
    assert third.stop(signal.SIGTERM) == 0
