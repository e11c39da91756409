"""A synchronization run: plan (lease, log, first page message), page workers, finalization.

One entry point, :func:`start_run`, for the API, the CLI, jobs, endpoint rules and object events.
The planner takes the synchronization's lease, writes the SynchronizationLog and sends page 1; each
page message is handled by :func:`handle_page` (the SyncWorkerFunction in AWS and in the local
stack, this process when no queue is configured); the worker that brings ``pending`` to zero
finalizes: deletes (only after a complete, uncapped, successful, non-test fetch), follow-ups,
status, lease released (ADR 0200).
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from openconnector_core import deadline
from openconnector_core.entities.base import now_iso
from openconnector_core.errors import ConflictError, NotFoundError, OpenConnectorError, ValidationError
from openconnector_core.ids import new_id
from openconnector_core.sync import pages as page_work
from openconnector_core.sync.context import build_context, fingerprint_of, validate
from openconnector_core.sync.ports import COUNTERS, RunRecord
from openconnector_core.sync.runtime import SyncRuntime
from openconnector_core.sync.timing import timing_summary

if TYPE_CHECKING:
    from openconnector_core.container import Container

logger = logging.getLogger(__name__)

LEASE_SECONDS = 900.0  # a run without progress (a finished page) for this long is dead
FOREVER = 100 * 365 * 86400.0  # a retention of 0 keeps a log; its item still gets a TTL far away
MAX_WAIT = 25.0
DEFAULT_PAGE_SECONDS = 300.0  # a page's budget when the worker does not say (in-process runs)
STALE_MARGIN = 10.0


_runtimes: weakref.WeakKeyDictionary[Container, SyncRuntime] = weakref.WeakKeyDictionary()


def retention(container: Container, name: str) -> float:
    """Seconds a log is kept, from the global settings (§7.4: ``syncLogRetention``,
    ``successLogRetention``, ``syncContractLogRetention``; 0 = forever)."""
    milliseconds = container.global_settings.retention().get(name, 0)
    return milliseconds / 1000 if milliseconds > 0 else FOREVER


def runtime(container: Container) -> SyncRuntime:
    """The container's run state, contracts and queue (one per container, built on first use)."""
    existing = _runtimes.get(container)
    if existing is None:
        from openconnector_core.sync.runtime import build_runtime

        existing = _runtimes.setdefault(container, build_runtime(container))
        _wire_local_queue(container, existing)
    return existing


def _wire_local_queue(container: Container, services: SyncRuntime) -> None:
    from openconnector_core.sync.memory import LocalQueue

    if isinstance(services.queue, LocalQueue):
        services.queue.handler = lambda message: handle_page(container, message)
        services.queue.on_dead_letter = lambda message: fail_from_dead_letter(container, message)


def start_run(
    container: Container,
    synchronization: str,
    *,
    test: bool = False,
    force: bool = False,
    data: Mapping[str, Any] | None = None,
    object_id: str | None = None,
    wait: float = 0.0,
    source: str | None = None,
) -> dict[str, Any]:
    """Plan a run and return its SynchronizationLog (wire shape, ``status`` running/success/failed)
    once it ended or ``wait`` seconds passed. Unknown synchronization → 404; a bad reference in it →
    400 naming the field, before anything is fetched; a run of it still running → 409 naming its log.
    ``source``: a source location used instead of ``sourceId`` for this run (§5.4 stage 1: the
    source with that location, created when there is none)."""
    started = time.time()
    sync = container.entities.get("synchronizations", synchronization).item
    if data is not None and not isinstance(data, Mapping):
        raise ValidationError("'data' must be an object", fields=["data"])
    if source is not None:
        sync = {**sync, "sourceId": source_by_location(container, source)}
    plan = validate(container, sync, object_id, data)
    services = runtime(container)
    run_id = new_id()
    lease = services.state.acquire_lease(sync["id"], run_id, LEASE_SECONDS)
    if lease.holder is not None:
        holder = lease.holder
        raise ConflictError(
            f"Synchronization {sync['id']} is running (synchronization log {holder})",
            runningLog=holder,
            location=f"/api/synchronization-logs/{holder}",
        )
    if lease.taken_over is not None:  # it made no progress (or it ended)
        fail_run(
            container,
            lease.taken_over,
            f"No progress for {LEASE_SECONDS / 60:.0f} minutes: taken over by run {run_id}; "
            "nothing was deleted",
        )
    plan.update(
        synchronization=sync,
        data=dict(data) if data is not None else None,
        objectId=object_id,
        test=bool(test),
        force=bool(force),
        started=started,
        fingerprint=fingerprint_of(container, sync),
    )
    plan["validationMs"] = round((time.time() - started) * 1000, 2)
    keep = retention(container, "syncLogRetention")
    doc = {
        "id": run_id,
        "uuid": run_id,
        "synchronizationId": sync["id"],
        "status": "running",
        "message": "Running",
        "test": bool(test),
        "force": bool(force),
        "created": now_iso(),
        "expires": _iso(started + keep),
        "result": {
            "objects": dict.fromkeys(COUNTERS, 0),
            "contracts": [],
            "logs": [],
            "type": plan["direction"],
            "pages": {},
        },
    }
    try:
        services.state.create_run(doc, plan, started + keep)
        services.state.plan_pages(run_id, [1])
        services.queue.send([{"run": run_id, "page": 1, "request": plan.pop("firstRequest", None)}])
    except Exception:
        services.state.release_lease(sync["id"], run_id)
        raise
    return wait_for(container, run_id, min(max(wait, 0.0), MAX_WAIT))


def source_by_location(container: Container, location: Any) -> str:
    """The id of the source at ``location`` (an http(s) URL), created when no source has it. Its
    calls go through the call engine like any other source's (the outbound guard applies)."""
    text = location.strip() if isinstance(location, str) else ""
    if not text.lower().startswith(("http://", "https://")) or len(text) > 2048:
        raise ValidationError("'source' must be a source location (an http or https URL)", fields=["source"])
    found = container.entities.list("sources", {"location": text, "_limit": "1"}).items
    if found:
        return str(found[0]["id"])
    created = container.entities.create("sources", {"name": text, "location": text}).item
    return str(created["id"])


def wait_for(container: Container, run_id: str, wait: float) -> dict[str, Any]:
    """The run's log once it ended, or as it is after ``wait`` seconds."""
    state = runtime(container).state
    until = time.monotonic() + wait
    delay = 0.05
    while True:
        record = state.run(run_id)
        if record.status not in ("running", "finalizing") or time.monotonic() >= until:
            return _public(record)
        time.sleep(min(delay, max(0.0, until - time.monotonic())))
        delay = min(delay * 1.5, 0.5)


def get_log(container: Container, run_id: str) -> dict[str, Any]:
    """``GET /api/synchronization-logs/{id}``: live counters while running."""
    try:
        return _public(runtime(container).state.run(run_id))
    except NotFoundError:
        return container.logs.get("synchronization-logs", run_id)


def _public(record: RunRecord) -> dict[str, Any]:
    log = record.log()
    if log["status"] == "finalizing":
        log["status"] = "running"
    return log


def _iso(epoch: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------- the worker


class PageBusyError(OpenConnectorError):
    """Another worker holds this page; the message comes back after the visibility timeout."""

    status, code, title = 409, "page-busy", "Page busy"


def handle_page(container: Container, message: Mapping[str, Any], *, time_left: float | None = None) -> None:
    """One page message: claim, fetch, send the next page(s), process, complete; finalize when last.
    Idempotent: a redelivered page that was done is neither counted nor written twice.

    ``time_left``: seconds this worker may run (the Lambda's remaining time). A claim older than a
    worker's whole budget belongs to a dead worker and is taken over; source calls stop in time."""
    run_id, page = str(message["run"]), int(message["page"])
    services = runtime(container)
    cached = services.contexts.get(run_id)
    try:
        record = cached.record if cached is not None else services.state.run(run_id)
    except NotFoundError:
        logger.warning("Page %s of an unknown (or expired) run %s: dropped", page, run_id)
        return
    if record.status != "running":
        return  # the run ended (e.g. failed from the dead-letter queue): nothing to do
    token = new_id()
    budget = time_left if time_left is not None else DEFAULT_PAGE_SECONDS
    claim = services.state.claim_page(run_id, page, token, budget + STALE_MARGIN)
    if claim == "busy":
        raise PageBusyError(f"Page {page} of run {run_id} is being processed by another worker")
    if claim == "done":
        if services.state.run(run_id).pending == 0:
            finalize(container, run_id)
        return
    context = build_context(container, services, record)
    with deadline.within(time.monotonic() + max(1.0, budget - STALE_MARGIN)):
        fetched, following = page_work.work(container, context, record.plan, page, message.get("request"))
    if following:
        numbers = [number for number, _ in following]
        services.state.plan_pages(run_id, numbers)
        services.queue.send([{"run": run_id, "page": n, "request": request} for n, request in following])
    outcome = page_work.process(container, context, record.plan, page, fetched)
    remaining = services.state.complete_page(run_id, page, token, outcome)
    if remaining == 0:
        finalize(container, run_id)


def finalize(container: Container, run_id: str) -> None:
    services = runtime(container)
    if not services.state.begin_finalize(run_id):
        return
    record = services.state.run(run_id)
    plan, sync = record.plan, record.plan["synchronization"]
    try:
        doc = _final_doc(container, services, record)
    except Exception as error:  # the run must end; what failed goes into its log
        logger.exception("Finalizing run %s failed", run_id)
        doc = record.log()
        doc.update(status="failed", message=f"Finalizing failed: {error}")
    doc["executionTime"] = int((time.time() - float(plan["started"])) * 1000)
    keep = retention(container, "successLogRetention" if doc["status"] == "success" else "syncLogRetention")
    doc["expires"] = _iso(time.time() + keep)
    services.state.finish(run_id, doc, time.time() + keep)
    services.state.release_lease(sync["id"], run_id)
    services.contexts.pop(run_id, None)
    if doc["status"] == "success" and not plan.get("test"):
        try:
            container.entities.record_state("synchronizations", sync["id"], {"targetLastSynced": now_iso()})
        except OpenConnectorError:
            logger.info("Synchronization %s was deleted during its run", sync["id"])


def _final_doc(container: Container, services: SyncRuntime, record: RunRecord) -> dict[str, Any]:
    plan = record.plan
    pages = services.state.pages(record.doc["id"])
    failures = [f"Page {p.page}: {p.failure}" for p in pages if p.failure]
    capped = any(p.capped for p in pages)
    cleanup: dict[str, Any] = {"objects_deleted": 0}
    deleted, delete_errors = 0, list[str]()
    started = time.perf_counter()
    if failures:
        cleanup["skipped"] = "a page failed: nothing is deleted"
    elif capped:
        cleanup["skipped"] = "the run hit maxPages: nothing is deleted"
    elif plan.get("objectId") is None:
        context = build_context(container, services, record)
        done = page_work.delete_stage(container, context, plan, pages)
        deleted, delete_errors = done.deleted, done.errors
        cleanup.update(objects_deleted=deleted, sub_objects_deleted=done.sub_objects)
    cleanup["duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
    if deleted:
        services.state.add_counts(record.doc["id"], {"deleted": deleted})
    follow_ups = _follow_ups(container, plan) if not failures else {"follow_ups_executed": 0}
    record = services.state.run(record.doc["id"])
    doc = record.log()
    result = doc["result"]
    result["pages"].update(capped=capped, failures=failures)
    if delete_errors:
        result["deleteErrors"] = delete_errors[:50]
    result["timing"] = timing_summary(plan, pages, cleanup, follow_ups, record.counters)
    if failures:
        doc.update(status="failed", message="; ".join(failures[:5]))
    else:
        doc.update(status="success", message="Success")
        if capped:
            doc["message"] = f"Success (capped at maxPages {plan.get('maxPages')}; nothing deleted)"
    return doc


def _follow_ups(container: Container, plan: Mapping[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    executed, errors = 0, []
    for follow_up in plan["synchronization"].get("followUps") or []:
        try:
            start_run(container, str(follow_up), test=bool(plan.get("test")), force=bool(plan.get("force")))
            executed += 1
        except OpenConnectorError as error:
            errors.append(f"{follow_up}: {error.message}")
    summary: dict[str, Any] = {
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "follow_ups_executed": executed,
    }
    if errors:
        summary["errors"] = errors
    return summary


def fail_run(container: Container, run_id: str, message: str) -> None:
    """End a run ``failed`` (a poison page in the dead-letter queue); nothing is deleted."""
    services = runtime(container)
    try:
        if not services.state.begin_finalize(run_id):
            return
        record = services.state.run(run_id)
    except NotFoundError:
        return
    doc = record.log()
    doc.update(status="failed", message=message)
    doc["executionTime"] = int((time.time() - float(record.plan["started"])) * 1000)
    keep = retention(container, "syncLogRetention")
    doc["expires"] = _iso(time.time() + keep)
    services.state.finish(run_id, doc, time.time() + keep)
    services.state.release_lease(record.plan["synchronization"]["id"], run_id)


def fail_from_dead_letter(container: Container, message: Mapping[str, Any]) -> None:
    page = message.get("page")
    fail_run(
        container,
        str(message["run"]),
        f"Page {page} failed after its retries (moved to the dead-letter queue); nothing was deleted",
    )
