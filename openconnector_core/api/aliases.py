"""The original's management routes, so a client of the PHP app moves over by changing its base URL.

Each alias is one :func:`alias` registration: the original's method and path, and the handler that
answers — an existing route's handler when the shapes agree (``POST /api/sources/test/{id}``), or a
small function here that answers in the original's shape where it differs (page/pages/total lists,
``{daily, hourly}`` statistics, retentions in milliseconds). The OpenAPI document lists every alias
under the tag ``original routes``. Aliases whose feature arrives with another issue are registered
there, one line each, e.g. ``alias("POST", "/api/jobs/run/<key>", "...")(jobs.run_job)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from openconnector_core.api import actions, configurations, events, jobs
from openconnector_core.api.deps import container
from openconnector_core.api.http import json_body, json_response, query_params
from openconnector_core.errors import ValidationError
from openconnector_core.store.ports import Page

router = APIGatewayHttpRouter()  # type: ignore[no-untyped-call]  # Powertools leaves __init__ unannotated

DEFAULT_PAGE_SIZE = 20  # the original's `_limit` default for its log lists
SCAN_LIMIT = 10_000
"""At most this many logs are read to count ``total`` and to sort; beyond it ``total`` is a floor
(``totalIsExact: false``). DynamoDB has no cheap count; the original's SQL did."""
STATS_SCAN_LIMIT = 100_000
FETCH = 500
SORTABLE = {"created": "created", "status_code": "statusCode"}
SLOW_JOB_MS = 5000  # the original's slow_executions threshold


@dataclass(frozen=True)
class Alias:
    method: str
    path: str
    summary: str

    @property
    def openapi_path(self) -> str:
        return self.path.replace("<", "{").replace(">", "}")


ALIASES: list[Alias] = []


def alias(method: str, path: str, summary: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``handler`` to answer the original's ``method path`` (``<key>`` marks a path id)."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        router.route(path, method=[method])(handler)
        ALIASES.append(Alias(method, path, summary))
        return handler

    return register


# ---------------------------------------------------------------- the original's page shape


def _int_param(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number", fields=[name]) from None
    if value < minimum:
        raise ValidationError(f"{name} must be at least {minimum}", fields=[name])
    return value


def _sort(params: Mapping[str, str]) -> tuple[str, bool] | None:
    """``_sort[created]=ASC`` → ``("created", False)`` (newest first is ``True``)."""
    for name, value in params.items():
        if name.startswith("_sort[") and name.endswith("]"):
            field = name[len("_sort[") : -1]
            if field not in SORTABLE:
                raise ValidationError(
                    f"Cannot sort on {field!r} (one of: {', '.join(SORTABLE)})", fields=[name]
                )
            direction = value.upper() or "DESC"
            if direction not in ("ASC", "DESC"):
                raise ValidationError(f"{name} must be ASC or DESC", fields=[name])
            return SORTABLE[field], direction == "DESC"
    return None


def _next(cursor: str | None) -> dict[str, str]:
    """The ``_next`` query parameter of a list call (none for the first page)."""
    return {"_next": cursor} if cursor else {}


def _equal_to(params: Mapping[str, str], handled: Collection[str]) -> Callable[[dict[str, Any]], bool] | None:
    """The original's field filters: every other parameter (not ``_``-prefixed) must equal the item's
    field; ``None`` when there are none."""
    equal = {
        name: value for name, value in params.items() if name not in handled and not name.startswith("_")
    }
    if not equal:
        return None
    return lambda item: all(str(item.get(name)) == value for name, value in equal.items())


def walk(fetch: Callable[[str | None], Page], cap: int) -> tuple[list[dict[str, Any]], bool]:
    """Every item of a cursor-paged query, up to ``cap``; ``True`` when all were read."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        items.extend(page.items)
        if page.next is None:
            return items, True
        if len(items) >= cap:
            return items[:cap], False
        cursor = page.next


def original_page(
    fetch: Callable[[str | None], Page],
    params: Mapping[str, str],
    where: Callable[[dict[str, Any]], bool] | None = None,
) -> dict[str, Any]:
    """``{results, page, pages, results_count, total}`` from ``_limit`` (20) and ``_page`` (1), as the
    original's log lists answer; ``_sort[field]=ASC|DESC`` on ``created`` or ``status_code``."""
    limit = _int_param(params, "_limit", DEFAULT_PAGE_SIZE, 1)
    page = _int_param(params, "_page", 1, 1)
    items, exact = walk(fetch, SCAN_LIMIT)
    if where is not None:
        items = [item for item in items if where(item)]
    order = _sort(params)
    if order is not None:
        field, descending = order
        items.sort(key=lambda item: (item.get(field) is None, item.get(field) or 0), reverse=descending)
    results = items[(page - 1) * limit : page * limit]
    body: dict[str, Any] = {
        "results": results,
        "page": page,
        "pages": max(1, math.ceil(len(items) / limit)),
        "results_count": len(results),
        "total": len(items),
    }
    if not exact:
        body["totalIsExact"] = False
    return body


# ---------------------------------------------------------------- sources


alias(
    "POST",
    "/api/sources/test/<key>",
    "One call through the source (the original's path of /sources/{key}/test)",
)(actions.test_source)

_CALL_LOG_PARAMS = {"source_id": "sourceId", "status_code": "statusCode", "slow_requests": "slow"}
_CALL_LOG_QUERY = {"sourceId", "statusCode", "date_from", "date_to", "slow"}


@alias("GET", "/api/sources/logs", "Call logs in the original's page shape (_limit, _page, filters)")
def source_logs() -> Response[Any]:
    params = {_CALL_LOG_PARAMS.get(name, name): value for name, value in query_params(router).items()}
    query = {name: value for name, value in params.items() if name in _CALL_LOG_QUERY}
    logs = container().call_logs

    def fetch(cursor: str | None) -> Page:
        return logs.list({**query, "_limit": str(FETCH), **_next(cursor)})

    return json_response(200, original_page(fetch, params, _equal_to(params, _CALL_LOG_QUERY)))


# ---------------------------------------------------------------- synchronizations

_SYNC_LOG_PARAMS = {"synchronization_id": "synchronizationId"}


@alias(
    "GET",
    "/api/synchronizations/logs",
    "Synchronization logs, newest first, in the original's page shape (_limit, _page, date_from, "
    "date_to, synchronization_id, status and other filters)",
)
def synchronization_logs() -> Response[Any]:
    params = {_SYNC_LOG_PARAMS.get(name, name): value for name, value in query_params(router).items()}
    since, until = _date_range(params)
    subject = params.get("synchronizationId") or None
    logs = container().logs

    def fetch(cursor: str | None) -> Page:
        return logs.query(
            "synchronization-logs", subject=subject, since=since, until=until, limit=FETCH, cursor=cursor
        )

    where = _equal_to(params, ("date_from", "date_to", "synchronizationId"))
    return json_response(200, original_page(fetch, params, where))


@alias("GET", "/api/synchronizations/contracts/<key>", "All contracts of a synchronization (a JSON list)")
def synchronization_contracts(key: str) -> Response[Any]:
    from urllib.parse import unquote

    services = container()
    synchronization = services.entities.get("synchronizations", unquote(key)).item
    filters = {"synchronizationId": str(synchronization["id"]), "_limit": str(FETCH)}

    def fetch(cursor: str | None) -> Page:
        return services.entities.list("synchronization-contracts", {**filters, **_next(cursor)})

    contracts, _ = walk(fetch, SCAN_LIMIT)
    return json_response(200, contracts)


# ---------------------------------------------------------------- dashboard


def _moment(value: str, name: str, *, end_of_day: bool) -> datetime:
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1, microseconds=-1) if end_of_day else moment
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise ValidationError(
            f"{name} must be a date (YYYY-MM-DD) or an ISO-8601 time", fields=[name]
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date_range(params: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    """``date_from``/``date_to`` of a log list (either may be absent)."""
    since = _moment(params["date_from"], "date_from", end_of_day=False) if params.get("date_from") else None
    until = _moment(params["date_to"], "date_to", end_of_day=True) if params.get("date_to") else None
    return since, until


def _days(start: datetime, end: datetime) -> Iterator[str]:
    day = start.date()
    while day <= end.date():
        yield day.isoformat()
        day += timedelta(days=1)


def _window(params: Mapping[str, str]) -> tuple[datetime, datetime]:
    """``from``/``to`` of a statistics call (the last 7 days by default)."""
    now = datetime.now(UTC)
    start = (
        _moment(params["from"], "from", end_of_day=False) if params.get("from") else now - timedelta(days=7)
    )
    end = _moment(params["to"], "to", end_of_day=True) if params.get("to") else now
    if end < start:
        raise ValidationError("'to' is before 'from'", fields=["from", "to"])
    return start, end


def _stats(
    fetch: Callable[[str | None], Page], start: datetime, end: datetime, success: Callable[[Any], bool]
) -> Response[Any]:
    """``{daily, hourly}`` counts of ``{success, error}``, as the original's dashboard statistics."""
    items, exact = walk(fetch, STATS_SCAN_LIMIT)
    daily = {day: {"success": 0, "error": 0} for day in _days(start, end)}
    hourly: dict[str, dict[str, int]] = {}
    for item in items:
        created = datetime.fromisoformat(str(item["created"])).astimezone(UTC)
        outcome = "success" if success(item) else "error"
        daily.setdefault(created.date().isoformat(), {"success": 0, "error": 0})[outcome] += 1
        hourly.setdefault(str(created.hour), {"success": 0, "error": 0})[outcome] += 1
    body: dict[str, Any] = {"daily": daily, "hourly": dict(sorted(hourly.items(), key=lambda kv: int(kv[0])))}
    if not exact:
        body["countIsExact"] = False
    return json_response(200, body)


def _log_stats(stream: str, success: Callable[[Any], bool]) -> Response[Any]:
    """:func:`_stats` of one stream of the log store over the ``from``/``to`` window."""
    start, end = _window(query_params(router))
    logs = container().logs

    def fetch(cursor: str | None) -> Page:
        return logs.query(stream, since=start, until=end, limit=FETCH, cursor=cursor)

    return _stats(fetch, start, end, success)


@alias("GET", "/api/dashboard/callstats", "Calls per day and per hour of day, {success, error} (from, to)")
def call_stats() -> Response[Any]:
    start, end = _window(query_params(router))
    logs = container().call_logs
    window = {"date_from": start.isoformat(), "date_to": end.isoformat(), "_limit": str(FETCH)}

    def fetch(cursor: str | None) -> Page:
        return logs.list({**window, **_next(cursor)})

    return _stats(fetch, start, end, lambda item: 200 <= int(item.get("statusCode") or 0) < 300)


@alias("GET", "/api/dashboard/jobstats", "Job runs per day and per hour of day, {success, error} (from, to)")
def job_stats() -> Response[Any]:
    from openconnector_core.jobs.runner import SUCCESS_LEVELS

    return _log_stats("job-logs", lambda item: item.get("level") in SUCCESS_LEVELS)


@alias(
    "GET",
    "/api/dashboard/syncstats",
    "Synchronized objects (contract logs) per day and per hour of day, {success, error} (from, to)",
)
def sync_stats() -> Response[Any]:
    return _log_stats("synchronization-contract-logs", lambda item: item.get("targetResult") != "invalid")


# ---------------------------------------------------------------- jobs, events, configurations

alias("POST", "/api/jobs/run/<key>", "Run a job now (forceRun in the body); null when not due")(jobs.run)


@alias("POST", "/api/jobs/test/<key>", "Run a job now, ignoring isEnabled and nextRun (forceRun)")
def test_job(key: str) -> Response[Any]:
    return jobs.run_job(key, force=True)


_JOB_LOG_PARAMS = {"job_id": "jobId", "job_class": "jobClass", "status": "level"}


@alias(
    "GET",
    "/api/jobs/logs",
    "Job logs in the original's page shape (_limit, _page, date_from, date_to, filters)",
)
def job_logs() -> Response[Any]:
    params = {_JOB_LOG_PARAMS.get(name, name): value for name, value in query_params(router).items()}
    since, until = _date_range(params)
    equal = _equal_to(params, ("date_from", "date_to", "slow_executions"))
    slow = params.get("slow_executions", "").lower() in ("1", "true", "yes")
    logs = container().logs

    def fetch(cursor: str | None) -> Page:
        return logs.query("job-logs", since=since, until=until, limit=FETCH, cursor=cursor)

    def where(item: dict[str, Any]) -> bool:
        if slow and int(item.get("executionTime") or 0) <= SLOW_JOB_MS:
            return False
        return equal is None or equal(item)

    return json_response(200, original_page(fetch, params, where if equal or slow else None))


alias("POST", "/api/import", "Import one JSON-LD object ({json: …}) or a bundle")(
    configurations.import_original
)
alias("GET", "/api/events/subscriptions/<key>/pull", "Pull a subscription's messages (cursor, limit)")(
    events.pull
)


# ---------------------------------------------------------------- settings


@alias("GET", "/api/settings", "Global settings: log retentions in milliseconds (0 = keep forever)")
def settings_document() -> Response[Any]:
    return json_response(200, container().global_settings.document())


@alias("PUT", "/api/settings", "Change log retentions ({retention: {name: ms}}; only the names given)")
def update_settings() -> Response[Any]:
    return json_response(200, container().global_settings.update(json_body(router)))
