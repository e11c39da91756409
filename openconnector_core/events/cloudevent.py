"""The one wrapper around the ``cloudevents`` library (2.x ``cloudevents.core``; its API moved
between major versions, so nothing else imports it).

An event travels through the core as a plain dict: the CloudEvents attributes as strings (``time``
in ISO-8601) plus ``data`` — exactly the structured-mode JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from openconnector_core.errors import ValidationError
from openconnector_core.ids import new_id

STRUCTURED = "application/cloudevents+json"
REQUIRED = ("id", "source", "specversion", "type")
SPECVERSION = "1.0"


def _invalid(message: str, fields: list[str]) -> ValidationError:
    return ValidationError(f"Not a valid CloudEvent: {message}", fields=fields)


def _check_required(attributes: Mapping[str, Any]) -> None:
    missing = [name for name in REQUIRED if attributes.get(name) in (None, "")]
    if missing:
        raise _invalid(f"missing required attribute(s) {', '.join(missing)}", missing)


def _to_dict(event: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in event.get_attributes().items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        result[name] = value
    data = event.get_data()
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    if data is not None:
        result["data"] = data
    return result


def _build(attributes: dict[str, Any], data: Any) -> dict[str, Any]:
    from cloudevents.core.exceptions import BaseCloudEventException
    from cloudevents.core.v1.event import CloudEvent

    try:
        return _to_dict(CloudEvent(attributes=attributes, data=data))
    except BaseCloudEventException as error:
        errors = getattr(error, "errors", None) or {}
        fields = sorted(errors) if isinstance(errors, Mapping) else []
        raise _invalid(str(error), fields) from None


def from_json(document: Any) -> dict[str, Any]:
    """A structured-mode event (a decoded JSON object) → the validated event dict."""
    if not isinstance(document, Mapping):
        raise _invalid("a structured CloudEvent is a JSON object", [])
    _check_required(document)
    if str(document["specversion"]) != SPECVERSION:
        raise _invalid(
            f"specversion {document['specversion']!r} is not supported (only 1.0)", ["specversion"]
        )
    attributes = {key: value for key, value in document.items() if key not in ("data", "data_base64")}
    if isinstance(attributes.get("time"), str):
        try:
            attributes["time"] = datetime.fromisoformat(attributes["time"].replace("Z", "+00:00"))
        except ValueError:
            raise _invalid(f"time {attributes['time']!r} is not an RFC 3339 timestamp", ["time"]) from None
    return _build(attributes, document.get("data"))


def from_http(headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """An HTTP request in structured mode (``Content-Type: application/cloudevents+json``) or
    binary mode (``ce-*`` headers, the body is ``data``)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if any(name.startswith("ce-") for name in lowered):
        return _from_binary(lowered, body)
    try:
        document = json.loads(body or b"null")
    except ValueError as error:
        raise _invalid(f"the body is not JSON ({error})", []) from None
    return from_json(document)


def _from_binary(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    from urllib.parse import unquote

    attributes: dict[str, Any] = {
        name[3:]: unquote(value) for name, value in headers.items() if name.startswith("ce-")
    }
    if headers.get("content-type"):
        attributes["datacontenttype"] = headers["content-type"]
    data: Any = body.decode("utf-8", errors="replace") if body else None
    if data is not None and "json" in str(attributes.get("datacontenttype", "application/json")):
        try:
            data = json.loads(data)
        except ValueError:
            raise _invalid("the body is not the JSON its Content-Type announces", ["data"]) from None
    return from_json({**attributes, **({"data": data} if data is not None else {})})


def to_json(event: Mapping[str, Any]) -> bytes:
    """Structured mode, for push delivery (``Content-Type: application/cloudevents+json``)."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def new_event(
    *,
    source: str,
    type: str,
    data: Any = None,
    subject: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "id": new_id(),
        "source": source,
        "type": type,
        "specversion": SPECVERSION,
        "time": datetime.now(UTC).replace(microsecond=0),
        "datacontenttype": "application/json",
        **(extensions or {}),
    }
    if subject:
        attributes["subject"] = subject
    return _build(attributes, data)
