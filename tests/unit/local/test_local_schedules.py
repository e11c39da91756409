"""Schedule expressions and the virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from openconnector_local.schedules import (
    Cron,
    Rate,
    ScheduleError,
    VirtualClock,
    parse_expression,
    scheduled_event,
)

START = datetime(2025, 1, 31, 10, 7, 30, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200), ("rate(1 day)", 86400)],
)
def test_rates(expression: str, seconds: int) -> None:
    rate = parse_expression(expression)
    assert rate == Rate(seconds)
    # A rate fires ``seconds`` after the schedule started, then every ``seconds`` after that
    first = rate.next_after(START, START)
    assert first == START + timedelta(seconds=seconds)
    assert rate.next_after(first, START) == first + timedelta(seconds=seconds)


def test_cron_every_five_minutes() -> None:
    cron = parse_expression("cron(0/5 * * * ? *)")
    assert isinstance(cron, Cron)
    assert cron.next_after(START, START) == datetime(2025, 1, 31, 10, 10, tzinfo=UTC)


def test_cron_weekdays_at_eight() -> None:
    cron = parse_expression("cron(0 8 ? * MON-FRI *)")
    assert cron.next_after(START, START) == datetime(2025, 2, 3, 8, 0, tzinfo=UTC)  # the next Monday


def test_cron_last_day_of_month_and_lists() -> None:
    assert parse_expression("cron(15 0,12 L * ? *)").next_after(START, START) == datetime(
        2025, 1, 31, 12, 15, tzinfo=UTC
    )
    assert parse_expression("cron(0 0 1 JAN,JUL ? 2026)").next_after(START, START) == datetime(
        2026, 1, 1, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "expression",
    [
        "rate(0 minutes)",
        "cron(* * * * *)",
        "cron(0 8 1 * MON *)",
        "cron(0 8 ? * 2#1 *)",
        "every minute",
        "cron(61 * * * ? *)",
    ],
)
def test_bad_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_expression(expression)


def test_virtual_clock_runs_faster() -> None:
    now = [1000.0]
    clock = VirtualClock(speed=60, real_now=lambda: now[0])
    start = clock.now()
    now[0] += 1
    assert (clock.now() - start).total_seconds() == pytest.approx(60)
    assert clock.real_seconds_until(clock.now().replace(microsecond=0)) == 0


def test_scheduled_event_shape() -> None:
    event = scheduled_event(
        "arn:aws:events:eu-west-1:123456789012:rule/r", "eu-west-1", "123456789012", START
    )
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    assert event["time"] == "2025-01-31T10:07:30Z"
    assert event["resources"] == ["arn:aws:events:eu-west-1:123456789012:rule/r"]
    assert event["detail"] == {}
