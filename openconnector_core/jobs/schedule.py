"""When a job is due and when it runs next: ``interval`` seconds, or a ``cron`` expression (UTC).

``nextRun`` null counts as due now (the original never ran a new job: B23). A next run is kept to the
minute (seconds dropped); a later ``nextRun`` asked for by the action (a rate-limit reset) wins and is
rounded *up* to the next whole minute when it has seconds (§7.2 step 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from openconnector_core.errors import ValidationError

MIN_INTERVAL = 60  # the runner ticks every minute; a shorter interval would silently mean a minute


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def validate_job(job: Mapping[str, Any]) -> None:
    """On save: a readable ``cron`` expression and a usable ``interval``."""
    cron = job.get("cron")
    if cron:
        next_cron(str(cron), datetime.now(UTC))
    interval = job.get("interval")
    if not cron and interval is not None and interval < 1:
        raise ValidationError(
            f"interval must be a positive number of seconds, got {interval}", fields=["interval"]
        )


def next_cron(expression: str, after: datetime) -> datetime:
    from cronsim import CronSim, CronSimError

    try:
        return next(CronSim(expression, after.astimezone(UTC)))
    except (CronSimError, StopIteration) as error:
        raise ValidationError(
            f"cron {expression!r} is not a 5-field cron expression (minute hour day month weekday): {error}",
            fields=["cron"],
        ) from None


def is_due(job: Mapping[str, Any], now: datetime) -> bool:
    after = parse_time(job.get("scheduleAfter"))
    if after is not None and after > now:
        return False
    next_run = parse_time(job.get("nextRun"))
    return next_run is None or next_run <= now


def to_minute(moment: datetime, *, up: bool = False) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole + timedelta(minutes=1) if up and whole != moment else whole


def next_run(job: Mapping[str, Any], now: datetime, requested: datetime | None = None) -> datetime:
    """The run after one that started at ``now``; ``requested`` is the action's wish (rate limit)."""
    cron = job.get("cron")
    if cron:
        planned = next_cron(str(cron), now)
    else:
        interval = max(int(job.get("interval") or 3600), MIN_INTERVAL)
        planned = now + timedelta(seconds=interval)
    planned = to_minute(planned)
    if requested is not None and requested > planned:
        return to_minute(requested, up=True)
    return planned
