"""Running jobs on the in-memory container: due selection, the claim, logs and their retention."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.errors import ConflictError, RateLimitedError
from openconnector_core.jobs import JobRunner, actions
from openconnector_core.jobs.actions import ActionResult
from openconnector_core.jobs.runner import FORCE_NOTE, MAX_MESSAGE

NOW = datetime(2030, 1, 1, 12, 0, 30, tzinfo=UTC)


@pytest.fixture
def container() -> Container:
    return Container.in_memory()


def job(container: Container, **fields: Any) -> dict[str, Any]:
    body = {"name": f"job {uuid.uuid4().hex[:8]}", "jobClass": "event", **fields}
    return container.entities.create("jobs", body).item


def logs(container: Container, job_id: str) -> list[dict[str, Any]]:
    return container.logs.query("job-logs", subject=job_id, limit=100).items


def runner(container: Container, now: datetime = NOW) -> JobRunner:
    return JobRunner(container, clock=lambda: now)


def test_due_jobs_run_and_get_their_next_run(container: Container) -> None:
    fresh = job(container)
    later = job(container, nextRun="2030-01-01T13:00:00+00:00")
    disabled = job(container, isEnabled=False)
    outcome = runner(container).run_due()
    assert outcome.ran == [fresh["id"]]
    assert logs(container, later["id"]) == [] and logs(container, disabled["id"]) == []
    stored = container.entities.get("jobs", fresh["id"]).item
    assert stored["lastRun"] == "2030-01-01T12:00:30+00:00"
    assert stored["nextRun"] == "2030-01-01T13:00:00+00:00"
    assert stored["status"] is None
    assert runner(container).run_due().ran == []  # not due again before its next run


def test_a_single_run_job_disables_itself(container: Container) -> None:
    once = job(container, singleRun=True)
    runner(container).run_due()
    assert container.entities.get("jobs", once["id"]).item["isEnabled"] is False


def test_a_disabled_job_run_by_hand_logs_a_warning_and_a_forced_run_runs(container: Container) -> None:
    disabled = job(container, isEnabled=False)
    log = runner(container).run(disabled["id"])
    assert log is not None and log["level"] == "WARNING" and log["message"] == "This job is disabled"
    forced = runner(container).run(disabled["id"], force=True)
    assert forced is not None and forced["level"] == "SUCCESS" and forced["stackTrace"][0] == FORCE_NOTE
    assert container.entities.get("jobs", disabled["id"]).item["nextRun"] is None  # forced: unchanged


def test_a_rate_limited_synchronization_pushes_the_next_run_back(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset = NOW + timedelta(hours=2, seconds=5)
    monkeypatch.setitem(
        actions.ACTIONS,
        "event",
        lambda c, a: ActionResult("WARNING", "Stopped synchronization: limit", [], reset),
    )
    limited = job(container, interval=60)
    runner(container).run(limited["id"])
    assert container.entities.get("jobs", limited["id"]).item["nextRun"] == "2030-01-01T14:01:00+00:00"


def test_the_synchronization_action_reports_rate_limits_as_a_warning_with_the_reset(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openconnector_core.sync.runs as runs

    def limited(*args: Any, **kwargs: Any) -> dict[str, Any]:
        raise RateLimitedError("Rate Limit on Source has been exceeded", retryAfter=120)

    monkeypatch.setattr(runs, "start_run", limited)
    result = actions.synchronization_action(container, {"synchronizationId": "s1"})
    assert result.level == "WARNING" and result.message.startswith("Stopped synchronization:")
    assert result.next_run is not None
    assert actions.synchronization_action(container, {}).message == "No synchronization ID provided"


def test_arguments_stored_json_encoded_as_the_original_does_are_read() -> None:
    from openconnector_core.jobs.runner import job_arguments

    assert job_arguments('{"synchronizationId": "s1"}') == {"synchronizationId": "s1"}
    assert job_arguments({"sourceId": "x"}) == {"sourceId": "x"}
    assert job_arguments("not json") == {} and job_arguments([1]) == {} and job_arguments(None) == {}


def test_the_actions_answer_to_class_names_and_short_names() -> None:
    for name in ("synchronization", "ping", "event"):
        assert actions.action_for(name) is actions.ACTIONS[name]
    assert actions.action_for("OCA\\OpenConnector\\Action\\PingAction") is actions.ping_action
    assert (
        actions.action_for("\\OCA\\OpenConnector\\Action\\SynchronizationAction")
        is actions.synchronization_action
    )
    assert actions.action_for(None) is actions.ping_action  # the original's default


def test_an_unknown_action_is_an_error_log_naming_the_valid_ones(container: Container) -> None:
    broken = job(container, jobClass="OCA\\OpenConnector\\Action\\Nope")
    log = runner(container).run(broken["id"])
    assert log is not None and log["level"] == "ERROR"
    assert "PingAction" in log["message"] and "synchronization" in log["message"]


def test_a_failing_action_ends_the_claim_and_leaves_an_error_log(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(c: Any, a: Any) -> ActionResult:
        raise RuntimeError("kaputt")

    monkeypatch.setitem(actions.ACTIONS, "event", boom)
    failing = job(container)
    log = runner(container).run(failing["id"])
    assert log is not None and log["level"] == "ERROR" and "kaputt" in log["message"]
    assert container.entities.get("jobs", failing["id"]).item["status"] is None


def test_retention_follows_the_level_and_the_global_floor(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Success: the job's logRetention, at least successLogRetention (1 h); problems: its
    errorRetention, at least jobLogRetention (30 d); 0 keeps a log forever."""
    long = job(container, logRetention=7200, errorRetention=7200)
    log = runner(container).run(long["id"])
    assert log is not None and log["expires"] == "2030-01-01T14:00:30+00:00"  # its own 2 h
    short = job(container, logRetention=600)
    log = runner(container).run(short["id"])
    assert log is not None and log["expires"] == "2030-01-01T13:00:30+00:00"  # the 1 h floor
    monkeypatch.setitem(actions.ACTIONS, "event", lambda c, a: ActionResult("ERROR", "x" * (MAX_MESSAGE + 5)))
    log = runner(container).run(long["id"], force=True)
    assert log is not None and log["expires"] == "2030-01-31T12:00:30+00:00"  # the 30-day floor
    assert log["message"].endswith(f"[Message truncated - original length: {MAX_MESSAGE + 5} characters]")
    container.global_settings.update({"retention": {"jobLogRetention": 0}})
    log = runner(container).run(long["id"], force=True)
    assert log is not None and log["expires"] is None
    forever = job(container, logRetention=0, errorRetention=0)
    log = runner(container).run(forever["id"])
    assert log is not None and log["expires"] is None


def test_expired_job_logs_never_come_back() -> None:
    clock = [NOW]
    from openconnector_core.store.memory import MemoryLogStore

    container = Container.in_memory()
    container._log_store = MemoryLogStore(clock=lambda: clock[0].timestamp())
    container.global_settings.update({"retention": {"successLogRetention": 1000}})
    quick = job(container, logRetention=60)
    log = runner(container).run(quick["id"])
    assert log is not None
    clock[0] = NOW + timedelta(seconds=59)
    assert [entry["id"] for entry in logs(container, quick["id"])] == [log["id"]]
    clock[0] = NOW + timedelta(seconds=61)
    assert logs(container, quick["id"]) == []


def test_a_job_never_runs_twice_at_once(container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight runners (threads) race for the same due job: one claim wins, the rest skip it."""
    inside = threading.Event()
    release = threading.Event()
    calls: list[int] = []

    def slow(c: Any, a: Any) -> ActionResult:
        calls.append(1)
        inside.set()
        release.wait(5)
        return ActionResult()

    monkeypatch.setitem(actions.ACTIONS, "event", slow)
    raced = job(container)
    results: list[Any] = []
    start = threading.Barrier(8)

    def run() -> None:
        start.wait()
        results.append(runner(container).run(raced["id"]))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert inside.wait(5)
    with pytest.raises(ConflictError):  # a forced run while it runs: 409, not a second run
        runner(container).run(raced["id"], force=True)
    release.set()
    for thread in threads:
        thread.join(5)
    assert len(calls) == 1
    assert sum(result is not None for result in results) == 1
    assert len(logs(container, raced["id"])) == 1


def test_a_stale_claim_is_taken_over(container: Container) -> None:
    stuck = job(container)
    container.entities.record_state(
        "jobs", stuck["id"], {"status": "running", "lastRun": "2030-01-01T11:00:00+00:00"}
    )
    assert runner(container).run(stuck["id"]) is not None


def test_the_action_gets_secret_arguments_in_clear_and_the_log_keeps_them_masked(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[str, Any]] = []
    monkeypatch.setitem(actions.ACTIONS, "event", lambda c, a: seen.append(dict(a)) or ActionResult())
    secret = job(container, arguments={"sourceId": "s1", "apiKey": "k-very-secret-42"})
    log = runner(container).run(secret["id"])
    assert seen == [{"sourceId": "s1", "apiKey": "k-very-secret-42"}]
    assert log is not None and "k-very-secret-42" not in json.dumps(log)
