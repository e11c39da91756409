"""CloudEvents in and out (§8): publish, dispatch to subscriptions, deliver (push with retries, or
pull), and the object events of the store (§8.2) that also trigger synchronizations (§5.10).

Publishing puts the event on the bus; the EventFunction dispatches it: one message per matching
subscription, kept as an ``event-messages`` log for ``eventMessageRetention`` (``/api/settings``).
A push message is a task on the EventQueue; each failed attempt sends the task again with an
exponential delay (10 s, 20 s, 40 s, 80 s) and the fifth failure leaves the message ``failed``
(visible, never dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import NotFoundError
from openconnector_core.events import cloudevent
from openconnector_core.events.matching import matches
from openconnector_core.events.transport import EventBus, InlineBus, InlineQueue, TaskQueue
from openconnector_core.ids import new_id
from openconnector_core.sources.call_logs import iso
from openconnector_core.store.query import encode_cursor, every_item

if TYPE_CHECKING:
    from openconnector_core.container import Container

logger = logging.getLogger(__name__)

MESSAGE_KIND = "event-messages"
MAX_ATTEMPTS = 5
FIRST_BACKOFF = 10  # seconds; doubled after each failed attempt
PUSH_TIMEOUT = 30.0


def backoff(attempt: int) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    return int(FIRST_BACKOFF * 2 ** (attempt - 1))


class EventService:
    def __init__(
        self,
        container: Container,
        bus: EventBus,
        queue: TaskQueue,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.container = container
        self.bus = bus
        self.queue = queue
        self.clock = clock or (lambda: datetime.now(UTC))
        if isinstance(bus, InlineBus):
            bus.handler = self.dispatch
        if isinstance(queue, InlineQueue):
            queue.handler = self.handle_task

    # -- in -------------------------------------------------------------------------------------
    def accept(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """``POST /api/events/incoming``: validate (400 naming what is missing), then publish."""
        event = cloudevent.from_http(headers, body)
        self.bus.publish(event)
        return event

    def publish(self, event: dict[str, Any]) -> None:
        self.bus.publish(event)

    def publish_many(self, events: Sequence[dict[str, Any]]) -> None:
        self.bus.publish_many(events)

    def dispatch(self, event: dict[str, Any]) -> list[dict[str, Any]]:
        """One message per matching subscription; push messages are queued for delivery. Object
        events then start the synchronizations they trigger (§5.10)."""
        messages = []
        for subscription in every_item(self.container.entity_store, "event-subscriptions"):
            if not matches(subscription, event):
                continue
            message = self._new_message(subscription, event)
            self._save(message)
            messages.append(message)
            if (subscription.get("style") or "push") == "push":
                self.queue.send({"task": "deliver", "message": message})
        from openconnector_core.events.triggers import run_triggered_synchronizations

        run_triggered_synchronizations(self.container, event)
        return messages

    def handle_task(self, task: Mapping[str, Any]) -> None:
        if task.get("task") == "deliver" and isinstance(task.get("message"), dict):
            self.deliver(task["message"])
        else:
            logger.warning("Ignoring an unknown event task: %s", task.get("task"))

    # -- out: push ------------------------------------------------------------------------------
    def deliver(self, message: dict[str, Any]) -> dict[str, Any]:
        """One push attempt. The message travels in the task, so an attempt is a write of its new
        state, not a read-modify-write of a shared record."""
        now = self.clock()
        attempt = int(message.get("retryCount") or 0) + 1
        try:
            subscription = self.container.entities.get(
                "event-subscriptions", str(message["subscriptionId"])
            ).item
        except NotFoundError:
            return self._finish(message, now, "failed", {"error": "The subscription no longer exists"})
        sink = subscription.get("sink")
        if not sink:
            return self._finish(message, now, "failed", {"error": "The subscription has no sink"})
        headers = {"Content-Type": cloudevent.STRUCTURED}
        extra = (subscription.get("protocolSettings") or {}).get("headers") or {}
        headers.update({str(name): str(value) for name, value in extra.items()})
        target = {"name": f"event-subscription {subscription['id']}", "location": sink, "isEnabled": True}
        options = {
            "headers": headers,
            "body": cloudevent.to_json(message["payload"]).decode(),
            "timeout": PUSH_TIMEOUT,
        }
        call = self.container.call_engine.call(target, endpoint="", method="POST", config=options)
        status = int(call.get("statusCode") or 0)
        response = call.get("response") or {}
        if 200 <= status < 300:
            return self._finish(
                message, now, "delivered", {"statusCode": status, "body": response.get("body")}
            )
        outcome = {"statusCode": status, "error": call.get("statusMessage"), "body": response.get("body")}
        if attempt >= MAX_ATTEMPTS:
            return self._finish(message, now, "failed", outcome)
        delay = backoff(attempt)
        message = {
            **message,
            "retryCount": attempt,
            "lastAttempt": iso(now),
            "nextAttempt": iso(now + timedelta(seconds=delay)),
            "lastResponse": outcome,
            "updated": iso(now),
        }
        self._save(message)
        self.queue.send({"task": "deliver", "message": message}, delay_seconds=delay)
        return message

    def _finish(
        self, message: dict[str, Any], now: datetime, status: str, response: dict[str, Any]
    ) -> dict[str, Any]:
        attempts = int(message.get("retryCount") or 0) + (1 if status == "failed" else 0)
        message = {
            **message,
            "status": status,
            "retryCount": attempts,
            "lastAttempt": iso(now),
            "nextAttempt": None,
            "lastResponse": response,
            "updated": iso(now),
        }
        self._save(message)
        if status == "failed":
            logger.warning("Event message %s failed after %d attempt(s)", message["id"], attempts)
        return message

    # -- out: pull and inspection ---------------------------------------------------------------
    def pull(self, subscription_key: str, cursor: str | None, limit: int = 100) -> dict[str, Any]:
        """Pending messages of a pull subscription after ``cursor`` (a message id), oldest first."""
        subscription = self.container.entities.get("event-subscriptions", subscription_key).item
        page = self.container.logs.query(
            MESSAGE_KIND,
            subject=subscription["id"],
            where=lambda item: item.get("status") == "pending",
            limit=limit,
            cursor=encode_cursor(cursor) if cursor else None,
            newest_first=False,
        )
        last = page.items[-1]["id"] if page.items else None
        return {"messages": page.items, "cursor": last}

    def messages(
        self, subscription_key: str, *, status: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> Any:
        subscription = self.container.entities.get("event-subscriptions", subscription_key).item
        return self.container.logs.query(
            MESSAGE_KIND,
            subject=subscription["id"],
            where=(lambda item: item.get("status") == status) if status else None,
            limit=limit,
            cursor=cursor,
        )

    # -- helpers --------------------------------------------------------------------------------
    def _new_message(self, subscription: Mapping[str, Any], event: dict[str, Any]) -> dict[str, Any]:
        now = iso(self.clock())
        message_id = new_id()
        return {
            "id": message_id,
            "uuid": message_id,
            "eventId": event.get("id"),
            "consumerId": None,
            "subscriptionId": subscription["id"],
            "status": "pending",
            "payload": event,
            "lastResponse": None,
            "retryCount": 0,
            "lastAttempt": None,
            "nextAttempt": None,
            "created": now,
            "updated": now,
        }

    def _save(self, message: dict[str, Any]) -> None:
        """Kept ``eventMessageRetention`` (``/api/settings``, 7 days by default; 0 = forever)."""
        created = datetime.fromisoformat(str(message["created"]))
        retention = self.container.global_settings.retention()["eventMessageRetention"]
        expires = created + timedelta(milliseconds=retention) if retention > 0 else None
        self.container.logs.put(
            MESSAGE_KIND,
            {**message, "expires": iso(expires) if expires else None},
            subject=str(message["subscriptionId"]),
            expires=expires,
        )
