"""PHP ``date()`` format letters, PHP-ish date parsing and ``DateTime::modify`` for templates and casts.

The default timezone is UTC (as the original's server); a timezone name may be given per call.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Undefined

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
        case "Y":
            return str(moment.year)
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
            zone = moment.tzinfo
            return getattr(zone, "key", None) or ("UTC" if zone in (None, UTC) else _offset(moment, ":"))
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
            name = moment.tzname() or "UTC"
            return name if name[0].isalpha() else _offset(moment, ":")
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


def format_date(moment: datetime, fmt: str) -> str:
    """PHP ``date($fmt)`` on ``moment``; ``\\x`` escapes a letter."""
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


_RELATIVE_PART = re.compile(
    r"\s*([+-]?\s*\d+)\s*(sec|second|min|minute|hour|day|week|fortnight|month|year)s?\b", re.IGNORECASE
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def now(timezone: Any = None) -> datetime:
    return datetime.now(resolve_timezone(timezone))


def _add_months(moment: datetime, months: int) -> datetime:
    # PHP overflows the day into the next month (Jan 31 + 1 month = Mar 2/3), unlike clamping.
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    overflow = max(0, moment.day - last_day)
    return moment.replace(year=year, month=month, day=min(moment.day, last_day)) + timedelta(days=overflow)


def modify(moment: datetime, text: str) -> datetime:
    """``DateTime::modify`` for the common relative formats (``+1 day``, ``-2 weeks``, ``midnight``…)."""
    spec = text.strip().lower()
    keywords = {
        "now": lambda m: m,
        "today": lambda m: m.replace(hour=0, minute=0, second=0, microsecond=0),
        "midnight": lambda m: m.replace(hour=0, minute=0, second=0, microsecond=0),
        "noon": lambda m: m.replace(hour=12, minute=0, second=0, microsecond=0),
        "tomorrow": lambda m: m.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1),
        "yesterday": lambda m: m.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1),
    }
    if spec in keywords:
        return keywords[spec](moment)
    position = 0
    matched = False
    while position < len(spec):
        part = _RELATIVE_PART.match(spec, position)
        if not part:
            break
        matched = True
        amount = int(part.group(1).replace(" ", ""))
        unit = part.group(2).lower()
        if unit in ("sec", "second"):
            moment += timedelta(seconds=amount)
        elif unit in ("min", "minute"):
            moment += timedelta(minutes=amount)
        elif unit == "hour":
            moment += timedelta(hours=amount)
        elif unit == "day":
            moment += timedelta(days=amount)
        elif unit == "week":
            moment += timedelta(weeks=amount)
        elif unit == "fortnight":
            moment += timedelta(weeks=2 * amount)
        elif unit == "month":
            moment = _add_months(moment, amount)
        else:
            moment = _add_months(moment, 12 * amount)
        position = part.end()
    if not matched or spec[position:].strip():
        raise ValueError(f'Failed to parse time string "{text}"')
    return moment


def parse_date(value: Any, timezone: Any = None) -> datetime:
    """Twig's date converter: timestamps, ISO-8601 strings, ``now``, relative strings; in ``timezone``."""
    zone = resolve_timezone(timezone)
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).astimezone(zone)
    if value is None or isinstance(value, Undefined) or value == "":
        return datetime.now(zone)
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC).astimezone(zone)
    text = str(value).strip()
    if text.lower() == "now":
        return datetime.now(zone)
    if re.fullmatch(r"-?\d+", text):
        return datetime.fromtimestamp(int(text), UTC).astimezone(zone)
    if text.startswith("@") and re.fullmatch(r"@-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text[1:]), UTC).astimezone(zone)
    iso = text.replace(" ", "T", 1) if re.match(r"\d{4}-\d{2}-\d{2} \d", text) else text
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        moment = _parse_other(text, zone) if text[:1].isdigit() else _parse_words(text, zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


_ENGLISH_FORMATS = (
    "%B %d, %Y",
    "%B %d, %Y %H:%M",
    "%b %d, %Y",
    "%B %d %Y",
    "%a, %d %b %Y %H:%M:%S %z",
    "%A %d %B %Y",
    "%d %B %Y",
    "%d %b %Y",
)


def _parse_words(text: str, zone: tzinfo) -> datetime:
    """Month names (``March 21, 2024``, RFC 2822) or a relative string (``+1 day``) from now."""
    for fmt in _ENGLISH_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return modify(datetime.now(zone), text)


def _parse_other(text: str, zone: tzinfo) -> datetime:
    for fmt in ("%d-%m-%Y", "%d-%m-%Y %H:%M:%S", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y/%m/%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return modify(datetime.now(zone), text)
