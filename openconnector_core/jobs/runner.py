"""Running jobs (§7.2): the due ones every minute, or one by hand (``forceRun``).

A run first *claims* the job with one conditional write (``status: running``, ``lastRun: now`` at
the revision it read). Of two runners that read the same due job — two Lambdas, or the schedule and
a click — exactly one write succeeds; the other skips the job (or, forced, gets 409). A claim older
than :data:`CLAIM_TIMEOUT` is stale (the runner died) and may be taken over.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import ConflictError, NotFoundError, PreconditionFailedError
from openconnector_core.ids import new_id
from openconnector_core.jobs import schedule
from openconnector_core.jobs.actions import ActionResult, action_for
from openconnector_core.retention import floor_expiry
from openconnector_core.sources.call_logs import iso
from openconnector_core.store.query import every_item

if TYPE_CHECKING:
    from openconnector_core.container import Container

logger = logging.getLogger(__name__)

RUNNING = "running"
CLAIM_TIMEOUT = timedelta(minutes=15)  # the longest a Lambda can run
MAX_MESSAGE = 10_000
FORCE_NOTE = 'Doing a force run for this job, ignoring "enabled" & "nextRun" check...'
SUCCESS_LEVELS = frozenset({"SUCCESS", "INFO", "DEBUG"})


@dataclass
class DueRun:
    """What one tick of the runner did."""

    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)  # not started: the invocation was running out

    def to_dict(self) -> dict[str, list[str]]:
        return {"ran": self.ran, "skipped": self.skipped, "deferred": self.deferred}


def job_arguments(value: Any) -> dict[str, Any]:
    """The action's arguments: an object, or the JSON-encoded object the original stores; else {}."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def truncate(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    return f"{message[:MAX_MESSAGE]}... [Message truncated - original length: {len(message)} characters]"


def log_expiry(
    job: Mapping[str, Any], level: str, now: datetime, retention_ms: Mapping[str, int]
) -> datetime | None:
    """Successful runs keep the job's ``logRetention`` seconds, problems its ``errorRetention``, each
    at least the global ``successLogRetention`` / ``jobLogRetention`` (``/api/settings``, ms); 0 on
    either side keeps the log forever (the original's ``max`` rule).

    The original keyed success retention on the level ``SUCCESS`` only, so its successful
    synchronization runs (level ``INFO``) got the error retention (B24); here both are successes."""
    success = level in SUCCESS_LEVELS
    key, default = ("logRetention", 3600) if success else ("errorRetention", 86400)
    seconds = job.get(key)
    seconds = default if seconds is None else int(seconds)
    own = None if seconds <= 0 else now + timedelta(seconds=seconds)
    floor = retention_ms.get("successLogRetention" if success else "jobLogRetention", 0)
    return floor_expiry(own, now, floor)


class JobRunner:
    def __init__(self, container: Container, clock: Callable[[], datetime] | None = None) -> None:
        self.container = container
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- the schedule ---------------------------------------------------------------------------
    def due_jobs(self, now: datetime) -> list[dict[str, Any]]:
        jobs = every_item(self.container.entity_store, "jobs")
        return [job for job in jobs if job.get("isEnabled") is not False and schedule.is_due(job, now)]

    def run_due(self, remaining_seconds: Callable[[], float] | None = None, reserve: float = 10.0) -> DueRun:
        """Every due job, one after the other; stops starting jobs when the invocation has less than
        ``reserve`` seconds left (the rest stay due for the next tick)."""
        outcome = DueRun()
        for job in self.due_jobs(self.clock()):
            if remaining_seconds is not None and remaining_seconds() < reserve:
                outcome.deferred.append(job["id"])
                continue
            log = self.run(job["id"])
            (outcome.ran if log is not None else outcome.skipped).append(job["id"])
        return outcome

    # -- one job --------------------------------------------------------------------------------
    def run(self, key: str, *, force: bool = False) -> dict[str, Any] | None:
        """Run one job (§7.2). Returns its job log, or ``None`` when it is not due (or another
        runner has it). Forced while running → ``ConflictError``."""
        now = self.clock()
        for _attempt in range(3):
            stored = self.container.entities.get("jobs", key)
            job = stored.item
            if not force and job.get("isEnabled") is False:
                return self._write_log(job, ActionResult("WARNING", "This job is disabled"), now, 0)
            if not force and not schedule.is_due(job, now):
                return None
            if self._running(job, now):
                if force:
                    raise ConflictError(
                        f"Job {job.get('name') or job['id']} is running since {job.get('lastRun')}",
                        jobId=job["id"],
                    )
                return None
            try:
                claimed = self.container.entities.record_state(
                    "jobs", job["id"], {"status": RUNNING, "lastRun": iso(now)}, if_match=stored.etag
                )
            except PreconditionFailedError:
                if not force:
                    return None  # someone else wrote the job first: they run it, or it changed
                continue
            return self._execute(claimed, job.get("status"), now, force)
        raise ConflictError(f"Job {key} is being changed concurrently; try again")

    @staticmethod
    def _running(job: Mapping[str, Any], now: datetime) -> bool:
        if job.get("status") != RUNNING:
            return False
        since = schedule.parse_time(job.get("lastRun"))
        return since is not None and now - since < CLAIM_TIMEOUT

    def _execute(
        self, job: dict[str, Any], previous_status: Any, now: datetime, force: bool
    ) -> dict[str, Any]:
        # The job item holds its arguments' secrets masked; the action gets them in clear.
        arguments = job_arguments(self.container.entities.reveal("jobs", job["id"]).get("arguments"))
        started = time.perf_counter()
        try:
            result = action_for(job.get("jobClass"))(self.container, arguments)
        except NotFoundError as error:
            result = ActionResult("ERROR", error.message)
        except Exception as error:  # a bug in an action still ends the claim and leaves a log
            logger.exception("Job %s failed", job["id"])
            result = ActionResult(
                "ERROR", f"Failed to execute job: {error}", traceback.format_exc().splitlines()
            )
        elapsed_ms = int((time.perf_counter() - started) * 1000)
        if force:
            result.stack_trace.insert(0, FORCE_NOTE)
        state: dict[str, Any] = {
            "status": None if previous_status == RUNNING else previous_status,
            "lastRun": iso(now),
        }
        if not force:
            state["nextRun"] = iso(schedule.next_run(job, now, result.next_run))
            if job.get("singleRun"):
                state["isEnabled"] = False
        try:
            job = self.container.entities.record_state("jobs", job["id"], state)
        except NotFoundError:  # deleted while it ran: the log still tells what happened
            logger.info("Job %s was deleted while it ran", job["id"])
        return self._write_log(job, result, now, elapsed_ms, state.get("nextRun", job.get("nextRun")))

    def _write_log(
        self,
        job: Mapping[str, Any],
        result: ActionResult,
        now: datetime,
        elapsed_ms: int,
        next_run: Any = None,
    ) -> dict[str, Any]:
        log_id = new_id()
        expires = log_expiry(job, result.level, now, self.container.global_settings.retention())
        log = {
            "id": log_id,
            "uuid": log_id,
            "level": result.level,
            "message": truncate(result.message),
            "jobId": job.get("id"),
            "jobListId": job.get("jobListId"),
            "jobClass": job.get("jobClass"),
            "arguments": job.get("arguments"),
            "executionTime": elapsed_ms,
            "userId": job.get("userId"),
            "stackTrace": result.stack_trace,
            "lastRun": job.get("lastRun"),
            "nextRun": next_run if next_run is not None else job.get("nextRun"),
            "created": iso(now),
            "expires": iso(expires) if expires else None,
        }
        log["size"] = max(len(str(log)), 4096)
        self.container.logs.put("job-logs", log, subject=str(job.get("id")), expires=expires)
        return log
