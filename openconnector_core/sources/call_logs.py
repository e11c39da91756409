"""Call logs: one per call, written to the LogStore (kind ``call-logs``, subject = source id), and
the query behind ``GET /api/call-logs``.

Expiry: ``logRetention`` seconds for a status below 400, ``errorRetention`` for 400 and up (0 = never).
The stored copy holds redacted request headers, the URL without secrets and, for errors or when
``logBody`` is set, a capped body preview; the full body lives only in the returned in-memory log.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from openconnector_core.errors import ValidationError
from openconnector_core.ids import new_id
from openconnector_core.store.ports import LogStore, Page

KIND = "call-logs"
PREVIEW_BYTES = 2048
DEFAULT_LOG_RETENTION = 3600
DEFAULT_ERROR_RETENTION = 86400
MIN_LOG_SIZE = 4096
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
DEFAULT_SLOW_MS = 5000.0


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def preview(text: str | None, limit: int = PREVIEW_BYTES) -> str | None:
    if text is None:
        return None
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", errors="ignore") + "…"


def expiry(source: Mapping[str, Any], status: int, now: datetime) -> datetime | None:
    field, default = (
        ("errorRetention", DEFAULT_ERROR_RETENTION)
        if status >= 400
        else ("logRetention", DEFAULT_LOG_RETENTION)
    )
    value = source.get(field)
    try:
        seconds = int(value) if value is not None else default
    except (TypeError, ValueError):
        seconds = default
    return None if seconds <= 0 else now + timedelta(seconds=seconds)


def new_call_log(
    source: Mapping[str, Any],
    status: int,
    message: str,
    *,
    now: datetime,
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A call log in the §1.16 shape of the ``CallLog`` model (in memory: the response keeps its
    full body). ``extra``: ``attempts``, ``retryAfter``, ``error``."""
    from openconnector_core.entities.records import CallLog

    log_id = new_id()
    expires = expiry(source, status, now)
    envelope = CallLog.model_validate(
        {
            "id": log_id,
            "uuid": log_id,
            "statusCode": status,
            "statusMessage": message,
            "sourceId": _source_id(source),
            "expires": iso(expires) if expires else None,
            "created": iso(now),
            **extra,
        }
    )
    # The request and response are checked by their builders; dumping a large body again is waste.
    call_log = envelope.model_dump(
        by_alias=True, mode="json", exclude={"request", "response", "updated", "size"}, exclude_none=False
    )
    call_log["request"], call_log["response"] = request, response
    return call_log


def _source_id(source: Mapping[str, Any]) -> str | None:
    value = source.get("id") or source.get("uuid")
    return str(value) if value is not None else None


def stored_copy(call_log: Mapping[str, Any], *, log_body: bool) -> dict[str, Any]:
    """What is persisted: body only for errors or ``logBody``, capped; never the decoded data."""
    item = dict(call_log)
    response = item.get("response")
    if isinstance(response, Mapping):
        response = {k: v for k, v in response.items() if k != "data"}
        status = int(item.get("statusCode") or 0)
        if 400 <= status < 600 or log_body:
            body = response.get("body")
            response["body"] = preview(body) if isinstance(body, str) else body
            response["bodyTruncated"] = isinstance(body, str) and response["body"] != body
        else:
            response.pop("body", None)
        item["response"] = response
    item["size"] = max(MIN_LOG_SIZE, len(json.dumps(item, default=str)))
    return item


class CallLogWriter:
    """Persists call logs with their expiry. Storage failures never fail the call."""

    def __init__(
        self,
        logs: LogStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        retention: Callable[[], Mapping[str, int]] | None = None,
    ) -> None:
        self._logs = logs
        self._clock = clock
        self._retention = retention  # the global settings in ms (openconnector_core.retention)

    def write(self, call_log: dict[str, Any], *, log_body: bool) -> dict[str, Any]:
        if self._retention is not None and call_log.get("expires") and call_log.get("created"):
            from openconnector_core.retention import floor_expiry

            key = "callLogRetention" if int(call_log.get("statusCode") or 0) >= 400 else "successLogRetention"
            longest = floor_expiry(
                datetime.fromisoformat(call_log["expires"]),
                datetime.fromisoformat(call_log["created"]),
                self._retention()[key],
            )
            call_log["expires"] = iso(longest) if longest else None
        item = stored_copy(call_log, log_body=log_body)
        call_log["size"] = item["size"]
        expires = datetime.fromisoformat(item["expires"]) if item.get("expires") else None
        self._logs.put(KIND, item, subject=item.get("sourceId"), expires=expires)
        return item


def _parse_date(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError as error:
        raise ValidationError(f"{name} must be an ISO-8601 date", fields=[name]) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_range(value: str, name: str) -> tuple[int, int]:
    parts = [p.strip() for p in value.split(",")]
    try:
        if len(parts) == 1:
            return int(parts[0]), int(parts[0])
        low = int(parts[0]) if parts[0] else 0
        high = int(parts[1]) if parts[1] else 999
    except ValueError as error:
        raise ValidationError(f"{name} must be 'min,max' or one status code", fields=[name]) from error
    return low, high


class CallLogQuery:
    """``GET /api/call-logs``: ``sourceId``, ``statusCode=min,max`` (or ``status_code``),
    ``date_from``/``date_to`` (ISO), ``slow=<ms>`` / ``slow_requests`` (default 5000 ms),
    ``_limit`` (default 50, at most 500), ``_next``."""

    def __init__(self, logs: LogStore) -> None:
        self._logs = logs

    def list(self, params: Mapping[str, str]) -> Page:
        status_range: tuple[int, int] | None = None
        status_value = params.get("statusCode") or params.get("status_code")
        if status_value:
            status_range = _parse_range(status_value, "statusCode")
        since = _parse_date(params["date_from"], "date_from") if params.get("date_from") else None
        until = _parse_date(params["date_to"], "date_to") if params.get("date_to") else None
        slow: float | None = None
        slow_value = params.get("slow") or params.get("slow_requests")
        if slow_value:
            if slow_value.lower() in {"true", "1", "yes"}:
                slow = DEFAULT_SLOW_MS
            else:
                try:
                    slow = float(slow_value)
                except ValueError as error:
                    raise ValidationError("slow must be a number of milliseconds", fields=["slow"]) from error
        try:
            limit = int(params.get("_limit") or DEFAULT_LIMIT)
        except ValueError as error:
            raise ValidationError("_limit must be a number", fields=["_limit"]) from error
        limit = max(1, min(limit, MAX_LIMIT))

        def where(item: dict[str, Any]) -> bool:
            if status_range is not None:
                status = int(item.get("statusCode") or 0)
                if not status_range[0] <= status <= status_range[1]:
                    return False
            if since or until:
                created = _parse_date(str(item.get("created")), "created") if item.get("created") else None
                if created is None or (since and created < since) or (until and created > until):
                    return False
            if slow is not None:
                response = item.get("response") or {}
                if float(response.get("responseTime") or 0) < slow:
                    return False
            return True

        has_filter = status_range is not None or since or until or slow is not None
        return self._logs.query(
            KIND,
            subject=params.get("sourceId") or params.get("source_id") or None,
            since=since,
            until=until,
            where=where if has_filter else None,
            limit=limit,
            cursor=params.get("_next") or None,
        )
