"""EventBridge rules of the template (``EventBridgeRule``/``CloudWatchEvent`` events): every
successful ``PutEvents`` to the emulator is matched against their patterns (moto's matcher) and
delivered to the function asynchronously, as EventBridge does."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from openconnector_local.emulator import AwsCall
from openconnector_local.functions import EventRuleSource

log = logging.getLogger("openconnector.local.eventbridge")

Deliver = Callable[[EventRuleSource, dict[str, Any]], None]


def event_from_entry(entry: dict[str, Any], region: str, account_id: str) -> dict[str, Any]:
    detail = entry.get("Detail") or "{}"
    moment = entry.get("Time")
    if isinstance(moment, int | float):
        moment_text = datetime.fromtimestamp(moment, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        moment_text = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry.get("DetailType", ""),
        "source": entry.get("Source", ""),
        "account": account_id,
        "time": moment_text,
        "region": region,
        "resources": entry.get("Resources", []),
        "detail": json.loads(detail),
    }


def _input_for(rule: EventRuleSource, event: dict[str, Any]) -> Any:
    if rule.input is not None:
        return rule.input
    if rule.input_path:
        value: Any = event
        for part in rule.input_path.removeprefix("$").strip(".").split("."):
            if part:
                value = value.get(part) if isinstance(value, dict) else None
        return value
    return event


class EventBridgeRouter:
    def __init__(self, rules: list[EventRuleSource], deliver: Deliver, region: str, account_id: str) -> None:
        from moto.events.models import EventPattern

        self.rules = [(rule, EventPattern.load(json.dumps(rule.pattern))) for rule in rules]
        self.deliver = deliver
        self.region = region
        self.account_id = account_id
        self._inflight: list[threading.Thread] = []

    def observe(self, call: AwsCall) -> None:
        if call.operation != "PutEvents" or call.status >= 300 or not self.rules:
            return
        try:
            entries = json.loads(call.request.body).get("Entries", [])
        except ValueError:
            return
        for entry in entries:
            bus = str(entry.get("EventBusName") or "default").rsplit("/", 1)[-1]
            event = event_from_entry(entry, self.region, self.account_id)
            for rule, pattern in self.rules:
                if rule.bus_name == bus and pattern.matches_event(event):  # type: ignore[arg-type]
                    thread = threading.Thread(
                        target=self.deliver, args=(rule, _input_for(rule, event)), daemon=True
                    )
                    self._inflight = [item for item in self._inflight if item.is_alive()]
                    self._inflight.append(thread)
                    thread.start()

    def drain(self, timeout: float) -> None:
        for thread in self._inflight:
            thread.join(timeout)
