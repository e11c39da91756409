"""Runs on the DynamoDB adapters (moto): duplicate deliveries, a worker killed mid-page, real threads
racing for the lease and for the last page, and what an unchanged run costs in DynamoDB requests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from openconnector_core.container import Container
from openconnector_core.errors import ConflictError
from openconnector_core.sync import runs
from openconnector_core.sync.runs import PageBusyError, handle_page, runtime, start_run
from tests.integration.sync.conftest import Setup
from tests.support.aws import SerialClient

pytestmark = pytest.mark.usefixtures("aws")


class Collector:
    """A page queue that only collects: the test decides who delivers what, when and how often."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def send(self, messages: Any) -> None:
        with self.lock:
            self.messages.extend(messages)

    def take(self) -> list[dict[str, Any]]:
        with self.lock:
            taken, self.messages = self.messages, []
        return taken


@pytest.fixture
def dsetup(dynamo_container: Container, make_setup: Callable[[Container], Setup]) -> Setup:
    dynamo_container.__dict__["dynamodb"] = SerialClient(dynamo_container.dynamodb)
    return make_setup(dynamo_container)


def collect(container: Container) -> Collector:
    collector = Collector()
    runtime(container).queue = collector
    return collector


def drain(container: Container, collector: Collector, repeat: int = 1) -> None:
    while True:
        batch = collector.take()
        if not batch:
            return
        for message in batch:
            for _ in range(repeat):
                handle_page(container, message)


def test_a_full_run_on_dynamodb(dsetup: Setup) -> None:
    sync = dsetup.sync()
    log = start_run(dsetup.container, sync["id"])
    assert log["status"] == "success", log["message"]
    assert log["result"]["objects"]["created"] == 25
    assert len(dsetup.contracts(sync)) == 25
    listed = dsetup.container.entities.get("synchronization-logs", log["id"]).item
    assert listed["status"] == "success" and listed["result"]["objects"]["created"] == 25
    dsetup.api.state.records.pop()
    again = start_run(dsetup.container, sync["id"])
    assert again["result"]["objects"] == {
        "found": 24,
        "skipped": 24,
        "created": 0,
        "updated": 0,
        "deleted": 1,
        "invalid": 0,
    }


def test_duplicate_deliveries_are_neither_counted_nor_written_twice(dsetup: Setup) -> None:
    collector = collect(dsetup.container)
    sync = dsetup.sync()
    log = start_run(dsetup.container, sync["id"])
    assert log["status"] == "running"
    drain(dsetup.container, collector, repeat=3)
    done = runs.get_log(dsetup.container, log["id"])
    assert done["status"] == "success"
    assert done["result"]["objects"]["created"] == 25 and done["result"]["pages"]["fetched"] == 4
    assert len(dsetup.stored()) == 25


def test_a_concurrent_duplicate_is_busy_and_later_done(dsetup: Setup) -> None:
    collector = collect(dsetup.container)
    log = start_run(dsetup.container, dsetup.sync()["id"])
    (first,) = collector.take()
    state = runtime(dsetup.container).state
    assert state.claim_page(log["id"], 1, "worker-a", 300) == "claimed"
    with pytest.raises(PageBusyError):
        handle_page(dsetup.container, first)  # SQS redelivers it after the visibility timeout


def test_a_worker_killed_mid_page_is_taken_over_without_twins(
    dsetup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    collector = collect(dsetup.container)
    sync = dsetup.sync()
    log = start_run(dsetup.container, sync["id"])
    handle_page(dsetup.container, collector.take()[0])  # page 1 done, page 2 queued
    (page_two,) = collector.take()
    contracts = runtime(dsetup.container).contracts
    real_put = contracts.put_many

    def dies(batch: Any) -> None:  # after the target write, before the contracts: the worker dies
        raise SystemExit("killed")

    monkeypatch.setattr(contracts, "put_many", dies)
    with pytest.raises(SystemExit):
        handle_page(dsetup.container, page_two)
    monkeypatch.setattr(contracts, "put_many", real_put)
    assert len(dsetup.stored()) == 20  # page 2's objects were written
    collector.take()  # page 3 was queued before page 2 was processed
    with pytest.raises(PageBusyError):  # a young claim: the worker might still be alive
        handle_page(dsetup.container, page_two)
    time.sleep(0.3)
    handle_page(dsetup.container, page_two, time_left=-9.8)  # its claim is older than a worker lives
    drain(dsetup.container, collector)
    done = runs.get_log(dsetup.container, log["id"])
    assert done["status"] == "success"
    assert done["result"]["objects"]["created"] == 25
    assert len(dsetup.stored()) == 25 and len(dsetup.contracts(sync)) == 25


def test_threads_racing_for_the_lease_get_one_run(dsetup: Setup) -> None:
    collect(dsetup.container)
    sync = dsetup.sync()
    barrier = threading.Barrier(6)
    outcomes: list[Any] = []

    def attempt() -> None:
        barrier.wait()
        try:
            outcomes.append(start_run(dsetup.container, sync["id"])["id"])
        except ConflictError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    started = [o for o in outcomes if isinstance(o, str)]
    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(started) == 1 and len(conflicts) == 5
    assert {c.extra["runningLog"] for c in conflicts} == set(started)


def test_threads_finishing_pages_at_once_finalize_exactly_once(
    dsetup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    dsetup.api.state.records = [{"id": str(n), "name": f"r{n}", "value": n} for n in range(1, 81)]
    collector = collect(dsetup.container)
    sync = dsetup.sync(
        sourceConfig={
            "endpoint": "/page_number",
            "resultsPosition": "data",
            "pagination": {"type": "page_number", "total_path": "total_pages"},
        }
    )
    finals: list[str] = []
    real_final = runs._final_doc

    def counted(*args: Any) -> dict[str, Any]:
        finals.append(threading.current_thread().name)
        return real_final(*args)

    monkeypatch.setattr(runs, "_final_doc", counted)
    log = start_run(dsetup.container, sync["id"])
    handle_page(dsetup.container, collector.take()[0])
    rest = collector.take()
    assert [m["page"] for m in rest] == list(range(2, 9))  # the total was known: all at once
    barrier = threading.Barrier(len(rest))
    errors: list[BaseException] = []

    def work(message: dict[str, Any]) -> None:
        barrier.wait()
        try:
            handle_page(dsetup.container, message)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(m,)) for m in rest]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(finals) == 1
    done = runs.get_log(dsetup.container, log["id"])
    assert done["status"] == "success" and done["result"]["objects"]["created"] == 80


def test_an_unchanged_run_costs_few_dynamodb_requests(dsetup: Setup) -> None:
    dsetup.api.state.records = [{"id": str(n), "name": f"r{n}", "value": n} for n in range(1, 1001)]
    dsetup.api.state.page_size = 100
    sync = dsetup.sync()
    calls: list[str] = []
    client = dsetup.container.dynamodb

    def record(params: Any, model: Any, **_: Any) -> None:
        calls.append(f"{model.name} {params.get('Key', {}).get('pk', {}).get('S')}")

    client.meta.events.register("before-parameter-build.dynamodb.*", record)
    first = start_run(dsetup.container, sync["id"])
    assert first["result"]["objects"]["created"] == 1000
    first_calls = len(calls)
    calls.clear()
    again = start_run(dsetup.container, sync["id"])
    assert again["result"]["objects"]["skipped"] == 1000
    operations = Counter(call.split()[0] for call in calls)
    assert operations["BatchWriteItem"] == 0  # no contract, contract-log or object write
    assert len(calls) / 1000 <= 0.1, Counter(calls)
    assert len(calls) < first_calls
