"""``date_modify`` and ``date`` as the original renders them: PHP's relative date formats
(``DateTime::modify``), the date's own UTC offset kept while modifying, DST changes, and the ``T`` letter.

Every expected value was observed on PHP 8.2.36 with Twig 3.5.1, 2026-12-01 (a default Twig Environment,
``date.timezone`` UTC; the template run as a one-rule mapping), not derived by reasoning. Each case runs
through both engines: the compiled :class:`MappingEngine` and the :class:`MappingInterpreter`.
"""

from __future__ import annotations

from typing import Any

import pytest

from openconnector_core.mapping import MappingEngine
from openconnector_core.mapping.interpreter import MappingInterpreter

ENGINES = [MappingEngine(), MappingInterpreter()]


def render(template: str, data: dict[str, Any]) -> list[Any]:
    """The rendered rule, once per engine."""
    return [engine.run({"name": "t", "mapping": {"r": template}}, data)["r"] for engine in ENGINES]


@pytest.mark.parametrize(
    ("base", "modifier", "expected"),
    [
        ("2024-01-31", "first monday of january 2025", "2025-01-06 00:00:00"),
        ("2024-01-31 15:00", "+1 day 10:00", "2024-02-01 10:00:00"),
        ("2024-01-31 15:00", "10:30", "2024-01-31 10:30:00"),
        ("2024-01-31 15:00", "2025-01-01", "2025-01-01 15:00:00"),
        ("2024-01-31 15:00", "third friday of this month", "2024-01-19 00:00:00"),
        ("2024-01-31 15:00", "+2 sat", "2024-02-10 15:00:00"),
        ("2024-01-31 15:00", "+1 mon", "2024-02-05 15:00:00"),
        ("2024-01-31 15:00", "-2 wed", "2024-01-17 15:00:00"),
        ("2024-01-31 15:00", "+2 mondays", "2024-02-12 15:00:00"),
        ("2024-01-31", "last day of +1 month", "2024-02-29 00:00:00"),
        ("2023-12-31", "first day of +2 months", "2024-02-01 00:00:00"),
        ("2024-01-31 15:00", "last day of +1 month +3 days", "2024-02-29 15:00:00"),
        ("2024-01-31 15:00", "last day of -1 month", "2023-12-31 15:00:00"),
        ("2024-01-31 15:00", "first day of next month midnight", "2024-02-01 00:00:00"),
        ("2024-01-31 15:00", "last friday of next month", "2024-02-23 00:00:00"),
        ("2024-01-31 15:00", "fourth thursday of november 2025", "2025-11-27 00:00:00"),
        ("2024-01-31 15:00", "second tuesday of next month", "2024-02-13 00:00:00"),
        ("2024-01-31 15:00", "next monday", "2024-02-05 00:00:00"),
        ("2024-01-31 15:00", "last friday", "2024-01-26 00:00:00"),
        ("2024-01-31 15:00", "this wednesday", "2024-01-31 00:00:00"),
        ("2024-01-31 15:00", "wednesday", "2024-01-31 00:00:00"),
        ("2024-01-31 15:00", "next week", "2024-02-05 15:00:00"),
        ("2024-01-28 15:00", "this week", "2024-01-22 15:00:00"),
        ("2024-01-31 15:00", "sunday this week", "2024-02-04 00:00:00"),
        ("2024-01-31 15:00", "monday next week", "2024-02-05 00:00:00"),
        ("2024-01-31 15:00", "noon tomorrow", "2024-02-01 00:00:00"),
        ("2024-01-31 15:00", "tomorrow noon", "2024-02-01 12:00:00"),
        ("2024-01-31 15:00", "yesterday midnight", "2024-01-30 00:00:00"),
        ("2024-01-31 15:00", "+2 days tomorrow", "2024-02-01 00:00:00"),
        ("2024-01-31 15:00", "10am", "2024-01-31 10:00:00"),
        ("2024-01-31 15:00", "10 pm", "2024-01-31 22:00:00"),
        ("2024-01-31 15:00", "12am", "2024-01-31 00:00:00"),
        ("2024-01-31 15:00", "3:15pm", "2024-01-31 15:15:00"),
        ("2024-01-31 15:00", "back of 7pm", "2024-01-31 19:15:00"),
        ("2024-01-31 15:00", "front of 7", "2024-01-31 06:45:00"),
        ("2024-01-31 15:00", "24:00", "2024-02-01 00:00:00"),
        ("2024-01-31 15:00", "31-12-2025", "2025-12-31 15:00:00"),
        ("2024-01-31 15:00", "12/25/2025", "2025-12-25 15:00:00"),
        ("2024-01-31 15:00", "january 5, 2025", "2025-01-05 15:00:00"),
        ("2024-01-31 15:00", "march 2026", "2026-03-01 15:00:00"),
        ("2024-01-31 15:00", "5 jan", "2024-01-05 15:00:00"),
        ("2024-01-31 15:00", "feb", "2024-03-02 15:00:00"),
        ("2024-01-31 15:00", "2025-01-01T10:00:00Z", "2025-01-01 10:00:00"),
        ("2024-01-06 15:00", "+1 weekday", "2024-01-08 15:00:00"),
        ("2024-01-07 15:00", "0 weekdays", "2024-01-08 15:00:00"),
        ("2024-01-06 15:00", "-5 weekdays", "2024-01-01 15:00:00"),
        ("2024-01-31 15:00", "next weekday", "2024-02-01 00:00:00"),
        ("2024-01-31 15:00", "weekday", "2024-02-05 00:00:00"),
        ("2024-01-31 15:00", "monday ago", "2024-01-22 00:00:00"),
        ("2024-01-31 15:00", "2 days ago 3 hours", "2024-01-29 18:00:00"),
        ("2024-01-31 15:00", "+1 day 2 hours ago", "2024-01-30 13:00:00"),
        ("2024-01-31 15:00", "first day", "2024-02-01 15:00:00"),
        ("2024-01-31 15:00", "@86400 +1 day", "1970-01-03 00:00:00"),
        ("2024-01-31 15:00", "+1 fortnight", "2024-02-14 15:00:00"),
    ],
)
def test_date_modify_reads_php_relative_formats(base: str, modifier: str, expected: str) -> None:
    # Given a date and a relative format / When the date is modified and shown in UTC
    rendered = render("{{ v|date_modify(m)|date('Y-m-d H:i:s') }}", {"v": base, "m": modifier})
    # Then both engines give what PHP gives
    assert rendered == [expected, expected]


@pytest.mark.parametrize(
    ("base", "modifier", "expected"),
    [
        ("2024-10-27 01:30:00 Europe/Amsterdam", "+1 hour", "2024-10-27 02:30:00 CEST"),
        ("2024-10-27 01:30:00 Europe/Amsterdam", "+2 hours", "2024-10-27 03:30:00 CET"),
        ("2024-10-27 02:30:00 Europe/Amsterdam", "+1 hour", "2024-10-27 03:30:00 CET"),
        ("2024-10-28 02:30 Europe/Amsterdam", "-1 day", "2024-10-27 02:30:00 CET"),
        ("2024-10-26 02:30 Europe/Amsterdam", "+1 day", "2024-10-27 02:30:00 CEST"),
        ("2024-03-30 02:30 Europe/Amsterdam", "+1 day", "2024-03-31 03:30:00 CEST"),
        ("2024-03-31 03:30 Europe/Amsterdam", "-1 hour", "2024-03-31 03:30:00 CEST"),
        ("2024-03-31 12:00 Europe/Amsterdam", "first day of this month", "2024-03-01 12:00:00 CET"),
        ("2024-03-01T10:00:00+02:00", "midnight", "2024-03-01 00:00:00 GMT+0200"),
        ("2024-03-01T10:00:00+02:00", "monday", "2024-03-04 00:00:00 GMT+0200"),
        ("2024-03-01T10:00:00+02:00", "last day of next month noon", "2024-04-30 12:00:00 GMT+0200"),
        ("2025-01-01T00:00:00-05:00", "yesterday", "2024-12-31 00:00:00 GMT-0500"),
        ("2024-01-31 15:00 CET", "tomorrow", "2024-02-01 00:00:00 CET"),
    ],
)
def test_date_modify_works_in_the_dates_own_zone(base: str, modifier: str, expected: str) -> None:
    # Given a date with a zone or UTC offset (DST changes in Europe/Amsterdam among them)
    # When it is modified and shown in its own zone (timezone false)
    rendered = render("{{ v|date_modify(m)|date('Y-m-d H:i:s T', false) }}", {"v": base, "m": modifier})
    # Then the wall time moves as in PHP: a skipped hour moves on, a repeated one keeps the date's DST
    assert rendered == [expected, expected]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "{{ '2024-03-01T10:00:00+02:00'|date_modify('midnight')|date('Y-m-d H:i P') }}",
            "2024-02-29 22:00 +00:00",
        ),
        (
            "{{ '2024-03-01T22:30:00-05:00'|date_modify('tomorrow')|date('Y-m-d H:i P') }}",
            "2024-03-02 05:00 +00:00",
        ),
        ("{{ '2024-01-31'|date('T', 'America/Sao_Paulo') }}", "-03"),
        ("{{ '2024-01-31'|date('T', 'Asia/Kathmandu') }}", "+0545"),
        ("{{ '2024-01-31'|date('T', 'Asia/Kolkata') }}", "IST"),
        ("{{ '2024-01-31'|date('T', 'Pacific/Chatham') }}", "+1345"),
        ("{{ '2024-07-01'|date('T', 'Europe/Amsterdam') }}", "CEST"),
        ("{{ '2024-01-31'|date('T', 'America/New_York') }}", "EST"),
        ("{{ '2024-01-31 15:00 +02:00'|date('T', false) }}", "GMT+0200"),
        ("{{ '2024-01-31 15:00 +05:30'|date('T', false) }}", "GMT+0530"),
        ("{{ '2024-01-31 15:00 CET'|date('T', false) }}", "CET"),
        ("{{ '2024-01-31'|date('T') }}", "UTC"),
    ],
)
def test_dates_like_php(template: str, expected: str) -> None:
    # Given a template modifying or formatting a date (keywords at the date's own offset; T's abbreviations)
    # When it is rendered / Then both engines give what PHP gives
    assert render(template, {}) == [expected, expected]
