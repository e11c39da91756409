"""EventBridge schedule expressions (``rate(...)``, ``cron(...)``, ``at(...)``) and the thread that fires
them: moto stores rules but never fires them.

``speed`` compresses time for demos and tests: with 60, a minute of schedule time passes per second.
"""

from __future__ import annotations

import calendar
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

log = logging.getLogger("openconnector.local.schedules")

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)", re.IGNORECASE)
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name.upper(): number for number, name in enumerate(calendar.month_abbr) if name}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


class ScheduleError(ValueError):
    """An expression the local scheduler cannot read."""


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, moment: datetime, start: datetime) -> datetime:
        elapsed = (moment - start).total_seconds()
        periods = int(elapsed // self.seconds) + 1
        return start + timedelta(seconds=periods * self.seconds)


@dataclass(frozen=True)
class At:
    moment: datetime

    def next_after(self, moment: datetime, start: datetime) -> datetime | None:
        return self.moment if self.moment > moment else None


@dataclass(frozen=True)
class Cron:
    """AWS cron: minutes hours day-of-month month day-of-week year (``?`` = any; ``L`` = last day of
    the month in day-of-month). ``W`` and ``#`` are not supported."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    last_day_of_month: bool
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    """1 = Sunday … 7 = Saturday, as AWS counts."""
    years: frozenset[int] | None

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        if self.last_day_of_month:
            return day.day == calendar.monthrange(day.year, day.month)[1]
        if self.days_of_month is not None and day.day not in self.days_of_month:
            return False
        aws_weekday = (day.weekday() + 1) % 7 + 1  # Monday=0 → 2, Sunday=6 → 1
        return self.days_of_week is None or aws_weekday in self.days_of_week

    def next_after(self, moment: datetime, start: datetime) -> datetime | None:
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = candidate.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        fire = day.replace(hour=hour, minute=minute)
                        if fire >= candidate:
                            return fire
            day += timedelta(days=1)
        return None


Expression = Rate | Cron | At


def parse_expression(expression: str) -> Expression:
    text = expression.strip()
    rate = _RATE.fullmatch(text)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2).lower().rstrip("s")
        if value <= 0:
            raise ScheduleError(f"{expression}: the rate must be positive")
        return Rate(value * _UNIT_SECONDS[unit])
    if text.startswith("at(") and text.endswith(")"):
        return At(datetime.fromisoformat(text[3:-1]).replace(tzinfo=UTC))
    if text.startswith("cron(") and text.endswith(")"):
        return _parse_cron(expression, text[5:-1].split())
    raise ScheduleError(f"{expression}: expected rate(...), cron(...) or at(...)")


def _parse_cron(expression: str, fields: list[str]) -> Cron:
    if len(fields) != 6:
        raise ScheduleError(
            f"{expression}: AWS cron has six fields (minutes hours day-of-month month day-of-week year)"
        )
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if day_of_month != "?" and day_of_week != "?":
        raise ScheduleError(f"{expression}: one of day-of-month and day-of-week must be '?'")
    last_day = day_of_month.upper() == "L"
    return Cron(
        minutes=_field(expression, minutes, 0, 59),
        hours=_field(expression, hours, 0, 23),
        days_of_month=None
        if day_of_month in ("?", "*") or last_day
        else _field(expression, day_of_month, 1, 31),
        last_day_of_month=last_day,
        months=_field(expression, month, 1, 12, _MONTHS),
        days_of_week=None if day_of_week in ("?", "*") else _field(expression, day_of_week, 1, 7, _DAYS),
        years=None if year in ("*", "?") else _field(expression, year, 1970, 2199),
    )


def _field(
    expression: str, text: str, low: int, high: int, names: dict[str, int] | None = None
) -> frozenset[int]:
    def number(token: str) -> int:
        token = token.upper()
        if names and token in names:
            return names[token]
        if not token.isdigit():
            raise ScheduleError(f"{expression}: cannot read '{token}' (W, L and # are not supported here)")
        value = int(token)
        if not low <= value <= high:
            raise ScheduleError(f"{expression}: {value} is outside {low}-{high}")
        return value

    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step <= 0:
            raise ScheduleError(f"{expression}: a step must be positive")
        if base in ("*", "?"):
            first, last = low, high
        elif "-" in base:
            first_text, last_text = base.split("-", 1)
            first, last = number(first_text), number(last_text)
        else:
            first = number(base)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return frozenset(values)


def scheduled_event(rule_arn: str, region: str, account_id: str, fired_at: datetime) -> dict[str, Any]:
    """The event EventBridge sends to a target of a scheduled rule."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account_id,
        "time": fired_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


class VirtualClock:
    """Real time, optionally running ``speed`` times faster from the moment the stack started."""

    def __init__(self, speed: float = 1.0, real_now: Callable[[], float] = time.time) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._real_now = real_now
        self._origin = real_now()

    def now(self) -> datetime:
        real = self._real_now()
        return datetime.fromtimestamp(self._origin + (real - self._origin) * self.speed, tz=UTC)

    def real_seconds_until(self, moment: datetime) -> float:
        return max(0.0, (moment - self.now()).total_seconds() / self.speed)


@dataclass
class _Entry:
    name: str
    expression: Expression
    fire: Callable[[datetime], None]
    next_fire: datetime | None


class Scheduler:
    """One thread that fires due schedules; each firing runs on its own thread (an async invoke)."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._entries: list[_Entry] = []
        self._start = clock.now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="schedules", daemon=True)
        self._inflight: list[threading.Thread] = []

    def add(self, name: str, expression: str, fire: Callable[[datetime], None]) -> None:
        parsed = parse_expression(expression)
        next_fire = parsed.next_after(self._start, self._start)
        self._entries.append(_Entry(name, parsed, fire, next_fire))

    def start(self) -> None:
        if self._entries:
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            due = [entry for entry in self._entries if entry.next_fire is not None]
            if not due:
                return
            entry = min(due, key=lambda item: item.next_fire or self._start)
            assert entry.next_fire is not None
            if self._stop.wait(min(self.clock.real_seconds_until(entry.next_fire), 1.0)):
                return
            if self.clock.now() < entry.next_fire:
                continue
            fired_at = entry.next_fire
            entry.next_fire = entry.expression.next_after(max(fired_at, self.clock.now()), self._start)
            log.info("schedule %s fired (%s)", entry.name, fired_at.isoformat())
            thread = threading.Thread(target=entry.fire, args=(fired_at,), name=f"schedule-{entry.name}")
            self._inflight = [item for item in self._inflight if item.is_alive()]
            self._inflight.append(thread)
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        deadline = time.monotonic() + timeout
        for thread in self._inflight:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
