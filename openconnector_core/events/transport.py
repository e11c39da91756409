"""How events and delivery tasks travel: an EventBridge bus and an SQS queue on AWS, in-process
stand-ins for unit tests and tools. The AWS adapters get their boto3 clients from the container."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from openconnector_core.errors import OpenConnectorError

logger = logging.getLogger(__name__)

BUS_SOURCE = "openconnector"  # the EventBridge ``source`` of every event we publish (the rule's pattern)
TASK_ATTRIBUTE = "openconnector-task"
MAX_SQS_DELAY = 900  # seconds; a longer wait is reached by re-sending the task when it comes back
MAX_DETAIL = 240_000  # bytes; EventBridge refuses entries over 256 KB
PUT_EVENTS_BATCH = 10  # entries per PutEvents call, the service's limit


def fitting(event: dict[str, Any]) -> str:
    """The event as an EventBridge ``Detail``. An event too large for the bus keeps its attributes
    and the ``type``/``id`` of its data, and says ``truncated`` (readers fetch the object)."""
    detail = json.dumps(event, separators=(",", ":"))
    if len(detail.encode()) <= MAX_DETAIL:
        return detail
    raw = event.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    slim = {**event, "data": {"type": data.get("type"), "id": data.get("id"), "truncated": True}}
    return json.dumps(slim, separators=(",", ":"))


class EventBus(Protocol):
    def publish(self, event: dict[str, Any]) -> None: ...

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        """Every event, in as few calls as the bus allows (a bulk write's object events)."""
        ...


class TaskQueue(Protocol):
    def send(self, task: dict[str, Any], delay_seconds: int = 0) -> None: ...


class EventBridgeBus:
    def __init__(self, client: Any, bus_name: str) -> None:
        self._client = client
        self._bus = bus_name

    def publish(self, event: dict[str, Any]) -> None:
        self.publish_many([event])

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        refused = []
        for start in range(0, len(events), PUT_EVENTS_BATCH):
            batch = events[start : start + PUT_EVENTS_BATCH]
            entries = [
                {
                    "Source": BUS_SOURCE,
                    "DetailType": str(event.get("type")),
                    "Detail": fitting(event),
                    "EventBusName": self._bus,
                }
                for event in batch
            ]
            response = self._client.put_events(Entries=entries)
            if response.get("FailedEntryCount"):
                for event, result in zip(batch, response.get("Entries") or [], strict=False):
                    if result.get("ErrorCode"):
                        refused.append(
                            f"{event.get('id')} ({result['ErrorCode']} {result.get('ErrorMessage')})"
                        )
        if refused:
            raise OpenConnectorError(f"EventBridge refused event(s): {', '.join(refused)}")


class SqsTaskQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self._client = client
        self._url = queue_url

    def send(self, task: dict[str, Any], delay_seconds: int = 0) -> None:
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(task, separators=(",", ":")),
            DelaySeconds=max(0, min(int(delay_seconds), MAX_SQS_DELAY)),
            MessageAttributes={TASK_ATTRIBUTE: {"DataType": "String", "StringValue": str(task.get("task"))}},
        )


class NoBus:
    """No bus configured (a container built by hand, without ``EVENT_BUS_NAME``): nothing is published."""

    def publish(self, event: dict[str, Any]) -> None:
        logger.debug("No event bus configured; event %s not published", event.get("id"))

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        logger.debug("No event bus configured; %d events not published", len(events))


class InlineBus:
    """Publishing dispatches at once, in the caller's thread (unit tests, the CLI)."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.handler: Callable[[dict[str, Any]], object] | None = None

    def publish(self, event: dict[str, Any]) -> None:
        self.published.append(event)
        if self.handler is not None:
            self.handler(event)

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        for event in events:
            self.publish(event)


class InlineQueue:
    """Tasks without delay run at once; delayed ones wait for :meth:`run_due` at a later clock
    (tests advance an injected clock instead of sleeping)."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.handler: Callable[[dict[str, Any]], object] | None = None
        self.waiting: list[tuple[datetime, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def send(self, task: dict[str, Any], delay_seconds: int = 0) -> None:
        if delay_seconds <= 0 and self.handler is not None:
            self.handler(json.loads(json.dumps(task)))
            return
        with self._lock:
            self.waiting.append((self.clock() + timedelta(seconds=delay_seconds), task))

    def run_due(self) -> int:
        now = self.clock()
        with self._lock:
            due = [task for moment, task in self.waiting if moment <= now]
            self.waiting = [(moment, task) for moment, task in self.waiting if moment > now]
        for task in due:
            if self.handler is not None:
                self.handler(json.loads(json.dumps(task)))
        return len(due)
