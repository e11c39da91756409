"""Jobs and events on moto: the job claim is a real DynamoDB conditional write raced by threads;
push tasks go to SQS with their backoff delay; object events go to the EventBridge bus."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest

from openconnector_core.container import Container
from openconnector_core.errors import OpenConnectorError
from openconnector_core.events.transport import EventBridgeBus, SqsTaskQueue, fitting
from openconnector_core.jobs import JobRunner, actions
from openconnector_core.jobs.actions import ActionResult
from openconnector_core.settings import Settings
from openconnector_core.store.dynamodb import DynamoEntityStore, DynamoLogStore
from openconnector_core.store.memory import MemorySecretStore

REGION = "eu-west-1"


@pytest.fixture
def container(dynamodb: Any, tables: dict[str, str]) -> Container:
    return Container(
        Settings(),
        entity_store=DynamoEntityStore(dynamodb, tables["EntitiesTable"]),
        contract_store=DynamoEntityStore(dynamodb, tables["ContractsTable"]),
        log_store=DynamoLogStore(dynamodb, tables["LogsTable"]),
        secret_store=MemorySecretStore(),
    )


def test_a_job_raced_by_eight_runners_on_dynamodb_runs_once(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    lock = threading.Lock()

    def count(c: Any, a: Any) -> ActionResult:
        with lock:
            calls.append(1)
        return ActionResult()

    monkeypatch.setitem(actions.ACTIONS, "event", count)
    job = container.entities.create("jobs", {"name": "Raced", "jobClass": "event"}).item
    barrier = threading.Barrier(8)
    results: list[Any] = []

    def run() -> None:
        barrier.wait()
        results.append(JobRunner(container).run(job["id"]))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and sum(result is not None for result in results) == 1
    logs = container.logs.query("job-logs", subject=job["id"]).items
    assert len(logs) == 1


def test_push_retries_are_sqs_messages_with_the_backoff_delay(container: Container, aws: None) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="events")["QueueUrl"]
    SqsTaskQueue(sqs, url).send({"task": "deliver", "message": {"id": "m1"}}, delay_seconds=40)
    SqsTaskQueue(sqs, url).send({"task": "deliver", "message": {"id": "m2"}}, delay_seconds=5000)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None  # delayed
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "2"


def test_events_are_published_to_the_bus(aws: None) -> None:
    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name="stack-events")
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="all", EventBusName="stack-events", EventPattern=json.dumps({"source": ["openconnector"]})
    )
    events.put_targets(Rule="all", EventBusName="stack-events", Targets=[{"Id": "tap", "Arn": arn}])
    event = {"specversion": "1.0", "id": "e1", "source": "/x", "type": "t.created", "data": {"a": 1}}
    EventBridgeBus(events, "stack-events").publish(event)
    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    delivered = json.loads(message["Body"])
    assert delivered["detail-type"] == "t.created" and delivered["detail"] == event


def test_an_event_too_large_for_the_bus_is_published_truncated(aws: None) -> None:
    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name="big-events")
    big = {"name": "x" * 300_000}
    event = {
        "specversion": "1.0",
        "id": "e2",
        "source": "/objects/pet",
        "type": "t",
        "data": {"type": "pet", "id": "o1", "attributes": big},
    }
    EventBridgeBus(events, "big-events").publish(event)  # would be refused whole
    detail = json.loads(fitting(event))
    assert detail["data"] == {"type": "pet", "id": "o1", "truncated": True} and detail["id"] == "e2"


def test_a_bulk_of_events_goes_out_ten_per_put_events_call(aws: None) -> None:
    events = boto3.client("events", region_name=REGION)
    events.create_event_bus(Name="bulk-events")
    calls: list[int] = []
    original = events.put_events

    def counting(**request: Any) -> Any:
        calls.append(len(request["Entries"]))
        return original(**request)

    events.put_events = counting  # type: ignore[method-assign]
    batch = [{"specversion": "1.0", "id": f"e{n}", "source": "/x", "type": "t.created"} for n in range(25)]

    EventBridgeBus(events, "bulk-events").publish_many(batch)

    assert calls == [10, 10, 5]


def test_events_the_bus_refuses_are_named(aws: None) -> None:
    class Refusing:
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            results = [{"EventId": "ok"}] * len(Entries)
            results[1] = {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}
            return {"FailedEntryCount": 1, "Entries": results}

    batch = [{"id": f"e{n}", "type": "t"} for n in range(3)]
    with pytest.raises(OpenConnectorError, match=r"e1 \(ThrottlingException slow down\)"):
        EventBridgeBus(Refusing(), "any").publish_many(batch)
