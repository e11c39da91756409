"""PHP's ``DateTime::diff`` (timelib's ``timelib_diff``, ext/date/lib/interval.c) and
``DateInterval::format``.

A date is read as timelib reads it: its wall fields, its instant (``sse``), its UTC offset and DST flag,
and its zone type: a tz database zone (``Europe/Amsterdam``, and ``UTC``: type 3, "ID"), an
abbreviation (``CEST``: type 2) or a bare offset (``+02:00``: type 1). Two dates in the same ID zone are
compared field by field on their wall times (with timelib's corrections around a DST change), any
others by their fields shifted by their offsets; the fields are then normalized against the month
lengths around the later (or, inverted, the earlier) date, so 2024-01-31 → 2024-03-01 is 30 days
(February's 29, then January's 31), not "1 month 1 day".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

_SECS_PER_DAY = 86400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NO_TRANSITION = -(2**63)
_SEARCH_DAYS = 800  # how far back a zone's last offset change is looked for


@dataclass
class Interval:
    """timelib's ``rel_time`` as ``diff`` fills it: the fields, the sign and the whole days."""

    y: int = 0
    m: int = 0
    d: int = 0
    h: int = 0
    i: int = 0
    s: int = 0
    us: int = 0
    invert: int = 0
    days: int = 0


@dataclass(frozen=True)
class _Time:
    """A date as timelib's ``timelib_time`` sees it."""

    moment: datetime
    sse: int  # seconds since the epoch (floor)
    z: int  # UTC offset, seconds east
    dst: int
    zone_id: str | None  # the zone's name when it is a tz database zone (or UTC)

    @property
    def fields(self) -> tuple[int, int, int, int, int, int, int]:
        m = self.moment
        return (m.year, m.month, m.day, m.hour, m.minute, m.second, m.microsecond)


def _time(moment: datetime) -> _Time:
    zone = moment.tzinfo
    offset = int((moment.utcoffset() or timedelta(0)).total_seconds())
    zone_id = zone.key if isinstance(zone, ZoneInfo) else "UTC" if zone is UTC else None
    sse = (moment - _EPOCH) // timedelta(seconds=1)
    return _Time(moment, sse, offset, 1 if moment.dst() else 0, zone_id)


def _cdiv(a: int, b: int) -> int:
    """C's ``/`` on integers (towards zero)."""
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def _cmod(a: int, b: int) -> int:
    """C's ``%`` on integers (the sign of ``a``)."""
    return a - b * _cdiv(a, b)


def _range_limit(start: int, end: int, adj: int, a: int, b: int) -> tuple[int, int]:
    """timelib's ``do_range_limit``: ``a`` into ``[start, end)``, carrying into ``b``."""
    if a < start:
        carry = (start - a - 1) // adj + 1
        b -= carry
        a += adj * carry
    if a >= end:
        b += a // adj
        a -= adj * (a // adj)
    return a, b


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _range_limit_days_relative(base: _Time, rt: Interval) -> None:
    """timelib's ``do_range_limit_days_relative``: borrow whole months for negative days, the months
    before the base date (or, inverted, from the base date's month on)."""
    year, month = base.moment.year, base.moment.month
    while rt.d < 0:
        if not rt.invert:
            month -= 1
            if month < 1:
                month, year = month + 12, year - 1
            rt.d += _days_in_month(year, month)
        else:
            rt.d += _days_in_month(year, month)
            month += 1
            if month > 12:
                month, year = month - 12, year + 1
        rt.m -= 1


def _rel_normalize(base: _Time, rt: Interval) -> None:
    """timelib's ``timelib_do_rel_normalize``."""
    rt.us, rt.s = _range_limit(0, 1_000_000, 1_000_000, rt.us, rt.s)
    rt.s, rt.i = _range_limit(0, 60, 60, rt.s, rt.i)
    rt.i, rt.h = _range_limit(0, 60, 60, rt.i, rt.h)
    rt.h, rt.d = _range_limit(0, 24, 24, rt.h, rt.d)
    rt.m, rt.y = _range_limit(0, 12, 12, rt.m, rt.y)
    _range_limit_days_relative(base, rt)
    rt.m, rt.y = _range_limit(0, 12, 12, rt.m, rt.y)


def _same_zone(one: _Time, two: _Time) -> bool:
    if one.zone_id is not None or two.zone_id is not None:
        return one.zone_id == two.zone_id
    return _is_abbreviation(one) == _is_abbreviation(two) and one.z == two.z


def _is_abbreviation(time: _Time) -> bool:
    name = time.moment.tzname() or ""
    return isinstance(time.moment.tzinfo, timezone) and not name.startswith(("UTC", "+", "-"))


def _diff_days(one: _Time, two: _Time) -> int:
    """timelib's ``timelib_diff_days``: whole calendar days between the wall dates (less one when the
    later time of day is earlier), or whole 24-hour spans for dates in different zones."""
    if not _same_zone(one, two):
        return abs(one.sse - two.sse) // _SECS_PER_DAY
    earliest, latest = (
        (one, two) if (one.sse, one.moment.microsecond) < (two.sse, two.moment.microsecond) else (two, one)
    )
    days = abs(one.moment.date().toordinal() - two.moment.date().toordinal())
    if latest.fields[3:] < earliest.fields[3:] and days > 0:
        days -= 1
    return days


def _sorted(one: _Time, two: _Time, rt: Interval) -> tuple[_Time, _Time]:
    """timelib's ``sort_old_to_new``: by wall fields within one ID zone, by instant otherwise."""
    if one.zone_id is not None and one.zone_id == two.zone_id:
        later = one.fields > two.fields
    else:
        later = (one.sse, one.moment.microsecond) > (two.sse, two.moment.microsecond)
    if later:
        rt.invert = 1
        return two, one
    return one, two


def _field_differences(one: _Time, two: _Time, rt: Interval) -> None:
    rt.y, rt.m, rt.d, rt.h, rt.i, rt.s, rt.us = (b - a for a, b in zip(one.fields, two.fields, strict=True))


def diff(first: datetime, second: datetime) -> Interval:
    """``$first->diff($second)`` (timelib's ``timelib_diff``)."""
    one, two = _time(first), _time(second)
    if one.zone_id is not None and one.zone_id == two.zone_id:
        return _diff_with_zone_id(one, two)
    rt = Interval()
    one, two = _sorted(one, two, rt)
    _field_differences(one, two, rt)
    rt.s += one.z - two.z  # the offsets (timelib: dst hours and z seconds of non-ID zones, summed here)
    rt.days = _diff_days(one, two)
    _rel_normalize(one if rt.invert else two, rt)
    return rt


def _diff_with_zone_id(one: _Time, two: _Time) -> Interval:
    """timelib's ``timelib_diff_with_tzid``: wall fields, with corrections around a DST change."""
    rt = Interval()
    one, two = _sorted(one, two, rt)
    dst_corr = two.z - one.z
    dst_h_corr, dst_m_corr = _cdiv(dst_corr, 3600), _cdiv(_cmod(dst_corr, 3600), 60)
    _field_differences(one, two, rt)
    rt.days = _diff_days(one, two)
    if two.sse < one.sse:  # fall back: sorted by wall time, but the later wall time came first
        flipped = abs(rt.i * 60 + rt.s - dst_corr)
        rt.h = flipped // 3600
        rt.i = (flipped - rt.h * 3600) // 60
        rt.s = flipped % 60
        rt.invert = 1 - rt.invert
    _rel_normalize(one if rt.invert else two, rt)
    elapsed = two.sse - one.sse + dst_corr
    if one.dst == 1 and two.dst == 0:  # fall back
        if elapsed < _SECS_PER_DAY:
            rt.h -= dst_h_corr
            rt.i -= dst_m_corr
    elif one.dst == 0 and two.dst == 1:  # spring forward
        transition = _transition(two.moment, two.sse)[1]
        if (
            not (one.sse + _SECS_PER_DAY > transition and one.sse + _SECS_PER_DAY <= transition + dst_corr)
            and two.sse >= transition
            and _cmod(elapsed, _SECS_PER_DAY) > two.sse - transition
        ):
            rt.h -= dst_h_corr
            rt.i -= dst_m_corr
    elif two.sse - one.sse >= _SECS_PER_DAY:
        offset, transition = _transition(two.moment, two.sse - two.z)
        correction = one.z - offset
        if transition - correction <= two.sse < transition:
            rt.d -= 1
            rt.h = 24
    return rt


def _offset_at(zone: Any, sse: int) -> int:
    return int((datetime.fromtimestamp(sse, zone).utcoffset() or timedelta(0)).total_seconds())


def _transition(moment: datetime, sse: int) -> tuple[int, int]:
    """The zone's offset at ``sse`` and when that offset began (timelib's
    ``timelib_get_time_zone_offset_info``); a very early time when it did not change lately."""
    zone = moment.tzinfo
    if not isinstance(zone, ZoneInfo):  # UTC or a fixed offset: it never changed
        return _offset_at(zone, sse), _NO_TRANSITION
    try:
        offset = _offset_at(zone, sse)
        earlier = sse
        for _ in range(_SEARCH_DAYS):
            earlier -= _SECS_PER_DAY
            if _offset_at(zone, earlier) != offset:
                break
        else:
            return offset, _NO_TRANSITION
    except (OverflowError, ValueError, OSError):
        return _offset_at(zone, sse), _NO_TRANSITION
    low, high = earlier, earlier + _SECS_PER_DAY  # the offset differs at low, matches at high
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(zone, middle) == offset:
            high = middle
        else:
            low = middle
    return offset, high


# --------------------------------------------------------------------------- DateInterval::format


def format_interval(interval: Interval, fmt: str) -> str:
    """``DateInterval::format($fmt)``: ``%y %Y %m %M %d %D %h %H %i %I %s %S %f %F %a %R %r %%``; another
    letter after ``%`` is kept with it, a ``%`` at the end is dropped."""
    out: list[str] = []
    pending = False
    for char in fmt:
        if pending:
            out.append(_interval_letter(interval, char))
            pending = False
        elif char == "%":
            pending = True
        else:
            out.append(char)
    return "".join(out)


def _interval_letter(interval: Interval, letter: str) -> str:
    padded = {"Y": interval.y, "M": interval.m, "D": interval.d, "H": interval.h, "I": interval.i}
    plain = {"y": interval.y, "m": interval.m, "d": interval.d, "h": interval.h, "i": interval.i}
    if letter in padded:
        return f"{padded[letter]:02d}"
    if letter in plain:
        return str(plain[letter])
    match letter:
        case "S":
            return f"{interval.s:02d}"
        case "s":
            return str(interval.s)
        case "F":
            return f"{interval.us:06d}"
        case "f":
            return str(interval.us)
        case "a":
            return str(interval.days)
        case "R":
            return "-" if interval.invert else "+"
        case "r":
            return "-" if interval.invert else ""
        case "%":
            return "%"
        case _:
            return "%" + letter
