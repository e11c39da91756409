"""PHP's ``DateTime::modify``: timelib's scanner for the relative (and absolute) date formats and its
``timelib_update_ts`` applying them (https://www.php.net/manual/en/datetime.formats.php).

The text is read into fields it sets (year, month, day, time of day) and a relative part (amounts per
unit, a weekday to move to, "first/last day of", "Nth weekday of", a count of weekdays); these are
applied to the date's own wall time in its own zone, in timelib's order:

1. fields the text names replace the date's (a time of day also resets the smaller units);
2. "Nth/last weekday of" and "first/last day of" go to the 1st of the (relative) month;
3. the weekday, then the relative amounts (months overflow: Jan 31 + 1 month = Mar 2), then
   "first/last day of" again, each step normalizing the fields (day 0 is the last of the month before);
4. a count of weekdays.

The wall time is then placed in the date's zone: a time a DST change skips moves on by the change, a
repeated one keeps the date's own DST state (PHP does the same).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]  # timelib: 0 = Sunday
_WEEKDAY_NUMBER = {name: index for index, name in enumerate(_DAYS)} | {
    name[:3]: index for index, name in enumerate(_DAYS)
}
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]  # fmt: skip
MONTH_NUMBERS = {name: index + 1 for index, name in enumerate(_MONTHS)}
MONTH_NUMBERS |= {name[:3]: number for name, number in MONTH_NUMBERS.items()} | {"sept": 9}
_RELATIVE_TEXT = {"last": -1, "previous": -1, "this": 0, "next": 1}
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth"]  # fmt: skip
_RELATIVE_TEXT |= {name: index + 1 for index, name in enumerate(_ORDINALS)} | {"eight": 8}

_DAY_NAME = r"(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tue|wed|thu|fri|sat)"
_MONTH_NAME = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_FIELDS = ("y", "m", "d", "h", "i", "s", "us")
_REL_TEXT = r"(?:" + "|".join(sorted(_RELATIVE_TEXT, key=len, reverse=True)) + r")"
_UNIT = (
    r"(?:(?:msec|millisecond|µsec|microsecond|usec|second|sec|minute|min|hour|day|fortnight|forthnight"
    r"|month|year)s?|ms|µs|weeks|weekdays?|" + _DAY_NAME + r"s?)"
)
_MERIDIAN = r"(?P<ampm>[ap])\.?m\.?(?=\s|$)"
_DAY = r"(?P<d>[0-2]?\d|3[01])(?:st|nd|rd|th)?"
# Units as (field, multiplier); "weekday(s)" counts working days.
_UNITS: dict[str, tuple[str, int]] = {
    "ms": ("us", 1000), "msec": ("us", 1000), "millisecond": ("us", 1000), "µs": ("us", 1),
    "µsec": ("us", 1), "usec": ("us", 1), "microsecond": ("us", 1), "sec": ("s", 1), "second": ("s", 1),
    "min": ("i", 1), "minute": ("i", 1), "hour": ("h", 1), "day": ("d", 1), "week": ("d", 7),
    "fortnight": ("d", 14), "forthnight": ("d", 14), "month": ("m", 1), "year": ("y", 1),
    "weekday": ("special", 1),
}  # fmt: skip


@dataclass
class _Relative:
    """timelib's ``relative``: amounts per field and the special moves."""

    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FIELDS, 0))
    have_weekday: bool = False
    weekday: int = 0  # timelib: 0 = Sunday
    # 0: the next such day after today ("next monday"); 1: today if it is one ("monday", "+1 mon");
    # 2: that day of the (moved) ISO week ("monday next week", "this week").
    weekday_behavior: int = 0
    special: tuple[str, int] | None = None  # ("weekdays", count) | ("nth", 0) | ("last", 0)
    first_last: str | None = None  # "first" | "last" day of the month


@dataclass
class _Parsed:
    """What the text sets (``None``: left as the date has it) and moves."""

    fields: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(_FIELDS))
    have_time: bool = False
    have_date: bool = False
    have_zone: bool = False
    timestamp: bool = False
    relative: _Relative = field(default_factory=_Relative)

    def set_time(self, hour: int, minute: int = 0, second: int = 0, micro: int | None = 0) -> None:
        if self.have_time:
            raise ValueError("Double time specification")
        self.have_time = True
        self.fields.update(h=hour, i=minute, s=second, us=micro)

    def unset_time(self) -> None:
        self.have_time = False
        self.fields.update(h=0, i=0, s=0, us=0)

    def set_date(self, year: int | None, month: int | None, day: int | None) -> None:
        if self.have_date:
            raise ValueError("Double date specification")
        self.have_date = True
        for name, value in (("y", year), ("m", month), ("d", day)):
            if value is not None:
                self.fields[name] = value

    def add_relative(self, amount: int, unit: str, behavior: int, keep_time: bool) -> None:
        """timelib's ``timelib_set_relative``: ``amount`` of ``unit`` (a weekday name: the
        ``amount``-th such weekday)."""
        kind, multiplier = _unit(unit)
        relative = self.relative
        if kind == "weekday":
            if not keep_time:
                self.unset_time()
            relative.amounts["d"] += (amount - 1 if amount > 0 else amount) * 7
            relative.have_weekday = True
            relative.weekday, relative.weekday_behavior = multiplier, behavior
        elif kind == "special":
            if not keep_time:
                self.unset_time()
            relative.special = ("weekdays", amount)
        else:
            relative.amounts[kind] += amount * multiplier


def _unit(text: str) -> tuple[str, int]:
    """A unit as (field, multiplier), ("weekday", its number) or ("special", 1) for ``weekday(s)``."""
    singular = text if text in _UNITS or text in _WEEKDAY_NUMBER else text[:-1]  # "days", "mondays"
    if singular in _WEEKDAY_NUMBER:
        return "weekday", _WEEKDAY_NUMBER[singular]
    return _UNITS[singular]


def _year(text: str) -> int:
    """timelib's ``process_year``: two digits are 1970-2069."""
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < 70 else 1900
    return year


def _meridian(hour: int, ampm: str | None) -> int:
    if ampm is None:
        return hour
    if hour > 12 or hour == 0:
        raise ValueError("Unexpected meridian")
    if ampm == "a":
        return 0 if hour == 12 else hour
    return hour if hour == 12 else hour + 12


# --------------------------------------------------------------------------- the tokens


def _timestamp(parsed: _Parsed, match: re.Match[str]) -> None:
    """``@<seconds>``: 1970-01-01 00:00 plus the seconds (a date or time may still follow)."""
    parsed.fields.update(y=1970, m=1, d=1, h=0, i=0, s=0, us=0)
    parsed.have_date = parsed.have_time = False
    parsed.have_zone = parsed.timestamp = True
    seconds, fraction = match.group(1), int((match.group(2) or "").ljust(6, "0"))
    parsed.relative.amounts["s"] += int(seconds)
    parsed.relative.amounts["us"] += -fraction if seconds.startswith("-") else fraction


def _keyword(parsed: _Parsed, match: re.Match[str]) -> None:
    word = match.group(1)
    if word == "now":
        return
    parsed.unset_time()
    if word == "noon":
        parsed.set_time(12)
    elif word in ("yesterday", "tomorrow"):
        parsed.relative.amounts["d"] = -1 if word == "yesterday" else 1


def _day_of(parsed: _Parsed, match: re.Match[str]) -> None:
    parsed.relative.first_last = match.group(1)


def _weekday_of(parsed: _Parsed, match: re.Match[str]) -> None:
    """``first monday of``, ``last friday of``: then the month named after it (default this one)."""
    amount = _RELATIVE_TEXT[match.group(1)]
    if amount > 0:
        parsed.relative.special = ("nth", 0)
        parsed.add_relative(amount, match.group(2), 1, keep_time=False)
    else:
        parsed.relative.special = ("last", 0)
        parsed.add_relative(amount, match.group(2), 1 if match.group(1) == "this" else 0, keep_time=False)


def _back_front_of(parsed: _Parsed, match: re.Match[str]) -> None:
    parsed.unset_time()
    hour = int(match.group(2))
    hour, minute = (hour, 15) if match.group(1) == "back" else (hour - 1, 45)
    parsed.set_time(_meridian(hour, match.group("ampm")), minute)


def _relative_week(parsed: _Parsed, match: re.Match[str]) -> None:
    """``next week``, ``this week``: the week moves and the day becomes its weekday (Monday unless
    a weekday is named)."""
    word = match.group(1)
    parsed.add_relative(_RELATIVE_TEXT[word], "week", 1 if word == "this" else 0, keep_time=False)
    parsed.relative.weekday_behavior = 2
    if not parsed.relative.have_weekday:
        parsed.relative.have_weekday, parsed.relative.weekday = True, 1


def _relative_text(parsed: _Parsed, match: re.Match[str]) -> None:
    word = match.group(1)
    parsed.add_relative(_RELATIVE_TEXT[word], match.group(2), 1 if word == "this" else 0, keep_time=False)


def _relative_number(parsed: _Parsed, match: re.Match[str]) -> None:
    sign = -1 if match.group(1).count("-") % 2 else 1
    parsed.add_relative(sign * int(match.group(2)), match.group(3), 1, keep_time=True)


def _ago(parsed: _Parsed, match: re.Match[str]) -> None:
    relative = parsed.relative
    relative.amounts = {name: -amount for name, amount in relative.amounts.items()}
    relative.weekday = -relative.weekday or -7
    if relative.special is not None and relative.special[0] == "weekdays":
        relative.special = ("weekdays", -relative.special[1])


def _weekday(parsed: _Parsed, match: re.Match[str]) -> None:
    """A bare weekday: that day, today if it is (``weekday`` itself counts as Monday)."""
    parsed.unset_time()
    name = match.group(1)
    parsed.relative.have_weekday = True
    parsed.relative.weekday = 1 if name.startswith("weekday") else _WEEKDAY_NUMBER[name]
    if parsed.relative.weekday_behavior != 2:
        parsed.relative.weekday_behavior = 1


def _numeric_date(order: str) -> Callable[[_Parsed, re.Match[str]], None]:
    def handle(parsed: _Parsed, match: re.Match[str]) -> None:
        values = dict(zip(order, match.groups(), strict=True))
        year = _year(values["y"]) if values.get("y") else None
        day = int(values["d"]) if values.get("d") else (1 if "d" not in order else None)
        parsed.set_date(year, int(values["m"]), day)

    return handle


def _text_date(parsed: _Parsed, match: re.Match[str]) -> None:
    fields = match.groupdict()
    year = _year(fields["y"]) if fields.get("y") else None
    day = int(fields["d"]) if fields.get("d") else (1 if year is not None else None)
    parsed.set_date(year, MONTH_NUMBERS[fields["mon"]], day)


def _clock_time(parsed: _Parsed, match: re.Match[str]) -> None:
    fields = match.groupdict()
    hour, minute, second = int(fields["H"]), int(fields["M"] or 0), int(fields["S"] or 0)
    if hour > 24 or minute > 59 or second > 60:
        raise ValueError("Unexpected character")
    micro = int((fields.get("f") or "")[:6].ljust(6, "0"))
    parsed.set_time(_meridian(hour, fields.get("ampm")), minute, second, micro)


def _compact_time(parsed: _Parsed, match: re.Match[str]) -> None:
    """``1030``, ``t1030`` (hhmm): keeps the date's microseconds, unlike ``10:30``."""
    parsed.set_time(int(match.group(1)), int(match.group(2)), 0, None)


def _zone(parsed: _Parsed, match: re.Match[str]) -> None:
    """A zone in the text: ``modify`` reads it and keeps the date's own zone."""
    if parsed.have_zone:
        raise ValueError("Double timezone specification")
    parsed.have_zone = True


_Handler = Callable[[_Parsed, re.Match[str]], None]
_WORD_END = r"(?![a-z])"
# Tried in order at each position; where timelib takes the longest match, the longer form comes first.
_TOKENS: list[tuple[re.Pattern[str], _Handler]] = [
    (re.compile(pattern, re.IGNORECASE), handler)
    for pattern, handler in [
        (r"@(-?\d+)(?:\.(\d{0,6}))?", _timestamp),
        (r"(first|last) day of" + _WORD_END, _day_of),
        (rf"({_REL_TEXT})[ \t]+({_DAY_NAME})[ \t]+of" + _WORD_END, _weekday_of),
        (r"(back|front) of[ \t]+([01]?\d|2[0-4])(?:[ \t]*" + _MERIDIAN + ")?", _back_front_of),
        (r"(yesterday|midnight|today|now|noon|tomorrow)" + _WORD_END, _keyword),
        (r"(next|last|previous|this)[ \t]+week" + _WORD_END, _relative_week),
        (rf"({_REL_TEXT})[ \t]+({_UNIT})" + _WORD_END, _relative_text),
        (rf"([+-]*)[ \t]*(\d{{1,13}})[ \t]*({_UNIT}|week)" + _WORD_END, _relative_number),
        (r"ago" + _WORD_END, _ago),
        (rf"(weekdays?|{_DAY_NAME})" + _WORD_END, _weekday),
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", _numeric_date("ymd")),
        (r"(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)", _numeric_date("ymd")),
        (r"(\d{4})(\d{2})(\d{2})(?![\d:])", _numeric_date("ymd")),
        (r"(\d{1,2})[.\t-](\d{1,2})[.-](\d{4})(?!\d)", _numeric_date("dmy")),
        (r"(\d{1,2})/(\d{1,2})/(\d{1,4})(?!\d)", _numeric_date("mdy")),
        (r"(\d{1,2})/(\d{1,2})(?![\d/])", _numeric_date("md")),
        (r"(\d{4})-(\d{1,2})(?![\d-])", _numeric_date("ym")),
        (rf"{_DAY}[ \t.-]*(?P<mon>{_MONTH_NAME})[ \t.-]*(?P<y>\d{{4}})" + r"(?!\d)", _text_date),
        (rf"(?P<mon>{_MONTH_NAME})[ \t.-]*{_DAY}[,.\t ]*(?P<y>\d{{4}})" + r"(?!\d)", _text_date),
        (rf"(?P<mon>{_MONTH_NAME})[ \t.-]*(?P<y>\d{{4}})" + r"(?!\d)", _text_date),
        (rf"(?P<y>\d{{4}})[ \t.-]*(?P<mon>{_MONTH_NAME})" + _WORD_END, _text_date),
        (rf"(?P<mon>{_MONTH_NAME})[ \t.-]*{_DAY}(?!\d)" + _WORD_END, _text_date),
        (rf"{_DAY}[ \t.-]*(?P<mon>{_MONTH_NAME})" + _WORD_END, _text_date),
        (rf"(?P<mon>{_MONTH_NAME})" + _WORD_END, _text_date),
        (
            r"t?(?P<H>\d{1,2})[:.](?P<M>\d{1,2})(?:[:.](?P<S>\d{1,2})(?:[.,:](?P<f>\d+))?)?"
            r"(?:[ \t]*" + _MERIDIAN + ")?",
            _clock_time,
        ),
        (r"(?P<H>\d{1,2})(?P<M>)(?P<S>)[ \t]*" + _MERIDIAN, _clock_time),
        (r"t?([01]\d|2[0-4])([0-5]\d)(?!\d)", _compact_time),
        (r"(?:gmt)?[+-]\d{1,2}(?::?\d{2})?(?!\d)", _zone),
        (r"(?:utc|gmt|z|[a-z]+/[a-z_/+-]+|[a-z]{3,5}t)" + _WORD_END, _zone),
    ]
]
_SEPARATOR = re.compile(r"[ .,\t]+")


def _scan(text: str) -> _Parsed:
    parsed = _Parsed()
    spec = text.lower()
    position = 0
    matched = False
    while position < len(spec):
        if separator := _SEPARATOR.match(spec, position):
            position = separator.end()
            continue
        for pattern, handler in _TOKENS:
            if match := pattern.match(spec, position):
                handler(parsed, match)
                position = match.end()
                matched = True
                break
        else:
            raise ValueError(f"Unexpected character at position {position}")
    if not matched:
        raise ValueError("Empty string")
    return parsed


# --------------------------------------------------------------------------- applying (timelib_update_ts)


@dataclass
class _Wall:
    """A wall time whose fields may be out of range until :meth:`normalize`."""

    y: int
    m: int
    d: int
    h: int
    i: int
    s: int
    us: int

    def normalize(self) -> None:
        seconds, self.us = divmod(self.us, 1_000_000)
        minutes, self.s = divmod(self.s + seconds, 60)
        hours, self.i = divmod(self.i + minutes, 60)
        days, self.h = divmod(self.h + hours, 24)
        years, month_index = divmod(self.m - 1, 12)
        moment = date(self.y + years, month_index + 1, 1) + timedelta(days=self.d + days - 1)
        self.y, self.m, self.d = moment.year, moment.month, moment.day

    def dow(self) -> int:
        return (date(self.y, self.m, self.d).weekday() + 1) % 7


def _special_early(wall: _Wall, relative: _Relative) -> None:
    if relative.special is not None and relative.special[0] in ("nth", "last"):
        wall.d = 1
        wall.m += relative.amounts["m"] + (1 if relative.special[0] == "last" else 0)
        relative.amounts["m"] = 0
    _first_last_day(wall, relative)


def _first_last_day(wall: _Wall, relative: _Relative) -> None:
    if relative.first_last == "first":
        wall.d = 1
    elif relative.first_last == "last":
        wall.d, wall.m = 0, wall.m + 1
    wall.normalize()


def _to_weekday(wall: _Wall, relative: _Relative) -> None:
    """timelib's ``do_adjust_for_weekday``."""
    weekday, current = relative.weekday, wall.dow()
    if relative.weekday_behavior == 2:  # "<weekday> this/next/last week": within the ISO week
        if current == 0 and weekday != 0:
            weekday -= 7
        if weekday == 0 and current != 0:
            weekday = 7
        wall.d += weekday - current
        return
    difference = weekday - current
    days = relative.amounts["d"]
    if (days < 0 and difference < 0) or (days >= 0 and difference <= -relative.weekday_behavior):
        difference += 7
    wall.d += difference if weekday >= 0 else -(7 - (abs(weekday) - current))


def _add_weekdays(wall: _Wall, count: int) -> None:
    """timelib's ``do_adjust_special_weekday``: ``count`` working days (Monday to Friday)."""
    dow = wall.dow()
    weeks = abs(count) // 5 * (1 if count >= 0 else -1)
    rem = count - weeks * 5
    wall.d += weeks * 7
    if count > 0:
        if rem == 0:
            wall.d -= {0: 2, 6: 1}.get(dow, 0)
        elif dow == 6:
            wall.d += 1
        elif dow + rem > 5:
            wall.d += 2
    elif rem == 0:
        wall.d += {6: 2, 0: 1}.get(dow, 0)
    elif dow == 0:
        wall.d -= 1
    elif dow + rem < 1:
        wall.d -= 2
    wall.d += rem
    wall.normalize()


def _apply(wall: _Wall, relative: _Relative) -> None:
    _special_early(wall, relative)
    if relative.have_weekday:
        _to_weekday(wall, relative)
    wall.normalize()
    for name, amount in relative.amounts.items():
        setattr(wall, name, getattr(wall, name) + amount)
    _first_last_day(wall, relative)
    if relative.special is not None and relative.special[0] == "weekdays":
        _add_weekdays(wall, relative.special[1])


# The zone "@<timestamp>" gives: the offset +00:00 (PHP shows it as "+00:00", "GMT+0000"), not "UTC".
_OFFSET_ZERO = timezone(timedelta(0), "+00:00")


def _placed(wall: _Wall, original: datetime, zone_is_utc: bool) -> datetime:
    """The wall time in the date's zone: a skipped time moves on, a repeated one keeps the date's DST."""
    zone = _OFFSET_ZERO if zone_is_utc else original.tzinfo
    naive = datetime(wall.y, wall.m, wall.d, wall.h, wall.i, wall.s, wall.us)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:  # skipped: on by the change
        return first.astimezone(UTC).astimezone(zone)
    return first if original.dst() else second


_EPOCH = (1970, 1, 1, 0, 0, 0, 0)


def _wall_of(moment: datetime, fields: dict[str, int | None]) -> _Wall:
    """The date's wall time with the fields the text sets (PHP's ``date_modify``): a time of day resets
    the seconds it does not name."""
    wall = _Wall(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond
    )
    for name in ("y", "m", "d", "us"):
        value = fields[name]
        if value is not None:
            setattr(wall, name, value)
    hour = fields["h"]
    if hour is not None:
        wall.h, wall.i, wall.s = hour, fields["i"] or 0, fields["s"] or 0
    return wall


def set_wall(moment: datetime, y: int, m: int, d: int, h: int, i: int, s: int, us: int) -> datetime:
    """``moment`` with its wall time set to these fields (``DateTime::setDate`` / ``setTime``): out of
    range fields overflow (month 13 is January of the next year, day 0 the last of the month before,
    hour 25 the next day's 01:00), and the result is placed in the zone as :func:`modify` places its
    own. Raises ValueError beyond the years 1-9999."""
    wall = _Wall(y, m, d, h, i, s, us)
    try:
        wall.normalize()
        return _placed(wall, moment, False)
    except (OverflowError, ValueError) as error:
        raise ValueError("the date is out of the supported range (years 1-9999)") from error


def modify(moment: datetime, text: str) -> datetime:
    """``DateTime::modify($text)`` on ``moment`` (aware): ``+1 day``, ``-2 weeks 3 hours``, ``2 days ago``,
    ``next month``, ``midnight``, ``tomorrow noon``, ``monday``, ``next friday``, ``+2 sat``,
    ``first day of next month``, ``last day of +1 month``, ``first monday of january 2025``,
    ``third friday of this month``, ``+3 weekdays``, ``10:30``, ``10am``, ``2025-01-01``, ``@1700000000``."""
    try:
        parsed = _scan(text)
    except ValueError as error:
        raise ValueError(f'Failed to parse time string "{text}"') from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    wall = _wall_of(moment, parsed.fields)
    # "@<timestamp>" (1970-01-01 00:00 UTC plus seconds) also moves the date to UTC
    zone_is_utc = parsed.timestamp and (wall.y, wall.m, wall.d, wall.h, wall.i, wall.s, wall.us) == _EPOCH
    try:
        _apply(wall, parsed.relative)
        return _placed(wall, moment, zone_is_utc)
    except (OverflowError, ValueError) as error:
        raise ValueError(f'Failed to parse time string "{text}"') from error
