"""When a job is due and when it runs next (§7.2 step 6)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from openconnector_core.errors import ValidationError
from openconnector_core.jobs import schedule

NOW = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)


def test_a_new_job_without_next_run_is_due_now() -> None:
    assert schedule.is_due({"nextRun": None}, NOW)


def test_a_job_is_due_from_its_next_run_and_not_before_schedule_after() -> None:
    assert schedule.is_due({"nextRun": "2026-01-01T12:00:00+00:00"}, NOW)
    assert not schedule.is_due({"nextRun": "2026-01-01T12:01:00+00:00"}, NOW)
    assert not schedule.is_due({"scheduleAfter": "2026-01-02T00:00:00+00:00"}, NOW)


def test_next_run_is_now_plus_interval_to_the_minute() -> None:
    assert schedule.next_run({"interval": 3600}, NOW) == datetime(2026, 1, 1, 13, 0, tzinfo=UTC)


def test_a_later_rate_limit_reset_wins_rounded_up_to_the_next_minute() -> None:
    reset = datetime(2026, 1, 1, 14, 10, 5, tzinfo=UTC)
    assert schedule.next_run({"interval": 60}, NOW, reset) == datetime(2026, 1, 1, 14, 11, tzinfo=UTC)
    on_the_minute = datetime(2026, 1, 1, 14, 10, tzinfo=UTC)
    assert schedule.next_run({"interval": 60}, NOW, on_the_minute) == on_the_minute
    earlier = datetime(2026, 1, 1, 12, 0, 45, tzinfo=UTC)
    assert schedule.next_run({"interval": 600}, NOW, earlier) == datetime(2026, 1, 1, 12, 10, tzinfo=UTC)


def test_cron_replaces_the_interval() -> None:
    job = {"interval": 3600, "cron": "*/15 * * * *"}
    assert schedule.next_run(job, NOW) == datetime(2026, 1, 1, 12, 15, tzinfo=UTC)
    assert schedule.next_run({"cron": "0 3 * * 1"}, NOW) == datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("cron", ["bad", "* * *", "61 * * * *"])
def test_an_unreadable_cron_is_refused_naming_the_field(cron: str) -> None:
    with pytest.raises(ValidationError) as caught:
        schedule.validate_job({"cron": cron})
    assert caught.value.extra["fields"] == ["cron"]
