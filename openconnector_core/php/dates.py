"""PHP ``date()`` format letters, PHP-ish date parsing and ``DateTime::modify`` (in :mod:`.relative_dates`)
for templates and casts.

The default timezone is UTC (as the original's server); a timezone name may be given per call.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Undefined

from openconnector_core.php.relative_dates import MONTH_NUMBERS
from openconnector_core.php.relative_dates import modify as modify  # DateTime::modify
from openconnector_core.twig.limits import mark_impure, valid_until

_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def _suffix(day: int) -> str:
    if day in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _offset(moment: datetime, separator: str) -> str:
    offset = moment.utcoffset() or timedelta(0)
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}{separator}{minutes:02d}"


def _letter(moment: datetime, letter: str) -> str:
    match letter:
        case "d":
            return f"{moment.day:02d}"
        case "D":
            return _DAY_NAMES[moment.weekday()][:3]
        case "j":
            return str(moment.day)
        case "l":
            return _DAY_NAMES[moment.weekday()]
        case "N":
            return str(moment.isoweekday())
        case "S":
            return _suffix(moment.day)
        case "w":
            return str(moment.isoweekday() % 7)
        case "z":
            return str(moment.timetuple().tm_yday - 1)
        case "W":
            return f"{moment.isocalendar()[1]:02d}"
        case "F":
            return _MONTH_NAMES[moment.month - 1]
        case "m":
            return f"{moment.month:02d}"
        case "M":
            return _MONTH_NAMES[moment.month - 1][:3]
        case "n":
            return str(moment.month)
        case "t":
            return str(calendar.monthrange(moment.year, moment.month)[1])
        case "L":
            return "1" if calendar.isleap(moment.year) else "0"
        case "o":
            return str(moment.isocalendar()[0])
        case "Y" | "x":  # at least 4 digits; x would prefix + from year 10000 (beyond datetime)
            return f"{moment.year:04d}"
        case "X":
            return f"+{moment.year:04d}"
        case "y":
            return f"{moment.year % 100:02d}"
        case "B":
            utc = moment.astimezone(UTC)
            beats = ((utc.hour * 3600 + utc.minute * 60 + utc.second + 3600) % 86400) * 10 // 864
            return f"{beats:03d}"
        case "a":
            return "am" if moment.hour < 12 else "pm"
        case "A":
            return "AM" if moment.hour < 12 else "PM"
        case "g":
            return str(moment.hour % 12 or 12)
        case "G":
            return str(moment.hour)
        case "h":
            return f"{moment.hour % 12 or 12:02d}"
        case "H":
            return f"{moment.hour:02d}"
        case "i":
            return f"{moment.minute:02d}"
        case "s":
            return f"{moment.second:02d}"
        case "u":
            return f"{moment.microsecond:06d}"
        case "v":
            return f"{moment.microsecond // 1000:03d}"
        case "e":
            return _zone_name(moment)
        case "I":
            dst = moment.dst()
            return "1" if dst else "0"
        case "O":
            return _offset(moment, "")
        case "P":
            return _offset(moment, ":")
        case "p":
            return "Z" if not moment.utcoffset() else _offset(moment, ":")
        case "T":
            return _abbreviation(moment)
        case "Z":
            return str(int((moment.utcoffset() or timedelta(0)).total_seconds()))
        case "c":
            return format_date(moment, "Y-m-d\\TH:i:sP")
        case "r":
            return format_date(moment, "D, d M Y H:i:s O")
        case "U":
            return str(int(moment.timestamp()))
        case _:
            return letter


def _named_offset(moment: datetime) -> str | None:
    """The name of a fixed offset written as a zone abbreviation (``CET``, ``Z``); ``None`` for UTC, a
    zone of the tz database, or a bare offset."""
    zone, name = moment.tzinfo, moment.tzname()
    if not isinstance(zone, timezone) or zone is UTC or not name or name.startswith(("UTC", "+", "-")):
        return None
    return name


def _zone_name(moment: datetime) -> str:
    """PHP's ``e``: the tz database name, an abbreviation as written, ``UTC`` or the offset (``+02:00``)."""
    zone = moment.tzinfo
    if key := getattr(zone, "key", None):
        return str(key)
    if zone is None or zone is UTC:
        return "UTC"
    return _named_offset(moment) or _offset(moment, ":")


def _abbreviation(moment: datetime) -> str:
    """PHP's ``T``: the zone's abbreviation as the tz database has it (``CET``, ``-03``, ``+0545``); a
    bare offset is ``GMT+0200``."""
    zone = moment.tzinfo
    if zone is None or zone is UTC or not isinstance(zone, timezone):
        return moment.tzname() or "UTC"
    return _named_offset(moment) or "GMT" + _offset(moment, "")


def format_date(moment: datetime, fmt: str) -> str:
    """PHP ``DateTime::format($fmt)`` on ``moment`` (``u``/``v`` print its micro/milliseconds); ``\\x``
    escapes a letter."""
    out: list[str] = []
    escaped = False
    for char in fmt:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(_letter(moment, char))
    return "".join(out)


def resolve_timezone(timezone: Any) -> tzinfo:
    if timezone is None or isinstance(timezone, Undefined) or timezone is False or timezone == "":
        return UTC
    if isinstance(timezone, tzinfo):
        return timezone
    name = str(timezone)
    if name.upper() == "UTC":
        return UTC
    return ZoneInfo(name)


# Zone abbreviations PHP knows as fixed offsets (hours).
_ABBREVIATIONS = {
    "utc": 0, "gmt": 0, "z": 0, "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2, "met": 1,
    "mest": 2, "eet": 2, "eest": 3, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7,
    "mdt": -6, "pst": -8, "pdt": -7,
}  # fmt: skip


def clock() -> datetime:
    """The current time (UTC): the one place time is read, so tests can hold it still."""
    return datetime.now(UTC)


def _read_clock() -> datetime:
    """:func:`clock`, marking the running mapping render as time-dependent (never memoized)."""
    mark_impure()
    return clock()


def now(timezone: Any = None) -> datetime:
    return _read_clock().astimezone(resolve_timezone(timezone))


def php_date(fmt: str) -> str:
    """PHP's ``date($fmt)``: now, read at whole seconds (``u`` is always ``000000``, ``v`` ``000``)."""
    return format_date(now().replace(microsecond=0), fmt)


# date() letters whose text changes only at midnight: day, weekday, week, month, year.
_DAY_LETTERS = frozenset("dDjlNSwzWFmMntLoYyxX")


def is_now(value: Any) -> bool:
    """Whether :func:`parse_date` reads ``value`` as the current time."""
    if value is None or isinstance(value, Undefined) or value == "" or value is False:
        return True
    return isinstance(value, str) and value.strip().lower() == "now"


def format_now(fmt: str, timezone: Any = None) -> str:
    """``format_date(parse_date("now", timezone), fmt)``. A format naming nothing finer than a day
    gives the same text until the next midnight: the running render is marked valid until then
    (``mapping.memo`` keeps it that long) instead of time-dependent."""
    zone = UTC if timezone is False else resolve_timezone(timezone)
    if not _by_day(fmt):
        return format_date(_read_clock().astimezone(zone), fmt)
    moment = clock().astimezone(zone)
    midnight = datetime.combine(moment.date() + timedelta(days=1), time(), tzinfo=zone)
    valid_until(midnight.timestamp())
    return format_date(moment, fmt)


def _by_day(fmt: str) -> bool:
    escaped = False
    for char in fmt:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char.isascii() and char.isalpha() and char not in _DAY_LETTERS:
            return False
    return True


# --------------------------------------------------------------------------- parsing (strtotime)

_ZONE = r"(?P<zone>[zZ]|[+-]\d{1,2}(?::?\d{2})?(?!\s*[a-zA-Z])|[A-Za-z]{1,5}|[A-Za-z]+/[A-Za-z_+\-/]+)"
_TIME = r"(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?\s*(?P<ampm>[ap]\.?m\.?(?![a-z]))?"
_ABSOLUTE_FORMATS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<y>\d{4})-?(?P<doy>00[1-9]|0[1-9]\d|[12]\d\d|3[0-5]\d|36[0-6])(?!\d)",  # 2024-061: day of year
        r"(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?",
        r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})",
        r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?=[tT]|\s|\Z)",
        r"(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})",
        r"(?P<y2>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)",  # 24-03-01: a two-digit year first
        r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})",
        r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})",
        r"(?:[a-z]+,?\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s-]+(?P<mon>[a-z]{3,9})\.?[\s-]+(?P<y>\d{4})",
        r"(?:[a-z]+,?\s+)?(?P<mon>[a-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})",
        r"(?P<mon>[a-z]{3,9})\.?\s+(?P<y>\d{4})",
        r"(?=\d{1,2}:\d{2})",  # a time of today
        r"[tT](?=\d{1,2}:\d{2})",
        r"(?=\d{1,2}\s*[ap]\.?m\b)",  # 10am
    )
]
_TIME_PART = re.compile(r"(?:[tT]|\s+)?" + _TIME, re.IGNORECASE)
_COMPACT_TIME = re.compile(r"[tT](?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?")
_HOUR_AMPM = re.compile(r"\s*(?P<H>\d{1,2})\s*(?P<ampm>[ap]\.?m\.?(?![a-z]))", re.IGNORECASE)
_ZONE_PART = re.compile(r"\s*" + _ZONE + r"(?=\s|\Z)")


def _zone_of(text: str) -> tzinfo | None:
    lowered = text.lower()
    if lowered in _ABBREVIATIONS:
        return timezone(timedelta(hours=_ABBREVIATIONS[lowered]), text.upper())
    if text[0] in "+-":
        digits = text[1:].replace(":", "")
        hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
        offset = timedelta(hours=hours, minutes=minutes)
        return timezone(-offset if text[0] == "-" else offset)
    if "/" in text:
        try:
            return ZoneInfo(text)
        except (KeyError, ValueError):
            return None
    return None


def _hour(match: re.Match[str]) -> int:
    hour = int(match.group("H"))
    ampm = (match.group("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    return hour


def _parse_absolute(text: str, today: datetime) -> datetime | None:
    """The absolute date/time at the start of ``text`` (naive or with its zone) and the rest, applied
    as a relative modifier; ``None`` if ``text`` does not start with a date or time."""
    for pattern in _ABSOLUTE_FORMATS:
        match = pattern.match(text)
        if match is None:
            continue
        fields = match.groupdict()
        if fields.get("mon") is not None and fields["mon"].lower() not in MONTH_NUMBERS:
            continue
        if fields.get("y2") is not None:
            fields["y"] = str(int(fields["y2"]) + (2000 if int(fields["y2"]) < 70 else 1900))
        if fields.get("doy") is not None:
            fields.update(m="1", d=fields["doy"])  # day N of January, overflowing
        if fields.get("y") is None:
            year, month, day = today.year, today.month, today.day
        else:
            year = int(fields["y"])
            month = MONTH_NUMBERS[fields["mon"].lower()] if fields.get("mon") else int(fields["m"])
            day = int(fields["d"]) if fields.get("d") else 1
        if not (1 <= month <= 12 and 1 <= day <= (366 if fields.get("doy") else 31)):
            return None
        moment = datetime(year, month, 1) + timedelta(days=day - 1)  # PHP lets Feb 30 overflow
        position = match.end()
        time = _TIME_PART.match(text, position) or _COMPACT_TIME.match(text, position)
        if time is None:
            time = _HOUR_AMPM.match(text, position)
        if time is not None:
            fraction = (time.groupdict().get("f") or "")[:6].ljust(6, "0")
            minute = int(time.group("M")) if time.groupdict().get("M") else 0
            second = int(time.group("S")) if time.groupdict().get("S") else 0
            hour = _hour(time)
            if hour > 24 or minute > 59 or second > 60:
                return None
            moment += timedelta(hours=hour, minutes=minute, seconds=second, microseconds=int(fraction))
            position = time.end()
        elif fields.get("y") is None:
            return None
        zone_match = _ZONE_PART.match(text, position)
        if zone_match is not None:
            zone = _zone_of(zone_match.group("zone"))
            if zone is not None:
                moment = moment.replace(tzinfo=zone)
                position = zone_match.end()
        rest = text[position:].strip()
        if rest:
            base = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            moment = modify(base, rest)
        return moment
    return None


def parse_date(value: Any, timezone: Any = None) -> datetime:
    """Twig's date converter (``twig_date_converter``): timestamps, ``now`` and PHP date strings are read
    in the default timezone (UTC) and then converted to ``timezone``; ``timezone`` ``false`` keeps the
    zone written in the string."""
    keep = timezone is False
    zone = UTC if keep else resolve_timezone(timezone)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment if keep else moment.astimezone(zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).astimezone(zone)
    if value is None or isinstance(value, Undefined) or value == "" or value is False:
        return _read_clock().astimezone(zone)  # (string) false is "": now
    if value is True:
        value = 1  # (string) true is "1": a timestamp
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).astimezone(zone)
    if re.fullmatch(r"-?[0-9]+", str(value)):  # (Twig: ctype_digit, so not " 7" nor "7\n")
        return datetime.fromtimestamp(int(value), UTC).astimezone(zone)
    text = str(value).strip()
    if text.lower() == "now" or not text:  # blanks are "now" as well
        return _read_clock().astimezone(zone)
    if text.startswith("@") and re.fullmatch(r"@-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text[1:]), UTC).astimezone(zone)
    iso = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        parsed = _parse_absolute(text, _read_clock())
        moment = parsed if parsed is not None else modify(_read_clock(), text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment if keep else moment.astimezone(zone)
