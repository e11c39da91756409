"""The actions a job can run (§7.3), by the original's class name or a short name.

An action takes the container and the job's ``arguments`` and returns an :class:`ActionResult`;
it never raises for a failure of the work itself (that is a log level), only for bugs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import ConflictError, NotFoundError, OpenConnectorError, RateLimitedError

if TYPE_CHECKING:
    from openconnector_core.container import Container

NAMESPACE = "OCA\\OpenConnector\\Action\\"


@dataclass
class ActionResult:
    level: str = "SUCCESS"
    message: str = "Success"
    stack_trace: list[str] = field(default_factory=list)
    next_run: datetime | None = None  # e.g. a rate-limit reset: the job is not run before it


Action = Callable[["Container", Mapping[str, Any]], ActionResult]


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "0", "false", "False", "")


def synchronization_action(container: Container, arguments: Mapping[str, Any]) -> ActionResult:
    """Starts a run of ``synchronizationId`` and does not wait for it: long runs go on in the
    sync workers, the job log names the run's log."""
    sync_id = arguments.get("synchronizationId")
    if not sync_id:
        return ActionResult("ERROR", "No synchronization ID provided")
    trace = [f"Starting synchronization {sync_id}"]
    try:
        from openconnector_core.sync.runs import start_run

        log = start_run(container, str(sync_id), force=_truthy(arguments.get("force")), wait=0.0)
    except RateLimitedError as error:
        retry_after = error.extra.get("retryAfter")
        wait = float(retry_after) if isinstance(retry_after, int | float | str) and str(retry_after) else 60.0
        reset = datetime.now(UTC) + timedelta(seconds=wait)
        return ActionResult("WARNING", f"Stopped synchronization: {error.message}", trace, reset)
    except ConflictError as error:
        return ActionResult("WARNING", f"Synchronization not started: {error.message}", trace)
    except ImportError:
        return ActionResult("ERROR", "Failed to synchronize: synchronizations are not available", trace)
    except OpenConnectorError as error:
        return ActionResult("ERROR", f"Failed to synchronize: {error.message}", trace)
    trace.append(f"Synchronization log {log.get('id')}: {log.get('status')}")
    if log.get("status") == "running":
        return ActionResult("INFO", f"Started synchronization run {log.get('id')}", trace)
    if log.get("status") == "failed":
        return ActionResult("ERROR", f"Failed to synchronize: {log.get('message')}", trace)
    objects = (log.get("result") or {}).get("objects") or {}
    touched = sum(int(objects.get(key) or 0) for key in ("created", "updated", "deleted"))
    return ActionResult("INFO", f"Synchronized {touched or objects.get('found', 0)} successfully", trace)


def ping_action(container: Container, arguments: Mapping[str, Any]) -> ActionResult:
    """One ``GET`` on the source's location (``sourceId``, default ``1`` as upstream)."""
    source_id = str(arguments.get("sourceId") or "1")
    try:
        log = container.call_engine.call(source_id, endpoint="", method="GET")
    except NotFoundError as error:
        return ActionResult("ERROR", f"Ping failed: {error.message}")
    status = int(log.get("statusCode") or 0)
    trace = [f"Created callLog with id: {log.get('id')}"]
    if 200 <= status < 400:
        return ActionResult("SUCCESS", "Success", trace)
    return ActionResult("WARNING", f"Ping of source {source_id} answered {status}", trace)


def event_action(container: Container, arguments: Mapping[str, Any]) -> ActionResult:
    """A no-op, as upstream (a job that only records that it ran)."""
    return ActionResult()


ACTIONS: dict[str, Action] = {
    "synchronization": synchronization_action,
    "ping": ping_action,
    "event": event_action,
}
CLASS_NAMES = {
    "SynchronizationAction": "synchronization",
    "PingAction": "ping",
    "EventAction": "event",
}


def action_for(job_class: str | None) -> Action:
    """By class name (``OCA\\OpenConnector\\Action\\PingAction``, with or without the namespace)
    or short name (``ping``). Unknown → ``NotFoundError`` listing the valid names."""
    name = (job_class or f"{NAMESPACE}PingAction").strip().lstrip("\\")
    short = CLASS_NAMES.get(name.removeprefix(NAMESPACE), name.lower())
    if short not in ACTIONS:
        valid = [*ACTIONS, *(NAMESPACE + cls for cls in CLASS_NAMES)]
        raise NotFoundError(f"Unknown jobClass {job_class!r}; valid: {', '.join(valid)}", field="jobClass")
    return ACTIONS[short]
