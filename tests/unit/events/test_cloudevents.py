"""CloudEvents in: structured and binary mode, and what makes an event invalid."""

from __future__ import annotations

import json

import pytest

from openconnector_core.errors import ValidationError
from openconnector_core.events import cloudevent
from openconnector_core.events.matching import matches

STRUCTURED = {"content-type": "application/cloudevents+json"}
EVENT = {"specversion": "1.0", "id": "e1", "source": "/zaken", "type": "nl.zaak.created", "data": {"n": 1}}


def test_structured_mode() -> None:
    event = cloudevent.from_http(STRUCTURED, json.dumps({**EVENT, "subject": "42", "tenant": "t1"}).encode())
    assert event["id"] == "e1" and event["data"] == {"n": 1}
    assert event["subject"] == "42" and event["tenant"] == "t1"  # extensions travel


def test_binary_mode() -> None:
    headers = {
        "Content-Type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "e2",
        "ce-source": "/zaken%20x",
        "ce-type": "nl.zaak.updated",
        "ce-time": "2026-01-01T00:00:00Z",
    }
    event = cloudevent.from_http(headers, b'{"n": 2}')
    assert event["source"] == "/zaken x" and event["data"] == {"n": 2}
    assert event["time"] == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize("missing", ["id", "source", "type", "specversion"])
def test_a_missing_required_attribute_is_named(missing: str) -> None:
    body = {key: value for key, value in EVENT.items() if key != missing}
    with pytest.raises(ValidationError) as caught:
        cloudevent.from_http(STRUCTURED, json.dumps(body).encode())
    assert caught.value.extra["fields"] == [missing]
    assert missing in caught.value.message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", None),
        (json.dumps([1]).encode(), None),
        (json.dumps({**EVENT, "specversion": "0.1"}).encode(), "specversion"),
        (json.dumps({**EVENT, "time": "yesterday"}).encode(), "time"),
    ],
)
def test_other_invalid_events(body: bytes, field: str | None) -> None:
    with pytest.raises(ValidationError) as caught:
        cloudevent.from_http(STRUCTURED, body)
    if field:
        assert caught.value.extra["fields"] == [field]


def test_to_json_round_trips() -> None:
    event = cloudevent.new_event(source="/objects/zaak", type="t", subject="1", data={"a": [1]})
    assert cloudevent.from_json(json.loads(cloudevent.to_json(event))) == event


@pytest.mark.parametrize(
    ("subscription", "expected"),
    [
        ({}, True),  # empty types: every event (the original matched none, B25)
        ({"types": ["nl.zaak.created"]}, True),
        ({"types": ["other"]}, False),
        ({"source": "/zaken"}, True),
        ({"source": "/zaken/1"}, False),
        ({"status": "inactive"}, False),
        ({"filters": [{"exact": {"subject": "42"}}]}, True),
        ({"filters": [{"exact": {"subject": "43"}}]}, False),
        ({"filters": [{"prefix": {"type": "nl.zaak."}}]}, True),
        ({"filters": [{"suffix": {"type": ".deleted"}}]}, False),
        ({"filters": [{"all": [{"prefix": {"type": "nl."}}, {"exact": {"uuid": "e1"}}]}]}, True),
        ({"filters": [{"any": [{"exact": {"subject": "x"}}, {"suffix": {"source": "ken"}}]}]}, True),
        ({"filters": [{"any": [{"exact": {"subject": "x"}}, {"exact": {"subject": "y"}}]}]}, False),
        ({"filters": [{"not": {"exact": {"subject": "42"}}}]}, False),
        ({"filters": [{"exact": {"nope": "1"}}]}, False),
        ({"filters": [{"expression": "data['n'] == 1"}]}, True),  # unknown dialect: ignored, as upstream
        ({"filters": [{"prefix": {"type": "nl."}}, {"exact": {"subject": "41"}}]}, False),  # AND
    ],
)
def test_subscription_matching(subscription: dict[str, object], expected: bool) -> None:
    event = {**EVENT, "subject": "42"}
    assert matches(subscription, event) is expected
